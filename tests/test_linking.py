"""Titles, descriptions, canonical URLs, social cards, JSON-LD, sitemap, feed."""

import json
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.views.defaults import server_error

from exercises.models import Exercise, Status
from tests.factories import make_exercise

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/exercises/",
    "/exercises/?muscle=glutes",
    "/exercises/leg-kickbacks/",
    "/muscles/",
    "/muscles/glutes/",
    "/muscles/gluteus-maximus/",
    "/roles/",
]


def head_tags(html):
    head = html.split("</head>")[0]
    metas = dict(
        re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', head)
    )
    links = dict(re.findall(r'<link rel="([^"]+)"[^>]*href="([^"]+)"', head))
    title = re.search(r"<title>(.*?)</title>", head).group(1)
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head)
    return title, metas, links, [json.loads(s) for s in scripts]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_complete_linking_metadata(client, fixtures_loaded, url):
    html = client.get(url).content.decode()
    title, metas, links, json_ld = head_tags(html)
    assert title.endswith("Exercise Atlas")
    assert len(metas["description"]) > 20
    for key in ["og:title", "og:description", "og:url", "og:type", "twitter:card"]:
        assert metas[key], key
    assert links["canonical"].startswith("http://testserver/")
    assert links["alternate"] == reverse("exercises:feed")
    crumbs = [d for d in json_ld if d["@type"] == "BreadcrumbList"]
    assert len(crumbs) == 1
    # The visible breadcrumbs match the BreadcrumbList.
    nav = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    visible = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    listed = [
        (item["item"].removeprefix("http://testserver"), item["name"])
        for item in crumbs[0]["itemListElement"]
    ]
    assert visible == listed


def test_exercise_page_has_an_article_with_dates(client, fixtures_loaded):
    html = client.get("/exercises/leg-kickbacks/").content.decode()
    _, metas, links, json_ld = head_tags(html)
    [article] = [d for d in json_ld if d["@type"] == "Article"]
    assert article["headline"] == "Leg Kickbacks"
    page = Exercise.objects.get(slug="leg-kickbacks")
    assert article["datePublished"] == page.published.isoformat()
    assert article["dateModified"] == page.updated.isoformat()
    assert article["url"] == links["canonical"]
    assert metas["og:type"] == "article"
    assert links["canonical"] == "http://testserver/exercises/leg-kickbacks/"


def test_json_ld_cannot_be_closed_by_content(client, db):
    make_exercise(name="</script><script>alert(1)</script>", slug="hostile")
    html = client.get("/exercises/hostile/").content.decode()
    head = html.split("</head>")[0]
    assert "<script>alert(1)" not in head
    _, _, _, json_ld = head_tags(html)
    assert json_ld[0]["itemListElement"][-1]["name"].startswith("</script>")


def test_exercise_page_has_stable_section_anchors(client, fixtures_loaded):
    html = client.get("/exercises/leg-kickbacks/").content.decode()
    for anchor in ["explanation", "muscles", "benefits", "takeaway"]:
        assert f'<section id="{anchor}"' in html


def test_filtered_list_canonical_keeps_valid_filters_only(client, fixtures_loaded):
    html = client.get("/exercises/", {"muscle": "glutes", "junk": "1"}).content
    _, _, links, _ = head_tags(html.decode())
    assert links["canonical"] == "http://testserver/exercises/?muscle=glutes"


def test_sitemap_lists_published_pages_with_lastmod(client, fixtures_loaded):
    make_exercise(name="Draft Row", slug="draft-row", status=Status.DRAFT)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring(response.content)
    entries = {
        url.find("s:loc", ns).text: url.find("s:lastmod", ns)
        for url in root.findall("s:url", ns)
    }
    page = Exercise.objects.get(slug="leg-kickbacks")
    lastmod = entries["http://testserver/exercises/leg-kickbacks/"].text
    assert lastmod == page.updated.date().isoformat()
    assert entries["http://testserver/muscles/glutes/"] is not None
    assert "http://testserver/roles/" in entries
    assert "http://testserver/exercises/draft-row/" not in entries


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /admin/" in body


def test_atom_feed_lists_newly_published_exercises(client, fixtures_loaded):
    newer = make_exercise(name="Hip Thrust", slug="hip-thrust")
    make_exercise(name="Draft Row", slug="draft-row", status=Status.DRAFT)
    response = client.get(reverse("exercises:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ElementTree.fromstring(response.content)
    titles = [entry.find("a:title", ns).text for entry in root.findall("a:entry", ns)]
    # Reviewed articles lead (Leg Kickbacks), then the newest other pages.
    assert titles == ["Leg Kickbacks", "Hip Thrust"]
    assert newer.published is not None


def test_404_page_is_styled_and_helpful(client, db):
    response = client.get("/exercises/no-such-exercise/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "/static/css/site.css" in html
    assert 'action="/exercises/"' in html


def test_500_page_is_styled(rf):
    response = server_error(rf.get("/exercises/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "/static/css/site.css" in html
