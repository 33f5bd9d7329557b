from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Exercise, Muscle


class SiteSitemap(Sitemap):
    """Absolute URLs from settings.SITE_URL, not from the request's Host
    header; in development without it, from the request."""

    def get_domain(self, site=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).netloc
        return super().get_domain(site)

    def get_protocol(self, protocol=None):
        if settings.SITE_URL:
            return urlsplit(settings.SITE_URL).scheme
        return super().get_protocol(protocol)


class ExerciseSitemap(SiteSitemap):
    def items(self):
        return Exercise.objects.published().only("slug", "updated").order_by("pk")

    def lastmod(self, exercise):
        return exercise.updated


class MuscleSitemap(SiteSitemap):
    def items(self):
        return Muscle.objects.only("slug", "updated").order_by("pk")

    def lastmod(self, muscle):
        return muscle.updated


class PageSitemap(SiteSitemap):
    def items(self):
        return [
            "exercises:home",
            "exercises:exercise_list",
            "exercises:muscle_list",
            "exercises:roles",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "exercises": ExerciseSitemap,
    "muscles": MuscleSitemap,
    "pages": PageSitemap,
}
