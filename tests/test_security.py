import importlib
import os
import subprocess
import sys
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.management.utils import get_random_secret_key
from django.urls import clear_url_caches, reverse

import config.urls
from tests.factories import image_bytes, make_exercise, make_muscle, upload

BASE_DIR = Path(__file__).resolve().parent.parent


def run_with_env(args, **env):
    """Run a Python command in a fresh process with the production settings."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "REDIS_URL"
    }
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_start_up_without_a_secret_key_is_refused_when_debug_is_off():
    result = run_with_env(["-c", "import django; django.setup()"], DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in result.stderr


def test_start_up_without_a_site_url_is_refused_when_debug_is_off():
    result = run_with_env(
        ["-c", "import django; django.setup()"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=get_random_secret_key(),
    )
    assert result.returncode != 0
    assert "DJANGO_SITE_URL must be set when DJANGO_DEBUG is off." in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=get_random_secret_key(),
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_SITE_URL="https://example.org",
        # The page cache must be shared in production; nothing connects here.
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_public_pages_carry_the_content_security_policy(client):
    make_exercise(slug="squat")
    for _ in range(2):  # the second answer comes from the page cache
        response = client.get(reverse("exercises:exercise_detail", args=["squat"]))
        assert response.status_code == 200
        policy = parse_csp(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_admin_change_form_policy_allows_no_inline_script(staff_client):
    exercise = make_exercise()
    response = staff_client.get(
        reverse("admin:exercises_exercise_change", args=[exercise.pk])
    )
    assert response.status_code == 200
    policy = parse_csp(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_admin_change_form_has_no_inline_script_or_style(staff_client):
    # The policy would block these; the browser tests show the editor works.
    exercise = make_exercise()
    muscle = make_muscle()
    for url in [
        reverse("admin:exercises_exercise_change", args=[exercise.pk]),
        reverse("admin:exercises_exercise_add"),
        reverse("admin:exercises_muscle_change", args=[muscle.pk]),
        reverse("admin:exercises_exercise_changelist"),
    ]:
        page = staff_client.get(url).content.decode()
        for script in page.split("<script")[1:]:
            opening_tag = script.split(">", 1)[0]
            assert "src=" in opening_tag, f"inline script on {url}"
        assert "<style" not in page
        assert "style=" not in page


MEDIA_POLICY = "default-src 'none'; img-src 'self'; sandbox"


@pytest.mark.django_db
def test_uploaded_image_is_served_with_a_restrictive_policy(staff_client, client):
    response = upload(staff_client, "photo.png", image_bytes("PNG"), "image/png")
    url = response.json()["image_code"].removeprefix("![](").removesuffix(")")

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == MEDIA_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_html_in_media_cannot_run_as_a_page(client, settings):
    (settings.MEDIA_ROOT / "uploads").mkdir(parents=True)
    (settings.MEDIA_ROOT / "uploads" / "page.html").write_text("<script>1</script>")
    response = client.get("/media/uploads/page.html")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == MEDIA_POLICY


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/..%2fsecret.txt",
        "/media/%2e%2e%2fsecret.txt",
        "/media/uploads/../../secret.txt",
        f"/media/{'../' * 12}etc/passwd",
        "/media//etc/passwd",
        "/media/uploads/",
        "/media/missing.png",
    ],
)
def test_paths_outside_media_or_missing_are_404(client, settings, path):
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT.parent / "secret.txt").write_text("the-secret-content")
    response = client.get(path)
    assert response.status_code == 404
    assert b"the-secret-content" not in response.content


@pytest.mark.django_db
def test_media_serving_can_be_left_to_a_front_server(client, settings):
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "photo.png").write_bytes(image_bytes("PNG"))
    assert client.get("/media/photo.png").status_code == 200
    settings.SERVE_MEDIA = False
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        assert client.get("/media/photo.png").status_code == 404
    finally:
        settings.SERVE_MEDIA = True
        importlib.reload(config.urls)
        clear_url_caches()


@pytest.mark.django_db
def test_hashed_static_files_are_cached_for_good(settings, tmp_path):
    # One small file, not the whole static tree (the admin's included).
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { margin: 0; }\n")
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder"
    ]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    url = staticfiles_storage.url("css/site.css")
    assert url != "/static/css/site.css"  # the name carries the content hash

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": url}
    setup_testing_defaults(environ)
    answer = {}
    body = WSGIHandler()(environ, lambda status, headers: answer.update(headers))
    assert b"".join(body)
    cache_control = answer["Cache-Control"]
    assert "immutable" in cache_control
    assert "max-age=315360000" in cache_control  # ten years


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("exercises:roles")).status_code == 301


@pytest.mark.django_db
def test_every_response_turns_off_browser_features_the_site_never_uses(
    client, staff_client
):
    make_exercise(slug="squat")
    responses = [
        client.get(reverse("exercises:exercise_detail", args=["squat"])),
        # The second from the page cache.
        client.get(reverse("exercises:exercise_detail", args=["squat"])),
        client.get(reverse("exercises:feed")),
        client.get("/no-such-page/"),
        staff_client.get(reverse("admin:index")),
    ]
    for response in responses:
        policy = {item.strip() for item in response["Permissions-Policy"].split(",")}
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert f"{feature}=()" in policy
