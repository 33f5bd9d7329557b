"""The print stylesheet that needs the site's address: links printed in full."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from .cache import cache_for_readers
from .seo import absolute_url


@cache_for_readers
@require_safe
def print_stylesheet(request):
    """Prints each link in the page's content after it, as an absolute URL.

    A static stylesheet can print only the href as written (a path); CSS cannot
    join it to the site's address unless given the address as a string.
    """
    origin = absolute_url(request, reverse("exercises:home")).rstrip("/")
    origin = origin.replace("\\", "\\\\").replace('"', '\\"')
    css = (
        "@media print {\n"
        '  main a[href^="/"]:not(.role)::after {\n'
        f'    content: " ({origin}" attr(href) ")";\n'
        "  }\n"
        "}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")
