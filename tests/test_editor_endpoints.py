"""The markdownx editor's preview and upload endpoints."""

import pytest
from PIL import Image

from tests.factories import AJAX, UPLOAD, image_bytes, upload

pytestmark = pytest.mark.django_db

PREVIEW = "/markdownx/markdownify/"


def stored_files(settings):
    root = settings.MEDIA_ROOT / "uploads"
    return sorted(root.iterdir()) if root.exists() else []


def test_anonymous_preview_is_refused(client):
    response = client.post(PREVIEW, {"content": "**hi**"})
    assert response.status_code == 403
    assert b"<strong>" not in response.content


def test_non_staff_user_preview_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    assert client.post(PREVIEW, {"content": "**hi**"}).status_code == 403


def test_preview_renders_through_the_sanitizing_renderer(staff_client):
    response = staff_client.post(
        PREVIEW,
        {"content": "**bold** <script>alert(1)</script>[x](javascript:alert(1))"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_preview_without_content_is_a_400(staff_client):
    assert staff_client.post(PREVIEW, {}).status_code == 400


def test_preview_refuses_get(staff_client):
    assert staff_client.get(PREVIEW).status_code == 405


def test_anonymous_upload_is_refused_and_stores_nothing(client, settings):
    response = upload(client, "a.png", image_bytes("PNG"), "image/png")
    assert response.status_code == 403
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")]
)
def test_real_images_are_stored_under_a_server_chosen_extension(
    staff_client, settings, image_format, extension
):
    response = upload(
        staff_client, "holiday.HTML", image_bytes(image_format), "text/html"
    )
    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![](/media/uploads/") and code.endswith(f".{extension})")
    [stored] = stored_files(settings)
    assert stored.suffix == f".{extension}"
    assert "holiday" not in stored.name
    with Image.open(stored) as image:
        assert image.format == image_format
        assert image.size == (8, 6)


def test_upload_drops_exif_and_comments(staff_client, settings):
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    data = image_bytes(
        "JPEG", exif=exif.tobytes(), comment=b"<script>alert(1)</script>"
    )
    assert b"<script>" in data and b"secret description" in data
    assert upload(staff_client, "x.jpg", data, "image/jpeg").status_code == 200
    [stored] = stored_files(settings)
    stored_bytes = stored.read_bytes()
    assert b"<script>" not in stored_bytes
    assert b"secret description" not in stored_bytes


HOSTILE_UPLOADS = [
    ("page.gif", b"<html><script>alert(1)</script></html>", "image/gif"),
    (
        "vector.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        "image/svg+xml",
    ),
    ("junk.png", b"\x89PNG\r\n\x1a\n" + b"\x00junk" * 50, "image/png"),
    ("random.jpg", bytes(range(256)) * 4, "image/jpeg"),
    ("page.png", b"<!doctype html><p>not an image</p>", "image/png"),
    ("empty.png", b"", "image/png"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), HOSTILE_UPLOADS)
def test_hostile_uploads_get_a_clear_400(
    staff_client, settings, name, content, content_type
):
    response = upload(staff_client, name, content, content_type)
    assert response.status_code == 400
    assert "image" in response.json()
    assert "JPEG, PNG or WebP" in " ".join(response.json()["image"]) or content == b""
    assert stored_files(settings) == []


def test_gif_is_refused_even_when_it_is_a_real_image(staff_client, settings):
    response = upload(staff_client, "anim.gif", image_bytes("GIF"), "image/gif")
    assert response.status_code == 400
    assert "not a readable JPEG, PNG or WebP image" in response.json()["image"][0]
    assert stored_files(settings) == []


def test_oversized_upload_is_refused(staff_client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    data = image_bytes("PNG", size=(300, 300))
    assert len(data) > 1000 or pytest.fail("test image too small")
    response = upload(staff_client, "big.png", data, "image/png")
    assert response.status_code == 400
    assert "larger than" in response.json()["image"][0]


def test_decompression_bomb_is_refused(staff_client, settings):
    settings.UPLOAD_MAX_PIXELS = 100 * 100
    response = upload(
        staff_client, "wide.png", image_bytes("PNG", size=(400, 400)), "image/png"
    )
    assert response.status_code == 400
    assert stored_files(settings) == []


def test_upload_without_a_file_is_a_400(staff_client):
    response = staff_client.post(UPLOAD, {}, **AJAX)
    assert response.status_code == 400
    assert response.json()["image"] == ["Choose an image file to upload."]


def test_other_image_formats_are_never_decoded(staff_client, settings, monkeypatch):
    decoded = []
    original_load = Image.Image.load

    def spy_load(image):
        decoded.append(image.format)
        return original_load(image)

    files = {name: image_bytes(name) for name in ["GIF", "BMP", "TIFF"]}
    monkeypatch.setattr(Image.Image, "load", spy_load)
    for name, data in files.items():
        response = upload(staff_client, f"x.{name.lower()}", data, "image/png")
        assert response.status_code == 400
    assert decoded == []
    assert stored_files(settings) == []
