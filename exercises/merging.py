"""Merging one exercise into another: the same exercise under two names.

Everything the merged page had moves to the page it is merged into, except
what that page already has (a muscle it already lists, a benefit or mistake
of the same title, a reference it already cites, steps when it has its own).
The merged page's name becomes an alias, its slugs redirect (301), its
source record is remembered so a re-import does not bring it back, and
django-reversion keeps both pages as they were before the merge.
"""

import reversion
from django.db import transaction
from django.db.models import Max

from .cache import bump_content_version
from .models import (
    Benefit,
    Exercise,
    ExerciseRedirect,
    ExerciseReference,
    Mistake,
    MuscleRole,
    Step,
    Variation,
)
from .search import search_words


class MergeError(Exception):
    pass


def merge_comment(source, target):
    return f"Merged “{source.name}” ({source.slug}) into “{target.name}”."


def merge_exercise(source, target, *, user=None):
    """Merge source into target and delete source; return a list of what moved."""
    if source.pk == target.pk:
        raise MergeError("An exercise cannot be merged into itself.")
    aliases = merged_aliases(source, target)
    limit = Exercise._meta.get_field("aliases").max_length
    if len(aliases) > limit:
        raise MergeError(
            f"The aliases of both pages together are longer than {limit} "
            "characters; shorten them first."
        )
    with transaction.atomic():
        source = Exercise.objects.select_for_update().get(pk=source.pk)
        target = Exercise.objects.select_for_update().get(pk=target.pk)
        # A first revision keeps both pages as they were: the merged page is
        # deleted below, and reversion saves versions only of rows that exist.
        with reversion.create_revision(atomic=False):
            reversion.add_to_revision(source)
            reversion.add_to_revision(target)
            reversion.set_comment(f"Before: {merge_comment(source, target)}")
            if user is not None:
                reversion.set_user(user)
        moved = _move_rows(source, target)
        # Earlier slugs of the merged page (and of pages merged into it) keep
        # their rows; its own slug becomes one more.
        moved_redirects = source.redirects.update(exercise=target)
        remembered = None
        if source.source_id and not target.source_id:
            # The page now answers for the merged record on re-import.
            target.source_id = source.source_id
        else:
            remembered = source.source_id
        source_slug = source.slug
        source.delete()
        ExerciseRedirect.objects.create(
            exercise=target, old_slug=source_slug, source_id=remembered
        )
        target.aliases = aliases
        target.save()
        moved.append(f"{moved_redirects + 1} address(es) now redirect here")
        with reversion.create_revision(atomic=False):
            reversion.add_to_revision(target)
            reversion.set_comment(merge_comment(source, target))
            if user is not None:
                reversion.set_user(user)
        # Rows moved with update() send no signals: stale now, and again
        # once the transaction commits.
        bump_content_version()
    return moved


def merged_aliases(source, target):
    """Target's aliases, then source's name and aliases it does not have yet."""
    aliases = list(target.alias_list)
    seen = {tuple(search_words(name)) for name in [target.name, *aliases]}
    for name in [source.name, *source.alias_list]:
        key = tuple(search_words(name))
        if key and key not in seen:
            seen.add(key)
            aliases.append(name)
    return ", ".join(aliases)


def _next_position(rows):
    last = rows.aggregate(last=Max("position"))["last"]
    return 1 if last is None else last + 1


def _append(model, source, target, rows):
    """Move rows to the end of target's list, keeping their order."""
    start = _next_position(model.objects.filter(exercise=target))
    for offset, row in enumerate(rows):
        model.objects.filter(pk=row.pk).update(exercise=target, position=start + offset)
    return len(rows)


def _move_rows(source, target):
    moved = []
    has_muscle = set(target.muscle_roles.values_list("muscle_id", flat=True))
    roles = [r for r in source.muscle_roles.all() if r.muscle_id not in has_muscle]
    moved.append(f"{_append(MuscleRole, source, target, roles)} muscle role(s)")

    for model, relation in [(Benefit, "benefits"), (Mistake, "mistakes")]:
        titles = {
            t.casefold()
            for t in getattr(target, relation).values_list("title", flat=True)
        }
        rows = [
            row
            for row in getattr(source, relation).all()
            if row.title.casefold() not in titles
        ]
        moved.append(f"{_append(model, source, target, rows)} {relation}")

    if target.steps.exists():
        moved.append("no steps (this page has its own; the merged ones are in history)")
    else:
        moved.append(f"{_append(Step, source, target, list(source.steps.all()))} steps")

    cited = set(target.exercise_references.values_list("reference_id", flat=True))
    rows = [r for r in source.exercise_references.all() if r.reference_id not in cited]
    moved.append(f"{_append(ExerciseReference, source, target, rows)} reference(s)")

    linked = {target.pk}
    for variation in Variation.objects.filter(from_exercise=target):
        linked.add(variation.to_exercise_id)
    for variation in Variation.objects.filter(to_exercise=target):
        linked.add(variation.from_exercise_id)
    count = 0
    for variation in list(source.variations_from.all()):
        if variation.to_exercise_id not in linked:
            linked.add(variation.to_exercise_id)
            Variation.objects.filter(pk=variation.pk).update(from_exercise=target)
            count += 1
    for variation in list(source.variations_to.all()):
        if variation.from_exercise_id not in linked:
            linked.add(variation.from_exercise_id)
            Variation.objects.filter(pk=variation.pk).update(to_exercise=target)
            count += 1
    moved.append(f"{count} variation(s)")
    return moved
