"""Uploaded files, served by Django when no front server serves them."""

from csp.decorators import csp_exempt
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

# Uploaded files get their own policy: opened directly, even a file that a
# browser takes for HTML or SVG cannot run script or load anything but itself.
MEDIA_POLICY = "default-src 'none'; img-src 'self'; sandbox"


@require_safe
@csp_exempt()
def media(request, path):
    """Uploaded files from MEDIA_ROOT, when no front server serves them."""
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation as error:
        # A path that leads out of MEDIA_ROOT is simply not there.
        raise Http404 from error
    response["Content-Security-Policy"] = MEDIA_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response
