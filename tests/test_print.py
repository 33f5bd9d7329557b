"""Printouts: the page's own address, and links in full."""

import pytest
from django.urls import reverse

from tests.factories import make_exercise

pytestmark = pytest.mark.django_db


def test_every_page_links_the_print_stylesheet_and_prints_its_address(client):
    exercise = make_exercise(slug="hip-thrust")
    html = client.get(exercise.get_absolute_url()).content.decode()
    stylesheet = reverse("exercises:print_css")
    assert f'<link rel="stylesheet" href="{stylesheet}" media="print">' in html
    assert (
        '<p class="print-address">http://testserver/exercises/hip-thrust/</p>' in html
    )


def test_print_stylesheet_prints_content_links_with_the_site_address(client):
    response = client.get(reverse("exercises:print_css"), HTTP_HOST="localhost")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    assert 'content: " (http://localhost" attr(href) ")";' in css
    assert css.startswith("@media print")
