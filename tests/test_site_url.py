"""Absolute URLs come from DJANGO_SITE_URL, never from the request's Host header."""

import json
import re

import pytest
from django.urls import reverse

from tests.factories import add_role, make_exercise, make_muscle

pytestmark = pytest.mark.django_db

# A host the site answers to, reached through another port or an alias.
HOST = {"HTTP_HOST": "exercises.example:8443"}


@pytest.fixture
def site(settings):
    settings.ALLOWED_HOSTS = ["exercises.example", "alias.example"]
    settings.SITE_URL = "https://exercises.example"
    muscle = make_muscle(slug="glutes")
    exercise = make_exercise(slug="hip-thrust")
    add_role(exercise, muscle)
    return exercise


def absolute_urls(text):
    return re.findall(r"https?://[^\s\"'<>]+", text)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/exercises/",
        "/exercises/?q=thrust",
        "/exercises/hip-thrust/",
        "/muscles/glutes/",
        "/roles/",
        "/sitemap.xml",
        "/feed/",
        "/robots.txt",
    ],
)
def test_absolute_urls_use_the_configured_site_url(client, site, path):
    for host in ["exercises.example:8443", "alias.example"]:
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200
        ours = [
            url for url in absolute_urls(response.content.decode()) if "example" in url
        ]
        assert ours, "the page has absolute URLs of the site"
        for url in ours:
            assert url.startswith("https://exercises.example/"), url


def test_canonical_link_and_json_ld_ignore_the_host_header(client, site):
    page = client.get("/exercises/hip-thrust/", **HOST).content.decode()
    assert (
        '<link rel="canonical" href="https://exercises.example/exercises/hip-thrust/">'
        in page
    )
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page)
    article = next(
        data for data in map(json.loads, scripts) if data["@type"] == "Article"
    )
    assert article["url"] == "https://exercises.example/exercises/hip-thrust/"


def test_in_development_without_a_site_url_the_request_gives_the_host(client, settings):
    settings.SITE_URL = ""
    make_exercise(slug="hip-thrust")
    page = client.get(reverse("exercises:exercise_detail", args=["hip-thrust"]))
    assert '<link rel="canonical" href="http://testserver/exercises/hip-thrust/">' in (
        page.content.decode()
    )
