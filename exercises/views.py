from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from .markdown import render_markdown
from .models import ROLE_DEFINITIONS, Exercise, Muscle, MuscleRole, Role, Status
from .uploads import save_uploaded_image

EXERCISES_PER_PAGE = 50


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


@require_GET
def home(request):
    context = {
        "groups": Muscle.objects.filter(parent=None),
        "recent": Exercise.objects.published().order_by("-published")[:6],
        "exercise_count": Exercise.objects.published().count(),
    }
    return render(request, "exercises/home.html", context)


@require_GET
def exercise_list(request):
    exercises = Exercise.objects.published().only("name", "slug", "summary")
    page = Paginator(exercises, EXERCISES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exercises/exercise_list.html", {"page": page})


@require_GET
def exercise_detail(request, slug):
    exercise = get_object_or_404(
        visible_exercises(request).prefetch_related(
            Prefetch(
                "muscle_roles",
                queryset=MuscleRole.objects.select_related("muscle").prefetch_related(
                    "muscle__children"
                ),
            ),
            "benefits",
            "steps",
        ),
        slug=slug,
    )
    roles = sorted(
        exercise.muscle_roles.all(), key=lambda r: (r.role_order, r.position)
    )
    # "Muscles targeted" names each target, and for a target group its muscles.
    targets = []
    for row in roles:
        if row.role == Role.TARGET:
            targets.extend(row.muscle.children.all() or [row.muscle])
    context = {
        "exercise": exercise,
        "targets": targets,
        "roles": roles,
        "roles_by_role": group_by_role(roles),
        "benefits": exercise.benefits.all(),
        "steps": exercise.steps.all(),
    }
    return render(request, "exercises/exercise_detail.html", context)


@require_GET
def muscle_list(request):
    groups = Muscle.objects.filter(parent=None).prefetch_related("children")
    return render(request, "exercises/muscle_list.html", {"groups": groups})


@require_GET
def muscle_detail(request, slug):
    muscle = get_object_or_404(
        Muscle.objects.select_related("parent").prefetch_related("children"), slug=slug
    )
    children = list(muscle.children.all())
    # A group's page lists the exercises of its muscles too; a muscle's page
    # lists the exercises that work its whole group.
    related = Q(muscle=muscle) | Q(muscle__parent=muscle)
    if muscle.parent_id:
        related |= Q(muscle_id=muscle.parent_id)
    rows = (
        MuscleRole.objects.filter(related, exercise__status=Status.PUBLISHED)
        .select_related("exercise", "muscle")
        .order_by("exercise__name", "muscle__name")
    )
    seen = set()
    unique_rows = []
    for row in rows:
        if (row.role, row.exercise_id) not in seen:
            seen.add((row.role, row.exercise_id))
            unique_rows.append(row)
    context = {
        "muscle": muscle,
        "children": children,
        "exercises_by_role": group_by_role(unique_rows),
    }
    return render(request, "exercises/muscle_detail.html", context)


@require_GET
def roles(request):
    definitions = [(role, ROLE_DEFINITIONS[role]) for role in Role]
    return render(request, "exercises/roles.html", {"definitions": definitions})


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
