from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .models import Exercise
from .seo import SITE_NAME, absolute_url
from .validation import strip_control_characters


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
        return absolute_url(request, reverse("exercises:home"))

    # Absolute from settings.SITE_URL, not from the request's Host header. In
    # development without it these are paths, and Feed adds the request's host.
    def link(self):
        return settings.SITE_URL + reverse("exercises:exercise_list")

    def feed_url(self):
        return settings.SITE_URL + reverse("exercises:feed")

    def item_link(self, exercise):
        return settings.SITE_URL + exercise.get_absolute_url()

    def items(self):
        # Reviewed articles first, then the rest; each newest first by
        # publication time, the id breaking ties (never the name).
        return Exercise.objects.published().order_by(
            F("reviewed_on").desc(nulls_last=True), "-published", "-id"
        )[:20]

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
