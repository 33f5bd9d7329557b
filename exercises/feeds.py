from django.contrib.syndication.views import Feed
from django.db.models import F
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Exercise
from .seo import SITE_NAME


class NewExercisesFeed(Feed):
    feed_type = Atom1Feed
    title = "Exercise Atlas: new exercises"
    subtitle = "Exercises newly published on Exercise Atlas."
    # Atom requires an author for every entry; the feed's covers them all.
    author_name = SITE_NAME

    def get_object(self, request, *args, **kwargs):
        # Only for the absolute author link below: the feed has no object.
        return request

    def author_link(self, request):
        return request.build_absolute_uri(reverse("exercises:home"))

    def link(self):
        return reverse("exercises:exercise_list")

    def items(self):
        # Reviewed articles first, then the rest; each newest first by
        # publication time, the id breaking ties (never the name).
        return Exercise.objects.published().order_by(
            F("reviewed_on").desc(nulls_last=True), "-published", "-id"
        )[:20]

    def item_title(self, exercise):
        return exercise.name

    def item_description(self, exercise):
        return exercise.summary

    def item_pubdate(self, exercise):
        return exercise.published

    def item_updateddate(self, exercise):
        return exercise.updated
