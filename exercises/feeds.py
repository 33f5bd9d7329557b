from django.contrib.syndication.views import Feed
from django.db.models import F
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Exercise


class NewExercisesFeed(Feed):
    feed_type = Atom1Feed
    title = "Exercise Atlas: new exercises"
    subtitle = "Exercises newly published on Exercise Atlas."

    def link(self):
        return reverse("exercises:exercise_list")

    def items(self):
        # Reviewed articles first, newest review first; then new imports.
        return Exercise.objects.published().order_by(
            F("reviewed_on").desc(nulls_last=True), "-published", "name"
        )[:20]

    def item_title(self, exercise):
        return exercise.name

    def item_description(self, exercise):
        return exercise.summary

    def item_pubdate(self, exercise):
        return exercise.published

    def item_updateddate(self, exercise):
        return exercise.updated
