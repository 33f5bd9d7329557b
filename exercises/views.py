from urllib.parse import parse_qsl, urlencode

from django.db.models import (
    Case,
    F,
    IntegerField,
    Prefetch,
    Q,
    Sum,
    Value,
    When,
)
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from . import bodymap, cards
from .cache import cache_for_readers
from .finder import Query
from .forms import ExerciseFilterForm
from .models import (
    REVIEWED_ROLES,
    SOURCE_ROLES,
    Exercise,
    ExerciseRedirect,
    ExerciseReference,
    Muscle,
    MuscleRedirect,
    MuscleRole,
    Role,
    Variation,
    VariationKind,
)
from .roles import FREE_EXERCISE_DB, ROLE_DEFINITIONS, ROLE_EXAMPLES, ROLE_SOURCE
from .seo import absolute_url, article_json_ld, breadcrumbs

SITE_DESCRIPTION = (
    "An encyclopedia of exercises: how each movement works, which muscles do the "
    "work and in what role, and what it is good for."
)
# Reviewed articles lead the home page, the list and the feed.
REVIEWED_FIRST = [F("reviewed_on").desc(nulls_last=True)]
EXERCISES_PER_PAGE = 20
EXERCISES_PER_ROLE = 20
RELATED_EXERCISES = 5
HOME_ARTICLES = 12
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


def home_articles():
    """The home page's articles: reviewed ones first, then the newest pages."""
    exercises = Exercise.objects.published().only("name", "slug", "summary")
    if exercises.filter(reviewed_on__isnull=False).exists():
        heading = "Reviewed articles"
    else:
        heading = "New exercises"
    return heading, exercises.order_by(*REVIEWED_FIRST, "-published", "name")


@cache_for_readers
@require_safe
def home(request):
    articles_heading, articles = home_articles()
    context = {
        "groups": Muscle.objects.filter(parent=None),
        "bodymap": bodymap.for_navigation(),
        "articles_heading": articles_heading,
        "articles": articles[:HOME_ARTICLES],
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
        Exercise.objects.published()
        .only("name", "slug", "summary", "reviewed_on")
        .order_by(*REVIEWED_FIRST, "name")
    )
    active_filters = form.active_filters()
    filtered = bool(active_filters)
    search = Query(form.cleaned_data.get("q", ""))
    number = request.GET.get("page")
    page = search.page(exercises, number, EXERCISES_PER_PAGE, filtered)
    # Nothing found: correct typos against our names, else suggest the closest.
    corrected, suggestions = None, []
    if search and not page.paginator.count:
        corrected = search.corrected()
        if corrected:
            page = corrected.page(exercises, number, EXERCISES_PER_PAGE, filtered)
        if not page.paginator.count:
            corrected, suggestions = None, search.suggestions()
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
        "search": search,
        "corrected": corrected,
        "suggestions": [
            (name, reverse("exercises:exercise_detail", args=[slug]))
            for name, slug in suggestions
        ],
        "active_filters": active_filters,
        # The filters are folded away unless in use or in error.
        "filters_open": bool(active_filters)
        or any(name != "q" for name in form.errors),
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


def related_exercises(exercise, rows, exclude=()):
    """Published exercises sharing muscles with this one, most overlap first.

    Those in exclude (the page's variations, listed above) are left out.
    """
    if not rows:
        return []
    same_role = Q()
    for row in rows:
        same_role |= Q(muscle_id=row.muscle_id, role=row.role)
    scores = (
        MuscleRole.objects.published()
        .filter(muscle_id__in=[row.muscle_id for row in rows])
        .exclude(exercise=exercise)
        .exclude(exercise_id__in=exclude)
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


def cited(items, numbers):
    """[(item, [reference numbers it cites]), ...]: benefits or mistakes."""
    return [
        (item, sorted(numbers[ref.pk] for ref in item.references.all()))
        for item in items
    ]


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
            "benefits__references",
            "mistakes__references",
            "steps",
            Prefetch(
                "variations_from",
                queryset=Variation.objects.select_related("to_exercise"),
            ),
            Prefetch(
                "variations_to",
                queryset=Variation.objects.select_related("from_exercise"),
            ),
            Prefetch(
                "exercise_references",
                queryset=ExerciseReference.objects.select_related("reference"),
            ),
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
    # The muscles named at the top of the section: the targets, where a
    # reviewed target group stands for its muscles; on a page not yet reviewed,
    # the source's primary muscles as the source names them (a group is not
    # spread into muscles the source never named).
    targets = []
    for row in roles:
        if row.role == Role.TARGET:
            targets.extend(row.muscle.children.all() or [row.muscle])
        elif row.role == Role.PRIMARY:
            targets.append(row.muscle)
    references = exercise.numbered_references()
    numbers = {reference.pk: number for number, reference in references}
    variations = [
        (
            kind,
            [
                page
                for page_kind, page in exercise.variation_links()
                if page_kind == kind
            ],
        )
        for kind in VariationKind
    ]
    variations = [(kind, pages) for kind, pages in variations if pages]
    variation_ids = {page.pk for _, pages in variations for page in pages}
    crumbs = breadcrumbs(
        request,
        ("Exercises", reverse("exercises:exercise_list")),
        (exercise.name, exercise.get_absolute_url()),
    )
    drawn_map = bodymap.for_roles(roles)
    # Drafts are not shared, and their cards are not served.
    preview = (
        cards.link_preview(
            request,
            "exercises:exercise_card",
            exercise.slug,
            cards.exercise_card_parts(exercise, drawn_map),
        )
        if exercise.is_published
        else {}
    )
    context = {
        "exercise": exercise,
        "targets": targets,
        "roles": roles,
        "roles_by_role": group_by_role(roles),
        "benefits": cited(exercise.benefits.all(), numbers),
        "mistakes": cited(exercise.mistakes.all(), numbers),
        "steps": exercise.steps.all(),
        "variations": variations,
        "references": references,
        "related": related_exercises(exercise, roles, exclude=variation_ids),
        "source": FREE_EXERCISE_DB if exercise.source_id else None,
        "bodymap": drawn_map,
        **preview,
        "breadcrumbs": crumbs,
        "article": article_json_ld(request, exercise, preview.get("og_image")),
        "title": exercise.name,
        "description": exercise.summary,
        "og_type": "article",
    }
    return render(request, "exercises/exercise_detail.html", context)


@cache_for_readers
@require_safe
def muscle_list(request):
    groups = Muscle.objects.filter(parent=None).prefetch_related("children__children")
    context = {
        "groups": groups,
        "bodymap": bodymap.for_navigation(),
        "title": "Muscles",
        "description": "Every muscle group, muscle and head, with the exercises "
        "that work it, by role.",
        "breadcrumbs": breadcrumbs(
            request, ("Muscles", reverse("exercises:muscle_list"))
        ),
    }
    return render(request, "exercises/muscle_list.html", context)


def exercises_by_role(rows, list_query):
    """The published exercises of some role rows, by role, for a muscle page.

    rows: MuscleRole rows of published exercises. Each role lists its first
    EXERCISES_PER_ROLE exercises by name and counts them all, each exercise
    once however many of the muscles it names; the link to the full list is
    the /exercises/ filter that finds the same exercises.
    """
    found = {}
    for role, exercise_id, name, slug in rows.order_by(
        "exercise__name", "exercise_id"
    ).values_list("role", "exercise_id", "exercise__name", "exercise__slug"):
        found.setdefault(role, {}).setdefault(exercise_id, (name, slug))
    list_url = reverse("exercises:exercise_list")
    groups = []
    for role in [*REVIEWED_ROLES, *SOURCE_ROLES]:
        if role not in found:
            continue
        pages = [
            {"name": name, "url": reverse("exercises:exercise_detail", args=[slug])}
            for name, slug in found[role].values()
        ]
        groups.append(
            {
                "role": role,
                "is_source_role": role in SOURCE_ROLES,
                "exercises": pages[:EXERCISES_PER_ROLE],
                "count": len(pages),
                "all_url": f"{list_url}?{urlencode({**list_query, 'role': role})}",
            }
        )
    return groups


@cache_for_readers
@require_safe
def muscle_detail(request, slug):
    try:
        muscle = (
            Muscle.objects.select_related("parent__parent")
            .prefetch_related("children__children")
            .get(slug=slug)
        )
    except Muscle.DoesNotExist:
        return redirect_from_old_slug(
            MuscleRedirect.objects.select_related("muscle"), slug
        )
    children = list(muscle.children.all())
    own_ids = [muscle.pk]
    for child in children:
        own_ids += [child.pk, *(grandchild.pk for grandchild in child.children.all())]
    ancestors = []
    parent = muscle.parent
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parent
    published = MuscleRole.objects.published()
    # Rows that name this muscle or its parts, then, apart, rows that name only
    # a larger whole it belongs to (the source often names just the group).
    sections = [
        {
            "muscle": muscle,
            "groups": exercises_by_role(
                published.filter(muscle_id__in=own_ids), {"muscle": muscle.slug}
            ),
        }
    ]
    if ancestors:
        for ancestor in ancestors:
            groups = exercises_by_role(
                published.filter(muscle=ancestor),
                {"muscle": ancestor.slug, "exact": "on"},
            )
            if groups:
                sections.append({"muscle": ancestor, "groups": groups})
    drawn_map = bodymap.for_muscle(muscle)
    trail = [("Muscles", reverse("exercises:muscle_list"))]
    trail += [(m.name, m.get_absolute_url()) for m in reversed(ancestors)]
    trail.append((muscle.name, muscle.get_absolute_url()))
    context = {
        "muscle": muscle,
        "level": muscle_level(muscle),
        "children": children,
        "title": muscle.name,
        "description": muscle_description(muscle),
        "own": sections[0],
        "whole": sections[1:],
        "bodymap": drawn_map,
        **cards.link_preview(
            request,
            "exercises:muscle_card",
            muscle.slug,
            cards.muscle_card_parts(muscle, drawn_map),
        ),
        "breadcrumbs": breadcrumbs(request, *trail),
    }
    return render(request, "exercises/muscle_detail.html", context)


def muscle_level(muscle):
    if muscle.parent is None:
        return "group"
    return "muscle" if muscle.parent.parent is None else "head"


def muscle_description(muscle):
    kind = {
        "group": "a muscle group",
        "muscle": f"a muscle of the {muscle.parent and muscle.parent.name} group",
        "head": f"part of the {muscle.parent and muscle.parent.name.lower()}",
    }[muscle_level(muscle)]
    function = f": {muscle.function}" if muscle.function else ""
    return f"{muscle.name}, {kind}{function}. The exercises that work it, by role."


@cache_for_readers
@require_safe
def roles(request):
    context = {
        "definitions": [
            (role, ROLE_DEFINITIONS[role], ROLE_EXAMPLES[role])
            for role in REVIEWED_ROLES
        ],
        "source_definitions": [
            (role, ROLE_DEFINITIONS[role], ROLE_EXAMPLES[role]) for role in SOURCE_ROLES
        ],
        "role_source": ROLE_SOURCE,
        "free_exercise_db": FREE_EXERCISE_DB,
        "title": "Muscle roles",
        "description": "What target, synergist, stabilizer, dynamic stabilizer "
        "and antagonist stabilizer mean, with an example of each.",
        "breadcrumbs": breadcrumbs(
            request, ("Muscle roles", reverse("exercises:roles"))
        ),
    }
    return render(request, "exercises/roles.html", context)


@cache_for_readers
@require_safe
def robots_txt(request):
    sitemap = absolute_url(request, reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /markdownx/",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
