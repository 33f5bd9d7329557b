"""The markdownx editor's endpoints, for staff only: live preview and image upload.

Our own views, not markdownx's, which answer anyone (config/urls.py).
"""

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import format_html_join
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .markdown import markdown_problems, render_markdown
from .models import Exercise, Muscle
from .uploads import save_uploaded_image

# The longest Markdown field: the preview does not know which field it shows.
MARKDOWN_PREVIEW_MAX_LENGTH = max(
    field.max_length
    for field in [
        Exercise._meta.get_field("explanation"),
        Exercise._meta.get_field("takeaway"),
        Muscle._meta.get_field("description"),
    ]
)


def staff_only(view):
    """Editor-only endpoints answer 403 to everyone who is not active staff."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# Room for the multipart boundaries and headers around the file.
UPLOAD_REQUEST_OVERHEAD = 64 * 1024


def refuse_bodies_over(max_bytes, too_large):
    """Answer too_large() to a request whose Content-Length is over max_bytes(),
    before anything reads its body. The front server should refuse it first
    (docs/deploy.md); Django itself refuses only urlencoded bodies unread.

    The CSRF check reads the body (for the form's token), so a view with this
    is csrf_exempt and checks CSRF itself, after: see the views below.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return HttpResponseBadRequest("Invalid Content-Length.")
            if length > max_bytes():
                return too_large()
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def upload_too_large():
    limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    return JsonResponse({"image": [f"The file is larger than {limit} MB."]}, status=413)


def preview_too_large():
    return HttpResponse(
        '<p class="errornote">The text is too long to preview.</p>', status=413
    )


@csrf_exempt
@require_POST
@staff_only
@refuse_bodies_over(lambda: settings.DATA_UPLOAD_MAX_MEMORY_SIZE, preview_too_large)
@csrf_protect
def markdown_preview(request):
    """The markdownx editor's live preview, through the one renderer."""
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("Missing the 'content' field.")
    # The widget shows whatever comes back, so a refusal says why, in the pane.
    problems = (
        [f"The text is longer than {MARKDOWN_PREVIEW_MAX_LENGTH} characters."]
        if len(content) > MARKDOWN_PREVIEW_MAX_LENGTH
        else markdown_problems(content)
    )
    if problems:
        return HttpResponseBadRequest(
            format_html_join(
                "", '<p class="errornote">{}</p>', [(p,) for p in problems]
            )
        )
    return HttpResponse(render_markdown(content))


@csrf_exempt
@require_POST
@staff_only
@refuse_bodies_over(
    lambda: settings.UPLOAD_MAX_BYTES + UPLOAD_REQUEST_OVERHEAD, upload_too_large
)
@csrf_protect
def markdown_upload(request):
    """Image upload from the markdownx editor; answers the Markdown to insert."""
    uploaded = request.FILES.get("image")
    if uploaded is None:
        return JsonResponse({"image": ["Choose an image file to upload."]}, status=400)
    try:
        url = save_uploaded_image(uploaded)
    except ValidationError as error:
        return JsonResponse({"image": error.messages}, status=400)
    return JsonResponse({"image_code": f"![]({url})"})
