from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Exercise, Muscle


class ExerciseSitemap(Sitemap):
    def items(self):
        return Exercise.objects.published().only("slug", "updated").order_by("pk")

    def lastmod(self, exercise):
        return exercise.updated


class MuscleSitemap(Sitemap):
    def items(self):
        return Muscle.objects.only("slug", "updated").order_by("pk")

    def lastmod(self, muscle):
        return muscle.updated


class PageSitemap(Sitemap):
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
