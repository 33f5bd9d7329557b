"""Import and export of exercise catalogues.

Two formats come in: free-exercise-db's list of records
(https://github.com/yuhonas/free-exercise-db) and our own export, an object
{"format": "exercise-atlas", "version": 1, "exercises": [...]}. Only our own
format goes out. docs/importing.md describes what an import may change.

An import runs in two passes, so that a bad file writes nothing: read_records()
checks every record and plan_import() compares them with the database, then
write_plan() writes the plan (inside the caller's transaction).
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db.models import Max
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from .cache import bump_content_version, invalidation_batch
from .models import (
    Benefit,
    Category,
    Equipment,
    Exercise,
    ExerciseRedirect,
    Force,
    Level,
    Mechanics,
    Muscle,
    MuscleRole,
    Role,
    Status,
    Step,
    search_words,
)

FORMAT = "exercise-atlas"
VERSION = 1
FREE_DB_PREFIX = "free-exercise-db:"

# Exercise columns in our format, in the order of the model.
COLUMNS = [
    "name", "slug", "aliases", "summary",
    "mechanics", "equipment", "level", "force", "category",
    "explanation", "takeaway", "status", "published", "source_id",
]  # fmt: skip
ATTRIBUTES = {
    "mechanics": Mechanics,
    "equipment": Equipment,
    "level": Level,
    "force": Force,
    "category": Category,
}
# Choices.values builds a new list on each use; these are read per record.
CHOICE_VALUES = {
    choices: frozenset(choices.values)
    for choices in [*ATTRIBUTES.values(), Status, Role]
}
OWN_KEYS = {*COLUMNS, "muscles", "benefits", "steps", "redirects"}
OWN_ITEM_KEYS = {
    "muscles": {"muscle", "role", "note", "position"},
    "benefits": {"title", "text", "position"},
    "steps": {"text", "position"},
}
FREE_DB_REQUIRED = [
    "id", "name", "level", "category", "mechanic", "equipment",
    "primaryMuscles", "secondaryMuscles", "instructions",
]  # fmt: skip
FREE_DB_ID = re.compile(r"[0-9a-zA-Z_-]+")
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MAX_POSITION = 32767
WRITE_BATCH = 500
CHILD_MODELS = {
    "roles": MuscleRole,
    "steps": Step,
    "benefits": Benefit,
    "redirects": ExerciseRedirect,
}

# For the summary sentence of a free-exercise-db record, which has none.
EQUIPMENT_WORDS = {
    Equipment.BODY_ONLY: "no equipment",
    Equipment.BANDS: "bands",
    Equipment.BARBELL: "a barbell",
    Equipment.CABLE: "a cable",
    Equipment.DUMBBELL: "a dumbbell",
    Equipment.EZ_CURL_BAR: "an E-Z curl bar",
    Equipment.EXERCISE_BALL: "an exercise ball",
    Equipment.FOAM_ROLL: "a foam roll",
    Equipment.KETTLEBELLS: "kettlebells",
    Equipment.MACHINE: "a machine",
    Equipment.MEDICINE_BALL: "a medicine ball",
}
CATEGORY_WORDS = {Category.OLYMPIC_WEIGHTLIFTING: "Olympic weightlifting"}


class ImportFailed(Exception):
    """The file as a whole cannot be read."""


class RecordError(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message

    def describe(self, label):
        if self.field is None:
            return f"{label}: {self.message}"
        return f'{label}, field "{self.field}": {self.message}'


@dataclass
class Incoming:
    """One checked record, as the values an import would write."""

    label: str
    name: str
    slug: str
    source_id: str | None
    # Exercise columns the import owns: compared and written on re-import.
    fields: dict
    roles: list  # (muscle_id, role, note, position)
    steps: list  # (text, position)
    benefits: list | None  # (title, text, position); None: not the import's
    # Columns set only when the import creates the exercise.
    new_only: dict = field(default_factory=dict)
    # Earlier slugs that redirect here, sorted; None: not the import's.
    redirects: list | None = None
    from_free_db: bool = False

    def error(self, field, message):
        return RecordError(field, message).describe(self.label)


def max_length(name, model=Exercise):
    return model._meta.get_field(name).max_length


def name_key(name):
    """Names compare as search words: case, accents and a plural "s" ignored."""
    return tuple(search_words(name))


def summary_sentence(level, category, muscle_names, equipment):
    """A plain sentence, e.g. "A beginner strength exercise for the glutes,
    done with a cable."""
    article = "An" if level[0] in "aeiou" else "A"
    category_words = CATEGORY_WORDS.get(category, category)
    sentence = f"{article} {level} {category_words} exercise"
    if muscle_names:
        sentence += " for the " + " and ".join(muscle_names)
    if equipment in EQUIPMENT_WORDS:
        sentence += ", done with " + EQUIPMENT_WORDS[equipment]
    return sentence + "."


def _grouped(rows):
    """{first column: [rest of the row, ...]} for rows ordered within each key."""
    grouped = defaultdict(list)
    for key, *rest in rows:
        grouped[key].append(tuple(rest))
    return grouped


class Catalogue:
    """What the database holds now, read in a handful of queries."""

    def __init__(self):
        self.muscles = dict(Muscle.objects.values_list("slug", "id"))
        self.groups = {
            slug: (pk, name)
            for slug, pk, name in Muscle.objects.filter(parent=None).values_list(
                "slug", "id", "name"
            )
        }
        rows = list(Exercise.objects.order_by("id").values("id", "updated", *COLUMNS))
        self.by_slug = {row["slug"]: row for row in rows}
        self.by_source_id = {row["source_id"]: row for row in rows if row["source_id"]}
        self.by_name = {}
        for row in rows:
            for key in page_name_keys(row):
                self.by_name.setdefault(key, row)
        self.taken_slugs = set(self.by_slug)
        self.taken_slugs.update(
            ExerciseRedirect.objects.values_list("old_slug", flat=True)
        )
        self.roles = _grouped(
            MuscleRole.objects.order_by("exercise_id", "position", "id").values_list(
                "exercise_id", "muscle_id", "role", "note", "position"
            )
        )
        self.steps = _grouped(
            Step.objects.order_by("exercise_id", "position", "id").values_list(
                "exercise_id", "text", "position"
            )
        )
        self.benefits = _grouped(
            Benefit.objects.order_by("exercise_id", "position", "id").values_list(
                "exercise_id", "title", "text", "position"
            )
        )
        redirects = ExerciseRedirect.objects.order_by("old_slug").values_list(
            "exercise_id", "old_slug"
        )
        self.redirect_owner = {old_slug: owner for owner, old_slug in redirects}
        self.redirects = defaultdict(list)
        for owner, old_slug in redirects:
            self.redirects[owner].append(old_slug)
        # The admin logs every add and change in its History; the importer does not.
        self.last_admin_edit = {
            int(object_id): last
            for object_id, last in LogEntry.objects.filter(
                content_type__app_label="exercises",
                content_type__model="exercise",
                action_flag__in=[ADDITION, CHANGE],
            )
            .order_by()
            .values("object_id")
            .annotate(last=Max("action_time"))
            .values_list("object_id", "last")
        }

    def unused_slug(self, slug):
        candidate, n = slug, 1
        while candidate in self.taken_slugs:
            n += 1
            candidate = f"{slug[: max_length('slug') - len(str(n)) - 1]}-{n}"
        self.taken_slugs.add(candidate)
        return candidate

    def changes(self, row, incoming):
        """Which parts of an exercise the record would change."""
        changes = set()
        if any(row[key] != value for key, value in incoming.fields.items()):
            changes.add("fields")
        if self.roles.get(row["id"], []) != incoming.roles:
            changes.add("roles")
        if self.steps.get(row["id"], []) != incoming.steps:
            changes.add("steps")
        if incoming.benefits is not None and (
            self.benefits.get(row["id"], []) != incoming.benefits
        ):
            changes.add("benefits")
        if incoming.redirects is not None and (
            self.redirects.get(row["id"], []) != incoming.redirects
        ):
            changes.add("redirects")
        return changes

    def redirect_conflict(self, exercise_id, old_slug):
        """Why an earlier slug cannot redirect to this exercise, or None."""
        page = self.by_slug.get(old_slug)
        if page is not None and page["id"] != exercise_id:
            return f'"{old_slug}" is the address of the exercise "{page["name"]}"'
        owner = self.redirect_owner.get(old_slug)
        if owner is not None and owner != exercise_id:
            return f'"{old_slug}" already redirects to another exercise'
        return None

    def edited_by_hand(self, row):
        # Saving in the admin sets `updated`, then logs the change; an import
        # that writes sets `updated` later than any earlier log entry.
        last = self.last_admin_edit.get(row["id"])
        return last is not None and last >= row["updated"]


def is_linked_page(row, record_name):
    """An existing article a free-exercise-db record was linked to by name.

    The importer names the exercises it creates after their record, so a page
    under another name that still matches the record's name is the link.
    """
    return row["name"] != record_name and name_key(record_name) in page_name_keys(row)


def page_name_keys(row):
    """The name keys of an exercise's name and aliases."""
    keys = {name_key(name) for name in [row["name"], *row["aliases"].split(",")]}
    keys.discard(())  # a name of punctuation alone matches nothing
    return keys


# Reading records ----------------------------------------------------------------


def read_records(data, catalogue, *, publish, now):
    """Check every record; return (incoming records, error messages)."""
    if isinstance(data, list):
        return _read_all(data, "id", _free_db_record, catalogue, publish, now)
    if isinstance(data, dict) and data.get("format") == FORMAT:
        if data.get("version") != VERSION:
            raise ImportFailed(
                f'"version" is {data.get("version")!r}; this importer reads '
                f"version {VERSION}."
            )
        if not isinstance(data.get("exercises"), list):
            raise ImportFailed('"exercises" must be a list of exercises.')
        return _read_all(
            data["exercises"], "slug", _own_record, catalogue, publish, now
        )
    raise ImportFailed(
        "Neither free-exercise-db's list of exercises nor an export of this site "
        f'(an object with "format": "{FORMAT}").'
    )


def _read_all(records, key_field, read_one, catalogue, publish, now):
    incoming, errors = [], []
    seen = {}  # slug or source id -> label of the record that has it
    for number, record in enumerate(records, start=1):
        label = f"record {number}"
        if isinstance(record, dict) and isinstance(record.get(key_field), str):
            label += f' ({key_field} "{record[key_field]}")'
        try:
            one = read_one(record, catalogue, publish, now)
            keys = [(key_field, one.source_id if one.from_free_db else one.slug)]
            if not one.from_free_db and one.source_id is not None:
                keys.append(("source_id", one.source_id))
            for field_name, value in keys:
                if (field_name, value) in seen:
                    raise RecordError(
                        field_name, f"same as {seen[field_name, value]}; must be unique"
                    )
            for field_name, value in keys:
                seen[field_name, value] = label
        except RecordError as error:
            errors.append(error.describe(label))
            continue
        one.label = label
        incoming.append(one)
    return incoming, errors


def _string(record, key, *, required=True, blank=False, limit=None):
    value = record.get(key)
    if not isinstance(value, str):
        if key not in record and not required:
            return ""
        raise RecordError(key, "is missing" if key not in record else "must be text")
    if not blank and not value.strip():
        raise RecordError(key, "must not be empty")
    if limit and len(value) > limit:
        raise RecordError(key, f"is longer than {limit} characters")
    return value


def _choice(value, choices, key, *, spelled=None):
    if value not in CHOICE_VALUES[choices]:
        raise RecordError(
            key,
            f'unknown value "{spelled or value}"; '
            f"expected one of {', '.join(choices.values)}",
        )
    return value


def _free_db_choice(record, key, choices, *, required=False):
    value = record.get(key)
    if value is None:
        if required:
            raise RecordError(key, "must not be null")
        return ""
    if not isinstance(value, str):
        raise RecordError(key, "must be text or null")
    # free-exercise-db spells "body only", "e-z curl bar"; we use slugs.
    return _choice(value.replace(" ", "-"), choices, key, spelled=value)


def _free_db_strings(record, key):
    value = record[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(key, "must be a list of text")
    return value


def _free_db_muscles(record, key, catalogue):
    slugs = []
    for muscle in _free_db_strings(record, key):
        slug = slugify(muscle)
        if slug not in catalogue.groups:
            raise RecordError(key, f'unknown muscle group "{muscle}"')
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def _free_db_record(record, catalogue, publish, now):
    if not isinstance(record, dict):
        raise RecordError(None, "is not a JSON object")
    for key in FREE_DB_REQUIRED:
        if key not in record:
            raise RecordError(key, "is missing")
    record_id = _string(record, "id")
    if not FREE_DB_ID.fullmatch(record_id):
        raise RecordError("id", "may hold only letters, digits, _ and -")
    source_id = FREE_DB_PREFIX + record_id
    if len(source_id) > max_length("source_id"):
        raise RecordError("id", "is too long")
    name = _string(record, "name", limit=max_length("name")).strip()
    level = _free_db_choice(record, "level", Level, required=True)
    category = _free_db_choice(record, "category", Category, required=True)
    mechanics = _free_db_choice(record, "mechanic", Mechanics)
    equipment = _free_db_choice(record, "equipment", Equipment)
    force = _free_db_choice(record, "force", Force)
    targets = _free_db_muscles(record, "primaryMuscles", catalogue)
    # A muscle listed as both primary and secondary stays a target only.
    synergists = [
        slug
        for slug in _free_db_muscles(record, "secondaryMuscles", catalogue)
        if slug not in targets
    ]
    roles = [
        (catalogue.groups[slug][0], role, "", position)
        for position, (slug, role) in enumerate(
            [(slug, Role.TARGET) for slug in targets]
            + [(slug, Role.SYNERGIST) for slug in synergists],
            start=1,
        )
    ]
    texts = [text.strip() for text in _free_db_strings(record, "instructions")]
    steps = [
        (text, position) for position, text in enumerate(filter(None, texts), start=1)
    ]
    target_names = [catalogue.groups[slug][1].lower() for slug in targets]
    summary = summary_sentence(level, category, target_names, equipment)
    if publish:
        new_only = {"status": Status.PUBLISHED, "published": now}
    else:
        new_only = {"status": Status.DRAFT}
    return Incoming(
        label="",
        name=name,
        slug=slugify(name)[: max_length("slug")] or slugify(record_id),
        source_id=source_id,
        fields={
            "name": name,
            "summary": summary,
            "mechanics": mechanics,
            "equipment": equipment,
            "level": level,
            "force": force,
            "category": category,
        },
        roles=roles,
        steps=steps,
        benefits=None,
        new_only=new_only,
        from_free_db=True,
    )


def _position(item, key):
    value = item.get("position", 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(key, "must be a whole number")
    if not 0 <= value <= MAX_POSITION:
        raise RecordError(key, f"must be between 0 and {MAX_POSITION}")
    return value


def _own_items(record, key):
    """The objects in one of a record's lists, each with its field-name prefix."""
    value = record.get(key, [])
    if not isinstance(value, list):
        raise RecordError(key, "must be a list")
    items = []
    for number, item in enumerate(value, start=1):
        prefix = f"{key}[{number}]"
        if not isinstance(item, dict):
            raise RecordError(prefix, "must be an object")
        unknown = sorted(set(item) - OWN_ITEM_KEYS[key])
        if unknown:
            raise RecordError(f"{prefix}.{unknown[0]}", "unknown field")
        items.append((prefix, item))
    return items


def _item_string(item, prefix, key, *, required=True, blank=False, limit=None):
    try:
        return _string(item, key, required=required, blank=blank, limit=limit)
    except RecordError as error:
        raise RecordError(f"{prefix}.{key}", error.message) from None


def _own_record(record, catalogue, publish, now):
    if not isinstance(record, dict):
        raise RecordError(None, "is not a JSON object")
    unknown = sorted(set(record) - OWN_KEYS)
    if unknown:
        raise RecordError(unknown[0], "unknown field")
    fields = {
        "name": _string(record, "name", limit=max_length("name")),
        "slug": _string(record, "slug", limit=max_length("slug")),
        "aliases": _string(
            record, "aliases", required=False, blank=True, limit=max_length("aliases")
        ),
        "summary": _string(record, "summary", limit=max_length("summary")),
    }
    if not SLUG.fullmatch(fields["slug"]):
        raise RecordError("slug", "may hold only letters, digits, _ and -")
    for key, choices in ATTRIBUTES.items():
        fields[key] = _string(record, key, required=False, blank=True)
        if fields[key]:
            _choice(fields[key], choices, key)
    for key in ["explanation", "takeaway"]:
        fields[key] = _string(record, key, required=False, blank=True)
    fields["status"] = _choice(record.get("status", Status.DRAFT), Status, "status")

    new_only = {}
    published = record.get("published")
    if published is None:
        if fields["status"] == Status.PUBLISHED:
            # As Exercise.save() does; an existing exercise keeps its date.
            new_only["published"] = now
        else:
            fields["published"] = None
    else:
        try:
            moment = parse_datetime(published) if isinstance(published, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise RecordError(
                "published", "must be an ISO 8601 date and time with a UTC offset"
            )
        fields["published"] = moment

    source_id = record.get("source_id")
    if source_id is not None:
        source_id = _string(record, "source_id", limit=max_length("source_id"))
    fields["source_id"] = source_id

    roles = []
    for prefix, item in _own_items(record, "muscles"):
        slug = _item_string(item, prefix, "muscle")
        if slug not in catalogue.muscles:
            raise RecordError(f"{prefix}.muscle", f'unknown muscle "{slug}"')
        muscle_id = catalogue.muscles[slug]
        if any(role[0] == muscle_id for role in roles):
            raise RecordError(f"{prefix}.muscle", f'"{slug}" is listed twice')
        role = _choice(_item_string(item, prefix, "role"), Role, f"{prefix}.role")
        note = _item_string(
            item,
            prefix,
            "note",
            required=False,
            blank=True,
            limit=max_length("note", MuscleRole),
        )
        roles.append((muscle_id, role, note, _position(item, f"{prefix}.position")))
    benefits = [
        (
            _item_string(item, prefix, "title", limit=max_length("title", Benefit)),
            _item_string(item, prefix, "text"),
            _position(item, f"{prefix}.position"),
        )
        for prefix, item in _own_items(record, "benefits")
    ]
    steps = [
        (_item_string(item, prefix, "text"), _position(item, f"{prefix}.position"))
        for prefix, item in _own_items(record, "steps")
    ]
    redirects = record.get("redirects")
    if redirects is not None:
        if not isinstance(redirects, list) or not all(
            isinstance(slug, str) and SLUG.fullmatch(slug) for slug in redirects
        ):
            raise RecordError("redirects", "must be a list of slugs")
        if len(set(redirects)) != len(redirects) or fields["slug"] in redirects:
            raise RecordError("redirects", "lists a slug twice, or the page's own")
        redirects = sorted(redirects)
    # The database keeps rows in (position, id) order; compare in that order.
    return Incoming(
        label="",
        name=fields["name"],
        slug=fields["slug"],
        source_id=source_id,
        fields=fields,
        roles=sorted(roles, key=lambda role: role[-1]),
        steps=sorted(steps, key=lambda step: step[-1]),
        benefits=sorted(benefits, key=lambda benefit: benefit[-1]),
        new_only=new_only,
        redirects=redirects,
    )


# Planning ----------------------------------------------------------------------


@dataclass
class Plan:
    create: list = field(default_factory=list)  # Incoming
    update: list = field(default_factory=list)  # (exercise id, Incoming, changes)
    link: list = field(default_factory=list)  # (existing exercise row, Incoming)
    unchanged: list = field(default_factory=list)  # Incoming
    skipped: list = field(default_factory=list)  # (Incoming, reason)
    errors: list = field(default_factory=list)  # messages


def plan_import(incoming, catalogue):
    """Decide, for each record, what the import does; write nothing."""
    plan = Plan()
    matched = {}  # exercise id -> label of the record that matched it
    file_slugs = {record.slug: record.label for record in incoming}
    claimed = {}  # earlier slug -> label of the record that redirects it
    for record in incoming:
        if record.from_free_db:
            row = catalogue.by_source_id.get(record.source_id)
        else:
            row = catalogue.by_slug.get(record.slug)
            owner = catalogue.by_source_id.get(record.source_id)
            if row and owner and owner["id"] != row["id"]:
                plan.errors.append(
                    record.error(
                        "source_id",
                        f'already belongs to the exercise "{owner["slug"]}"',
                    )
                )
                continue
            if row and row["source_id"] and row["source_id"] != record.source_id:
                # Same address, another exercise: it was imported from elsewhere.
                plan.errors.append(
                    record.error(
                        "slug",
                        f'"{record.slug}" is the exercise imported from '
                        f'"{row["source_id"]}", not this record\'s',
                    )
                )
                continue
            row = row or owner

        if row is None and record.from_free_db:
            page = catalogue.by_name.get(name_key(record.name))
            if page is not None:
                if page["source_id"] is None and page["id"] not in matched:
                    matched[page["id"]] = record.label
                    plan.link.append((page, record))
                else:
                    taken_by = page["source_id"] or matched[page["id"]]
                    plan.skipped.append(
                        (
                            record,
                            f'same name as the exercise "{page["name"]}" '
                            f"({page['slug']}), which is already linked to {taken_by}",
                        )
                    )
                continue

        problem = None
        redirected_to = catalogue.redirect_owner.get(record.slug)
        if not record.from_free_db and redirected_to not in (None, row and row["id"]):
            # As in the admin: an earlier address of another exercise is not
            # taken over without the editor being told.
            plan.errors.append(
                record.error(
                    "slug",
                    f'"{record.slug}" is an earlier address of another exercise '
                    "and still redirects there; delete that redirect first",
                )
            )
            continue
        for old_slug in record.redirects or []:
            problem = catalogue.redirect_conflict(row and row["id"], old_slug)
            if old_slug in file_slugs:
                problem = f'"{old_slug}" is the slug of {file_slugs[old_slug]}'
            elif claimed.setdefault(old_slug, record.label) != record.label:
                problem = f'"{old_slug}" is claimed by {claimed[old_slug]} too'
            if problem:
                break
        if problem:
            plan.errors.append(record.error("redirects", problem))
            continue

        if row is None:
            if record.from_free_db:
                record.slug = catalogue.unused_slug(record.slug)
            plan.create.append(record)
            continue

        if row["id"] in matched:
            plan.errors.append(
                record.error(
                    "id" if record.from_free_db else "slug",
                    f"matches the same exercise as {matched[row['id']]}",
                )
            )
            continue
        matched[row["id"]] = record.label
        if record.from_free_db and is_linked_page(row, record.name):
            plan.unchanged.append(record)
            continue
        changes = catalogue.changes(row, record)
        if not changes:
            plan.unchanged.append(record)
        elif catalogue.edited_by_hand(row):
            plan.skipped.append(
                (record, "edited by hand in the admin since its last import")
            )
        else:
            plan.update.append((row["id"], record, changes))
    return plan


# Writing -----------------------------------------------------------------------


def write_plan(plan, progress=None):
    """Write a plan. The caller runs this inside transaction.atomic()."""
    # Each save() would make cached pages stale: once is enough.
    with invalidation_batch():
        _write_plan(plan, progress)


def _write_plan(plan, progress):
    total = len(plan.link) + len(plan.update) + len(plan.create)
    done = 0
    for page, record in plan.link:
        # Only the source id: the page's content stays as written, and
        # update() leaves `updated` alone.
        Exercise.objects.filter(pk=page["id"]).update(source_id=record.source_id)
    done += len(plan.link)

    for start in range(0, len(plan.update), WRITE_BATCH):
        batch = plan.update[start : start + WRITE_BATCH]
        exercises = Exercise.objects.in_bulk(
            [exercise_id for exercise_id, _, _ in batch]
        )
        changed_rows = defaultdict(list)  # kind -> [(exercise, record), ...]
        for exercise_id, record, changes in batch:
            # save() even when only rows below it change: it sets `updated`,
            # which the hand-edit rule reads, and the search text and slug
            # redirects, as the admin does.
            exercise = exercises[exercise_id]
            for key, value in record.fields.items():
                setattr(exercise, key, value)
            exercise.save()
            for kind in changes - {"fields"}:
                changed_rows[kind].append((exercise, record))
        for kind, pairs in changed_rows.items():
            CHILD_MODELS[kind].objects.filter(
                exercise__in=[exercise for exercise, _ in pairs]
            ).delete()
            _create_children(kind, pairs)
        done += len(batch)
        if progress:
            progress(done, total)

    for start in range(0, len(plan.create), WRITE_BATCH):
        batch = plan.create[start : start + WRITE_BATCH]
        exercises = []
        for record in batch:
            exercise = Exercise(
                **{
                    **record.new_only,
                    **record.fields,
                    "slug": record.slug,
                    "source_id": record.source_id,
                }
            )
            # bulk_create() sends no pre_save signal to fill this in.
            exercise.search_text = exercise.build_search_text()
            exercises.append(exercise)
        # A slug that used to redirect elsewhere is now a page of its own, as
        # Exercise.save() would have it.
        ExerciseRedirect.objects.filter(
            old_slug__in=[exercise.slug for exercise in exercises]
        ).delete()
        Exercise.objects.bulk_create(exercises)
        pairs = list(zip(exercises, batch, strict=True))
        for kind in CHILD_MODELS:
            _create_children(kind, pairs)
        done += len(batch)
        if progress:
            progress(done, total)

    if total:
        # Bulk writes send no signals: make cached pages stale as a save would.
        bump_content_version()


def _create_children(kind, pairs):
    if kind == "roles":
        MuscleRole.objects.bulk_create(
            MuscleRole(
                exercise_id=exercise.pk,
                muscle_id=muscle_id,
                role=role,
                note=note,
                position=position,
            )
            for exercise, record in pairs
            for muscle_id, role, note, position in record.roles
        )
    elif kind == "steps":
        Step.objects.bulk_create(
            Step(exercise_id=exercise.pk, text=text, position=position)
            for exercise, record in pairs
            for text, position in record.steps
        )
    elif kind == "redirects":
        ExerciseRedirect.objects.bulk_create(
            ExerciseRedirect(exercise_id=exercise.pk, old_slug=old_slug)
            for exercise, record in pairs
            for old_slug in record.redirects or []
        )
    else:
        Benefit.objects.bulk_create(
            Benefit(exercise_id=exercise.pk, title=title, text=text, position=position)
            for exercise, record in pairs
            for title, text, position in record.benefits or []
        )


# Exporting ---------------------------------------------------------------------


def export_data():
    """Every exercise in our format, sorted by slug."""
    muscle_slugs = dict(Muscle.objects.values_list("id", "slug"))
    catalogue_rows = Exercise.objects.values("id", *COLUMNS)
    roles = _grouped(
        MuscleRole.objects.order_by("exercise_id", "position", "id").values_list(
            "exercise_id", "muscle_id", "role", "note", "position"
        )
    )
    benefits = _grouped(
        Benefit.objects.order_by("exercise_id", "position", "id").values_list(
            "exercise_id", "title", "text", "position"
        )
    )
    steps = _grouped(
        Step.objects.order_by("exercise_id", "position", "id").values_list(
            "exercise_id", "text", "position"
        )
    )
    redirects = defaultdict(list)
    for exercise_id, old_slug in ExerciseRedirect.objects.order_by(
        "old_slug"
    ).values_list("exercise_id", "old_slug"):
        redirects[exercise_id].append(old_slug)
    exercises = []
    # Sorted here, not in SQL: database collations order "-" differently.
    for row in sorted(catalogue_rows, key=lambda row: row["slug"]):
        record = {key: row[key] for key in COLUMNS}
        if row["published"] is not None:
            record["published"] = row["published"].astimezone(UTC).isoformat()
        record["muscles"] = [
            {
                "muscle": muscle_slugs[muscle_id],
                "role": role,
                "note": note,
                "position": position,
            }
            for muscle_id, role, note, position in roles.get(row["id"], [])
        ]
        record["benefits"] = [
            {"title": title, "text": text, "position": position}
            for title, text, position in benefits.get(row["id"], [])
        ]
        record["steps"] = [
            {"text": text, "position": position}
            for text, position in steps.get(row["id"], [])
        ]
        record["redirects"] = redirects.get(row["id"], [])
        exercises.append(record)
    return {"format": FORMAT, "version": VERSION, "exercises": exercises}


def dumps(data):
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
