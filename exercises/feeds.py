from django.contrib.syndication.views import Feed
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
        return Exercise.objects.published().order_by("-published", "name")[:20]

    def item_title(self, exercise):
        return exercise.name

    def item_description(self, exercise):
        return exercise.summary

    def item_pubdate(self, exercise):
        return exercise.published

    def item_updateddate(self, exercise):
        return exercise.updated
