from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .models import Exercise
from .validation import strip_control_characters


class NewExercisesFeed(Feed):
    feed_type = Atom1Feed
    title = "Exercise Atlas: new exercises"
    subtitle = "Exercises newly published on Exercise Atlas."

    # Absolute from settings.SITE_URL, not from the request's Host header. In
    # development without it these are paths, and Feed adds the request's host.
    def link(self):
        return settings.SITE_URL + reverse("exercises:exercise_list")

    def feed_url(self):
        return settings.SITE_URL + reverse("exercises:feed")

    def item_link(self, exercise):
        return settings.SITE_URL + exercise.get_absolute_url()

    def items(self):
        return Exercise.objects.published().order_by("-published", "name")[:20]

    # Control characters saved before they were refused would make the XML
    # writer fail: leave them out.
    def item_title(self, exercise):
        return strip_control_characters(exercise.name)

    def item_description(self, exercise):
        # Atom sends it as <summary type="html">: the plain-text summary is
        # escaped, so a reader shows "<img ...>" as text, never as markup.
        return escape(strip_control_characters(exercise.summary))

    def item_pubdate(self, exercise):
        return exercise.published

    def item_updateddate(self, exercise):
        return exercise.updated
