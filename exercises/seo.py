"""Linking metadata: breadcrumbs and JSON-LD for search engines and previews."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from .roles import FREE_EXERCISE_DB

SITE_NAME = "Exercise Atlas"
# The licence of the site's text.
CONTENT_LICENSE = "https://creativecommons.org/licenses/by-sa/4.0/"


def site_url(request):
    """The scheme and host of absolute URLs: settings.SITE_URL, which
    production requires; in development, the request's."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path):
    return site_url(request) + path


def site_domain_and_protocol(request):
    parts = urlsplit(site_url(request))
    return parts.netloc, parts.scheme


def json_ld(data):
    """A JSON-LD script element; <, > and & escaped so text cannot close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def breadcrumbs(request, *trail):
    """Visible breadcrumbs and their BreadcrumbList, from (name, path) pairs."""
    items = [("Home", reverse("exercises:home")), *trail]
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute_url(request, path),
            }
            for position, (name, path) in enumerate(items, 1)
        ],
    }
    return {"items": items, "json_ld": json_ld(data)}


def article_json_ld(request, exercise, image=None):
    url = absolute_url(request, exercise.get_absolute_url())
    publisher = {
        "@type": "Organization",
        "name": SITE_NAME,
        "url": absolute_url(request, reverse("exercises:home")),
    }
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": exercise.name,
        "description": exercise.summary,
        "url": url,
        "mainEntityOfPage": url,
        "dateModified": exercise.updated.isoformat(),
        "author": publisher,
        "publisher": publisher,
        "license": CONTENT_LICENSE,
    }
    if image:
        data["image"] = image
    if exercise.published:
        data["datePublished"] = exercise.published.isoformat()
    if exercise.alias_list:
        data["alternativeHeadline"] = ", ".join(exercise.alias_list)
    if exercise.source_id:
        # The steps (and, until review, the muscles) come from the source.
        data["isBasedOn"] = {
            "@type": "Dataset",
            "name": FREE_EXERCISE_DB["name"],
            "url": FREE_EXERCISE_DB["url"],
            "license": FREE_EXERCISE_DB["licence_url"],
        }
    return json_ld(data)
