from functools import wraps
from urllib.parse import parse_qsl, urlencode

from csp.decorators import csp_exempt
from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    SuspiciousFileOperation,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.static import serve

from .cache import cache_for_readers
from .forms import ExerciseFilterForm, related_muscle_ids
from .markdown import render_markdown
from .models import (
    ROLE_DEFINITIONS,
    Exercise,
    ExerciseRedirect,
    Muscle,
    MuscleRedirect,
    MuscleRole,
    Role,
    Status,
)
from .seo import article_json_ld, breadcrumbs
from .uploads import save_uploaded_image

SITE_DESCRIPTION = (
    "An encyclopedia of exercises: how each movement works, which muscles do the "
    "work and in what role, and what it is good for."
)
EXERCISES_PER_PAGE = 20
EXERCISES_PER_ROLE = 20
RELATED_EXERCISES = 5
# Related exercises: a shared muscle in the same role weighs more than a shared
# muscle in another role.
SAME_ROLE_WEIGHT = 3
OTHER_ROLE_WEIGHT = 1


def visible_exercises(request):
    """Published exercises; staff also see drafts, so they can preview them."""
    if request.user.is_staff:
        return Exercise.objects.all()
    return Exercise.objects.published()


def group_by_role(rows):
    """[(role, [row, ...]), ...] in vocabulary order, target first."""
    groups = {role: [] for role in Role}
    for row in rows:
        groups[Role(row.role)].append(row)
    return [(role, members) for role, members in groups.items() if members]


@cache_for_readers
@require_safe
def home(request):
    context = {
        "groups": Muscle.objects.filter(parent=None),
        "recent": Exercise.objects.published().order_by("-published")[:6],
        "exercise_count": Exercise.objects.published().count(),
        "breadcrumbs": breadcrumbs(request),
        "description": SITE_DESCRIPTION,
    }
    return render(request, "exercises/home.html", context)


@cache_for_readers(query=ExerciseFilterForm.base_fields.keys() | {"page"})
@require_safe
def exercise_list(request):
    muscles = list(Muscle.objects.only("name", "slug", "parent_id"))
    form = ExerciseFilterForm(request.GET, muscles=muscles)
    exercises = form.filter(
        Exercise.objects.published().only("name", "slug", "summary")
    )
    page = Paginator(exercises, EXERCISES_PER_PAGE).get_page(request.GET.get("page"))
    # Links to other pages keep the search and filters: the valid ones only.
    query = urlencode({k: v for k, v in form.cleaned_data.items() if v})
    canonical = reverse("exercises:exercise_list")
    if page.number > 1:
        canonical += "?" + urlencode({**dict(parse_qsl(query)), "page": page.number})
    elif query:
        canonical += "?" + query
    context = {
        "form": form,
        "page": page,
        "active_filters": form.active_filters(),
        "query_string": query,
        "canonical_url": canonical,
        "title": "Exercises",
        "description": "Search and filter exercises by muscle, role, mechanics "
        "and equipment.",
        "breadcrumbs": breadcrumbs(
            request, ("Exercises", reverse("exercises:exercise_list"))
        ),
    }
    return render(request, "exercises/exercise_list.html", context)


def related_exercises(exercise, rows):
    """Published exercises sharing muscles with this one, most overlap first."""
    if not rows:
        return []
    same_role = Q()
    for row in rows:
        same_role |= Q(muscle_id=row.muscle_id, role=row.role)
    scores = (
        MuscleRole.objects.filter(
            muscle_id__in=[row.muscle_id for row in rows],
            exercise__status=Status.PUBLISHED,
        )
        .exclude(exercise=exercise)
        .values("exercise_id", "exercise__name", "exercise__slug")
        .annotate(
            score=Sum(
                Case(
                    When(same_role, then=Value(SAME_ROLE_WEIGHT)),
                    default=Value(OTHER_ROLE_WEIGHT),
                    output_field=IntegerField(),
                )
            )
        )
        .order_by("-score", "exercise__name")[:RELATED_EXERCISES]
    )
    return [
        {
            "name": score["exercise__name"],
            "url": reverse("exercises:exercise_detail", args=[score["exercise__slug"]]),
            "score": score["score"],
        }
        for score in scores
    ]


def redirect_from_old_slug(redirects, slug, **target_filter):
    """301 to the current address of a renamed page, or 404."""
    redirect = get_object_or_404(redirects, old_slug=slug, **target_filter)
    return HttpResponsePermanentRedirect(redirect.get_absolute_url())


@cache_for_readers
@require_safe
def exercise_detail(request, slug):
    exercises = visible_exercises(request)
    try:
        exercise = exercises.prefetch_related(
            Prefetch(
                "muscle_roles",
                queryset=MuscleRole.objects.select_related("muscle").prefetch_related(
                    "muscle__children"
                ),
            ),
            "benefits",
            "steps",
        ).get(slug=slug)
    except Exercise.DoesNotExist:
        return redirect_from_old_slug(
            ExerciseRedirect.objects.select_related("exercise"),
            slug,
            exercise__in=exercises,
        )
    roles = sorted(
        exercise.muscle_roles.all(), key=lambda r: (r.role_order, r.position)
    )
    # "Muscles targeted" names each target, and for a target group its muscles.
    targets = []
    for row in roles:
        if row.role == Role.TARGET:
            targets.extend(row.muscle.children.all() or [row.muscle])
    crumbs = breadcrumbs(
        request,
        ("Exercises", reverse("exercises:exercise_list")),
        (exercise.name, exercise.get_absolute_url()),
    )
    context = {
        "exercise": exercise,
        "targets": targets,
        "roles": roles,
        "roles_by_role": group_by_role(roles),
        "benefits": exercise.benefits.all(),
        "steps": exercise.steps.all(),
        "related": related_exercises(exercise, roles),
        "breadcrumbs": crumbs,
        "article": article_json_ld(request, exercise),
        "title": exercise.name,
        "description": exercise.summary,
        "og_type": "article",
    }
    return render(request, "exercises/exercise_detail.html", context)


@cache_for_readers
@require_safe
def muscle_list(request):
    groups = Muscle.objects.filter(parent=None).prefetch_related("children")
    context = {
        "groups": groups,
        "title": "Muscles",
        "description": "Every muscle group and muscle, with the exercises that "
        "work it, by role.",
        "breadcrumbs": breadcrumbs(
            request, ("Muscles", reverse("exercises:muscle_list"))
        ),
    }
    return render(request, "exercises/muscle_list.html", context)


@cache_for_readers
@require_safe
def muscle_detail(request, slug):
    try:
        muscle = Muscle.objects.select_related("parent").get(slug=slug)
    except Muscle.DoesNotExist:
        return redirect_from_old_slug(
            MuscleRedirect.objects.select_related("muscle"), slug
        )
    children = list(muscle.children.all())
    rows = MuscleRole.objects.filter(
        muscle_id__in=related_muscle_ids(muscle, [child.pk for child in children])
    )
    counts = dict(
        rows.filter(exercise__status=Status.PUBLISHED)
        .values_list("role")
        .annotate(n=Count("exercise", distinct=True))
    )
    # The first exercises of each role, one query a role: walking published
    # exercises in name order stops after a page, however many use the muscle.
    # The full lists are filtered views of /exercises/.
    list_url = reverse("exercises:exercise_list")
    exercises_by_role = []
    for role in Role:
        exercises = list(
            Exercise.objects.published()
            .filter(pk__in=rows.filter(role=role).values("exercise_id"))
            .only("name", "slug")[:EXERCISES_PER_ROLE]
        )
        if exercises:
            exercises_by_role.append(
                {
                    "role": role,
                    "exercises": exercises,
                    # Published since the counts were read: at least these.
                    "count": counts.get(role.value, len(exercises)),
                    "all_url": f"{list_url}?muscle={muscle.slug}&role={role.value}",
                }
            )
    trail = [("Muscles", reverse("exercises:muscle_list"))]
    if muscle.parent:
        trail.append((muscle.parent.name, muscle.parent.get_absolute_url()))
    trail.append((muscle.name, muscle.get_absolute_url()))
    context = {
        "muscle": muscle,
        "children": children,
        "title": muscle.name,
        "description": muscle_description(muscle),
        "exercises_by_role": exercises_by_role,
        "breadcrumbs": breadcrumbs(request, *trail),
    }
    return render(request, "exercises/muscle_detail.html", context)


def muscle_description(muscle):
    kind = "Muscle group" if muscle.is_group else "Muscle"
    function = f" for {muscle.function}" if muscle.function else ""
    return f"{kind}{function}: {muscle.name} and the exercises that work it, by role."


@cache_for_readers
@require_safe
def roles(request):
    definitions = [(role, ROLE_DEFINITIONS[role]) for role in Role]
    context = {
        "definitions": definitions,
        "title": "Muscle roles",
        "description": "What target, synergist, stabilizer, dynamic stabilizer "
        "and antagonist stabilizer mean.",
        "breadcrumbs": breadcrumbs(
            request, ("Muscle roles", reverse("exercises:roles"))
        ),
    }
    return render(request, "exercises/roles.html", context)


@cache_for_readers
@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def staff_only(view):
    """Editor-only endpoints answer 403 to everyone who is not active staff."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_POST
@staff_only
def markdown_preview(request):
    """The markdownx editor's live preview, through the one renderer."""
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("Missing the 'content' field.")
    return HttpResponse(render_markdown(content))


@require_POST
@staff_only
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


@require_safe
@never_cache
def healthz(request):
    """For load balancers and uptime checks: Django is up and answering."""
    return HttpResponse("ok", content_type="text/plain")


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
