import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management.utils import get_random_secret_key
from django.urls import reverse

from tests.factories import make_exercise, make_muscle

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


def test_production_settings_pass_the_deployment_checks():
    result = run_with_env(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=get_random_secret_key(),
        DJANGO_ALLOWED_HOSTS="example.org",
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
