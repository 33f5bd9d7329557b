"""Request bodies over the limits are refused before they are read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db

PREVIEW = "/markdownx/markdownify/"
UPLOAD = "/markdownx/upload/"


def test_upload_over_the_limit_is_a_413_before_the_body_is_read(staff_client):
    # The test client's body is small: reading the claimed 50 MB would fail.
    response = staff_client.post(
        UPLOAD,
        {"image": SimpleUploadedFile("a.png", b"x", "image/png")},
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["image"] == ["The file is larger than 5 MB."]


def test_a_real_upload_over_the_limit_is_a_413_and_stores_nothing(
    staff_client, settings
):
    big = SimpleUploadedFile("big.png", b"\0" * (6 * 1024 * 1024), "image/png")
    response = staff_client.post(UPLOAD, {"image": big})
    assert response.status_code == 413
    assert not (settings.MEDIA_ROOT / "uploads").exists()


def test_upload_still_needs_the_csrf_token(staff_client):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_client.user)
    response = client.post(
        UPLOAD, {"image": SimpleUploadedFile("a.png", b"x", "image/png")}
    )
    assert response.status_code == 403


def test_anonymous_upload_is_refused_before_the_size(client):
    response = client.post(UPLOAD, {}, CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert response.status_code == 403


def test_preview_over_1_mb_is_a_413_before_the_body_is_read(staff_client):
    response = staff_client.post(
        PREVIEW, {"content": "x"}, CONTENT_LENGTH=str(2 * 1024 * 1024)
    )
    assert response.status_code == 413


def test_preview_still_needs_the_csrf_token(staff_client):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_client.user)
    assert client.post(PREVIEW, {"content": "x"}).status_code == 403


def test_admin_form_bodies_over_1_mb_are_refused_before_they_are_read(
    staff_client,
):
    response = staff_client.post(
        "/admin/exercises/exercise/add/",
        "name=x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(2 * 1024 * 1024),
    )
    assert response.status_code == 400
