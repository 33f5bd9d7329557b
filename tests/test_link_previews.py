"""og:image cards, the Article's JSON-LD and the Atom feed's author and order."""

import io
import json
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from exercises.models import Role, Status
from tests.factories import add_role, make_exercise, make_muscle

pytestmark = pytest.mark.django_db


def head_meta(html):
    head = html.split("</head>")[0]
    return dict(
        re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', head)
    )


def article(html):
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    [data] = [d for d in map(json.loads, scripts) if d["@type"] == "Article"]
    return data


def get_card(client, url):
    assert url.startswith("http://testserver/")
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    return response.content


@pytest.fixture
def hip_thrust():
    glutes = make_muscle(name="Glutes", slug="glutes")
    exercise = make_exercise(name="Hip Thrust", slug="hip-thrust")
    add_role(exercise, glutes, Role.TARGET)
    return exercise


def test_exercise_page_has_a_large_png_card_with_alt_text(client, hip_thrust):
    meta = head_meta(client.get(hip_thrust.get_absolute_url()).content.decode())

    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image:width"] == "1200" and meta["og:image:height"] == "630"
    assert "Hip Thrust" in meta["og:image:alt"]
    assert "target: Glutes" in meta["og:image:alt"]
    get_card(client, meta["og:image"])


def test_card_address_and_picture_change_when_the_page_changes(client, hip_thrust):
    url = hip_thrust.get_absolute_url()
    first_url = head_meta(client.get(url).content.decode())["og:image"]
    first = get_card(client, first_url)

    hip_thrust.summary = "A different lead, drawn on the card."
    hip_thrust.save()
    second_url = head_meta(client.get(url).content.decode())["og:image"]
    second = get_card(client, second_url)
    add_role(hip_thrust, make_muscle(name="Hamstrings", slug="hamstrings"))
    third_url = head_meta(client.get(url).content.decode())["og:image"]
    third = get_card(client, third_url)

    assert len({first_url, second_url, third_url}) == 3
    assert len({first, second, third}) == 3
    # An address shared before the change leads to the current card.
    old = client.get(first_url.removeprefix("http://testserver"))
    assert old.status_code == 302
    assert "http://testserver" + old["Location"] == third_url


def test_card_is_the_same_address_while_the_page_is_unchanged(client, hip_thrust):
    url = hip_thrust.get_absolute_url()
    first = head_meta(client.get(url).content.decode())["og:image"]
    hip_thrust.save()  # saved, but nothing drawn on the card changed
    assert head_meta(client.get(url).content.decode())["og:image"] == first
    response = client.get(first.removeprefix("http://testserver"))
    assert "immutable" in response["Cache-Control"]


def test_muscle_page_has_a_card_too(client):
    glutes = make_muscle(name="Glutes", slug="glutes", function="hip extension")
    meta = head_meta(client.get(glutes.get_absolute_url()).content.decode())
    assert meta["twitter:card"] == "summary_large_image"
    assert "Glutes" in meta["og:image:alt"]
    get_card(client, meta["og:image"])


def test_draft_and_unknown_pages_have_no_card(client):
    draft = make_exercise(slug="draft", status=Status.DRAFT)
    for name, slug in [("exercise_card", draft.slug), ("muscle_card", "no-such")]:
        url = reverse(f"exercises:{name}", args=[slug, "0123456789abcdef"])
        assert client.get(url).status_code == 404


def test_article_json_ld_has_image_author_publisher_and_licence(client, hip_thrust):
    html = client.get(hip_thrust.get_absolute_url()).content.decode()
    data = article(html)
    assert data["image"] == head_meta(html)["og:image"]
    for who in ["author", "publisher"]:
        assert data[who]["name"] == "Exercise Atlas"
        assert data[who]["url"] == "http://testserver/"
    assert data["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"


def test_atom_feed_has_an_author_and_lists_entries_by_publication_time(client):
    now = timezone.now()
    # Alphabetical order would be the reverse of publication order.
    for name, days_ago in [("Air Squat", 3), ("Bench Press", 2), ("Zercher Squat", 1)]:
        exercise = make_exercise(name=name)
        exercise.published = now - timedelta(days=days_ago)
        exercise.save()

    response = client.get(reverse("exercises:feed"))

    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ElementTree.fromstring(response.content)
    assert root.find("a:author/a:name", ns).text == "Exercise Atlas"
    assert root.find("a:author/a:uri", ns).text == "http://testserver/"
    titles = [entry.find("a:title", ns).text for entry in root.findall("a:entry", ns)]
    assert titles == ["Zercher Squat", "Bench Press", "Air Squat"]


def test_draft_page_seen_by_staff_has_no_card(staff_client):
    draft = make_exercise(slug="draft", status=Status.DRAFT)
    html = staff_client.get(draft.get_absolute_url()).content.decode()
    assert "og:image" not in html
    assert head_meta(html)["twitter:card"] == "summary"
    assert "image" not in article(html)
