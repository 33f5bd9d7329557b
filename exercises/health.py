"""The health check for load balancers and uptime monitors."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request):
    """For load balancers and uptime checks: Django is up and answering."""
    return HttpResponse("ok", content_type="text/plain")
