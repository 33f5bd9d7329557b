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
from datetime import UTC, date

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db.models import Max
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from .cache import bump_content_version, invalidation_batch
from .leads import generated_lead
from .markdown import markdown_problems
from .merging import merge_exercise
from .models import (
    Benefit,
    Category,
    Equipment,
    Exercise,
    ExerciseRedirect,
    ExerciseReference,
    Force,
    Level,
    Mechanics,
    Mistake,
    Muscle,
    MuscleRole,
    Reference,
    Role,
    Status,
    Step,
    Variation,
    VariationKind,
)
from .search import search_words
from .validation import control_character_problem

FORMAT = "exercise-atlas"
# Version 2 adds the review, mistakes, references (cited by benefits and
# mistakes) and variations; version 1 files still import, leaving those alone.
VERSION = 2
READS_VERSIONS = {1, 2}
FREE_DB_PREFIX = "free-exercise-db:"

# Exercise columns in our format, in the order of the model.
COLUMNS = [
    "name", "slug", "aliases", "summary",
    "mechanics", "equipment", "level", "force", "category",
    "explanation", "takeaway", "status", "published", "source_id",
    "reviewed_on", "reviewed_by",
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
OWN_KEYS = {
    *COLUMNS,
    "muscles", "benefits", "steps", "redirects", "merged",
    "mistakes", "references", "variations",
}  # fmt: skip
# Added in version 2: a record of version 1 has none of them.
VERSION_2_KEYS = {
    "reviewed_on", "reviewed_by", "mistakes", "references", "variations", "merged",
}  # fmt: skip
REFERENCE_FIELDS = ["authors", "title", "publication", "year", "doi", "pmid", "url"]
OWN_ITEM_KEYS = {
    "muscles": {"muscle", "role", "note", "position"},
    "benefits": {"title", "text", "position", "cites"},
    "steps": {"text", "position"},
    "mistakes": {"title", "text", "position", "cites"},
    "references": {*REFERENCE_FIELDS, "position"},
    "variations": {"exercise", "kind", "position"},
}
FREE_DB_REQUIRED = [
    "id", "name", "level", "category", "mechanic", "equipment",
    "primaryMuscles", "secondaryMuscles", "instructions",
]  # fmt: skip
FREE_DB_ID = re.compile(r"[0-9a-zA-Z_-]+")
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MAX_POSITION = 32767
WRITE_BATCH = 500
# In writing order: benefits and mistakes cite the references.
CHILD_MODELS = {
    "roles": MuscleRole,
    "steps": Step,
    "references": ExerciseReference,
    "benefits": Benefit,
    "mistakes": Mistake,
    "redirects": ExerciseRedirect,
    "variations": Variation,
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
# Columns a record fills on a page an editor owns, where the page has none.
FILLED_COLUMNS = ["mechanics", "equipment", "level", "force", "category"]
# Names like "3/4 Sit-Up": slugify() alone drops the slash ("34-sit-up").
FRACTION_WORDS = {"1/2": "half", "1/4": "quarter", "3/4": "three-quarter"}
FRACTION = re.compile(r"\b(\d+)/(\d+)\b")


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
    # (title, text, position, cited reference numbers); None: not the import's
    benefits: list | None
    # Columns set only when the import creates the exercise.
    new_only: dict = field(default_factory=dict)
    # Earlier slugs that redirect here, sorted; None: not the import's.
    redirects: list | None = None
    # {earlier slug: source id of the exercise merged here}; None: not the import's.
    merged: dict | None = None
    from_free_db: bool = False
    # None: not the import's (free-exercise-db, or our format's version 1).
    mistakes: list | None = None  # (title, text, position, cited numbers)
    references: list | None = None  # (*REFERENCE_FIELDS, position)
    variations: list | None = None  # (other exercise's slug, kind, position)

    def error(self, field, message):
        return RecordError(field, message).describe(self.label)


def max_length(name, model=Exercise):
    return model._meta.get_field(name).max_length


def name_key(name):
    """Names compare as search words: case, accents and a plural "s" ignored."""
    return tuple(search_words(name))


def legacy_slug(name):
    """The slug earlier imports gave a record's page."""
    return slugify(name)[: max_length("slug")]


def readable_slug(name):
    """A slug that keeps what the name says: "3/4 Sit-Up" → three-quarter-sit-up.

    Common fractions become words; any other slash separates words
    ("Adductor/Groin" → adductor-groin, "90/90 Hamstring" → 90-90-hamstring);
    "&" becomes "and". Then slugify() as before.
    """
    text = FRACTION.sub(
        lambda match: f" {FRACTION_WORDS.get(match[0], f'{match[1]} {match[2]}')} ",
        name,
    )
    text = text.replace("/", " ").replace("&", " and ")
    return slugify(text)[: max_length("slug")].strip("-")


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


def article_rows():
    """Benefits, mistakes, references and variations of every exercise.

    {kind: {exercise id: [row, ...]}} with rows as Incoming holds them; a
    citation is the cited reference's number in the exercise's list.
    """
    references, numbers = defaultdict(list), defaultdict(dict)
    for exercise_id, reference_id, position, *fields in (
        ExerciseReference.objects.order_by("exercise_id", "position", "id")
        .values_list(
            "exercise_id",
            "reference_id",
            "position",
            *(f"reference__{name}" for name in REFERENCE_FIELDS),
        )
        .iterator()
    ):
        references[exercise_id].append((*fields, position))
        numbers[exercise_id][reference_id] = len(references[exercise_id])
    rows = {"references": references}
    for kind, model in [("benefits", Benefit), ("mistakes", Mistake)]:
        cites = defaultdict(set)
        for (
            item_id,
            exercise_id,
            reference_id,
        ) in model.references.through.objects.values_list(
            f"{model._meta.model_name}_id",
            f"{model._meta.model_name}__exercise_id",
            "reference_id",
        ):
            number = numbers[exercise_id].get(reference_id)
            if number is not None:
                cites[item_id].add(number)
        rows[kind] = defaultdict(list)
        for item_id, exercise_id, title, text, position in model.objects.order_by(
            "exercise_id", "position", "id"
        ).values_list("id", "exercise_id", "title", "text", "position"):
            rows[kind][exercise_id].append(
                (title, text, position, tuple(sorted(cites[item_id])))
            )
    rows["variations"] = _grouped(
        Variation.objects.order_by("from_exercise_id", "position", "id").values_list(
            "from_exercise_id", "to_exercise__slug", "kind", "position"
        )
    )
    return rows


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
        self.by_id = {row["id"]: row for row in rows}
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
        self.articles = article_rows()
        redirects = ExerciseRedirect.objects.order_by("old_slug").values_list(
            "exercise_id", "old_slug"
        )
        self.redirect_owner = {old_slug: owner for owner, old_slug in redirects}
        # Source records of exercises merged into another: not brought back.
        self.merged = {
            source_id: self.by_id[owner]
            for owner, source_id in ExerciseRedirect.objects.exclude(
                source_id=None
            ).values_list("exercise_id", "source_id")
        }
        self.redirects = defaultdict(list)
        for owner, old_slug in redirects:
            self.redirects[owner].append(old_slug)
        self.merged_here = defaultdict(dict)
        for owner, old_slug, source_id in ExerciseRedirect.objects.exclude(
            source_id=None
        ).values_list("exercise_id", "old_slug", "source_id"):
            self.merged_here[owner][old_slug] = source_id
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
        for kind in ["benefits", "mistakes", "references", "variations"]:
            wanted = getattr(incoming, kind)
            if wanted is not None and self.articles[kind].get(row["id"], []) != wanted:
                changes.add(kind)
        if incoming.redirects is not None and (
            self.redirects.get(row["id"], []) != incoming.redirects
        ):
            changes.add("redirects")
        if (
            incoming.redirects is not None
            and incoming.merged is not None
            and self.merged_here.get(row["id"], {}) != incoming.merged
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

    def fill(self, row, record):
        """What a record adds to a page an editor owns: (columns, steps).

        Only what the page does not have yet: an empty attribute, the steps of
        a page without steps. Nothing the editor wrote is replaced.
        """
        columns = {
            key: record.fields[key]
            for key in FILLED_COLUMNS
            if not row[key] and record.fields.get(key)
        }
        steps = [] if self.steps.get(row["id"]) else record.steps
        return columns, steps

    def edited_by_hand(self, row):
        # Saving in the admin sets `updated`, then logs the change; an import
        # that writes sets `updated` later than any earlier log entry.
        last = self.last_admin_edit.get(row["id"])
        return last is not None and last >= row["updated"]


def owned_by_editors(row, record_name):
    """A page the import only fills in: reviewed, or an article it was linked to."""
    return row["reviewed_on"] is not None or is_linked_page(row, record_name)


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
        if data.get("version") not in READS_VERSIONS:
            raise ImportFailed(
                f'"version" is {data.get("version")!r}; this importer reads '
                f"versions {', '.join(map(str, sorted(READS_VERSIONS)))}."
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
    problem = control_character_problem(value)
    if problem:
        raise RecordError(key, problem)
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
    for number, text in enumerate(value, start=1):
        problem = control_character_problem(text)
        if problem:
            raise RecordError(f"{key}[{number}]", problem)
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
    # The source's own words, primary and secondary, until an editor reviews
    # the roles. A muscle listed as both stays primary only.
    targets = _free_db_muscles(record, "primaryMuscles", catalogue)
    secondary = [
        slug
        for slug in _free_db_muscles(record, "secondaryMuscles", catalogue)
        if slug not in targets
    ]
    roles = [
        (catalogue.groups[slug][0], role, "", position)
        for position, (slug, role) in enumerate(
            [(slug, Role.PRIMARY) for slug in targets]
            + [(slug, Role.SECONDARY) for slug in secondary],
            start=1,
        )
    ]
    texts = [text.strip() for text in _free_db_strings(record, "instructions")]
    steps = [
        (text, position) for position, text in enumerate(filter(None, texts), start=1)
    ]
    summary = generated_lead(
        name,
        level=level,
        category=category,
        mechanics=mechanics,
        force=force,
        equipment=equipment,
        targets=[catalogue.groups[slug][1].lower() for slug in targets],
        others=[catalogue.groups[slug][1].lower() for slug in secondary],
    )
    if publish:
        new_only = {"status": Status.PUBLISHED, "published": now}
    else:
        new_only = {"status": Status.DRAFT}
    return Incoming(
        label="",
        name=name,
        slug=readable_slug(name) or slugify(record_id),
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
        fields[key] = _string(
            record, key, required=False, blank=True, limit=max_length(key)
        )
        problems = markdown_problems(fields[key])
        if problems:
            raise RecordError(key, " ".join(problems))
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
    if "reviewed_on" in record:
        fields["reviewed_on"] = _date(record, "reviewed_on")
    if "reviewed_by" in record:
        fields["reviewed_by"] = _string(
            record, "reviewed_by", blank=True, limit=max_length("reviewed_by")
        )
    references = None
    if "references" in record:
        references = sorted(
            (
                _reference(prefix, item)
                for prefix, item in _own_items(record, "references")
            ),
            key=lambda reference: reference[-1],
        )
    seen = set()
    for number, reference in enumerate(references or [], start=1):
        source = dict(zip(REFERENCE_FIELDS, reference, strict=False))
        key = source["doi"] or source["pmid"] or (source["url"], source["title"])
        if key in seen:
            raise RecordError(f"references[{number}]", "lists a source twice")
        seen.add(key)
    benefits = _cited_items(record, "benefits", Benefit, references)
    mistakes = None
    if "mistakes" in record:
        mistakes = _cited_items(record, "mistakes", Mistake, references)
    variations = None
    if "variations" in record:
        variations = []
        for prefix, item in _own_items(record, "variations"):
            slug = _item_string(item, prefix, "exercise")
            if slug == fields["slug"] or any(v[0] == slug for v in variations):
                raise RecordError(
                    f"{prefix}.exercise", f'"{slug}" is this page, or listed twice'
                )
            kind = _item_string(item, prefix, "kind")
            if kind not in VariationKind.values:
                raise RecordError(
                    f"{prefix}.kind",
                    f'unknown value "{kind}"; expected one of '
                    f"{', '.join(VariationKind.values)}",
                )
            variations.append((slug, kind, _position(item, f"{prefix}.position")))
        variations.sort(key=lambda variation: variation[-1])
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
    merged = record.get("merged")
    if merged is not None and not (
        isinstance(merged, dict)
        and all(
            isinstance(source_id, str)
            and 0 < len(source_id) <= max_length("source_id", ExerciseRedirect)
            for source_id in merged.values()
        )
        and set(merged) <= set(redirects or [])
    ):
        raise RecordError(
            "merged",
            "must map some of the record's redirects to the source id of the "
            "exercise merged there",
        )
    # The database keeps rows in (position, id) order; compare in that order.
    return Incoming(
        label="",
        name=fields["name"],
        slug=fields["slug"],
        source_id=source_id,
        fields=fields,
        roles=sorted(roles, key=lambda role: role[-1]),
        steps=sorted(steps, key=lambda step: step[-1]),
        benefits=benefits,
        new_only=new_only,
        redirects=redirects,
        merged=merged,
        mistakes=mistakes,
        references=references,
        variations=variations,
    )


def _date(record, key):
    value = record[key]
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        pass
    raise RecordError(key, "must be a date, YYYY-MM-DD, or null")


def _reference(prefix, item):
    values = []
    for name in REFERENCE_FIELDS:
        if name == "year":
            year = item.get("year")
            if year is not None and (
                isinstance(year, bool) or not isinstance(year, int) or year < 0
            ):
                raise RecordError(f"{prefix}.year", "must be a year or null")
            values.append(year)
        else:
            values.append(
                _item_string(
                    item,
                    prefix,
                    name,
                    required=name in ("authors", "title"),
                    blank=name not in ("authors", "title"),
                    limit=max_length(name, Reference),
                )
            )
    fields = dict(zip(REFERENCE_FIELDS, values, strict=True))
    if not (fields["doi"] or fields["pmid"] or fields["url"]):
        raise RecordError(prefix, "needs a doi, a pmid or a url")
    return (*values, _position(item, f"{prefix}.position"))


def _cited_items(record, key, model, references):
    """Benefits or mistakes: (title, text, position, cited numbers), in order."""
    items = []
    for prefix, item in _own_items(record, key):
        cites = item.get("cites", [])
        if not isinstance(cites, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in cites
        ):
            raise RecordError(f"{prefix}.cites", "must be a list of reference numbers")
        if any(not 1 <= n <= len(references or []) for n in cites):
            raise RecordError(
                f"{prefix}.cites", "names a reference the record does not list"
            )
        items.append(
            (
                _item_string(item, prefix, "title", limit=max_length("title", model)),
                _item_string(item, prefix, "text"),
                _position(item, f"{prefix}.position"),
                tuple(sorted(set(cites))),
            )
        )
    return sorted(items, key=lambda item: item[2])


# Planning ----------------------------------------------------------------------


@dataclass
class Plan:
    create: list = field(default_factory=list)  # Incoming
    update: list = field(default_factory=list)  # (exercise id, Incoming, changes)
    link: list = field(default_factory=list)  # (existing exercise row, Incoming)
    unchanged: list = field(default_factory=list)  # Incoming
    skipped: list = field(default_factory=list)  # (Incoming, reason)
    errors: list = field(default_factory=list)  # messages
    # Pages editors own that a record fills in: (existing exercise row, Incoming)
    fill: list = field(default_factory=list)
    # exercise id -> (columns, steps) to add, for `link` and `fill`
    fills: dict = field(default_factory=dict)


def plan_import(incoming, catalogue):
    """Decide, for each record, what the import does; write nothing."""
    plan = Plan()
    matched = {}  # exercise id -> label of the record that matched it
    file_slugs = {record.slug: record.label for record in incoming}
    claimed = {}  # earlier slug -> label of the record that redirects it
    for record in incoming:
        if record.from_free_db and record.source_id in catalogue.merged:
            # Merged into another exercise: that page answers for it now.
            plan.unchanged.append(record)
            continue
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
                    plan.fills[page["id"]] = catalogue.fill(page, record)
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
        for source_id in (record.merged or {}).values():
            owner = catalogue.merged.get(source_id)
            if owner is not None and owner["id"] != (row and row["id"]):
                problem = f'"{source_id}" was merged into "{owner["slug"]}"'
            elif claimed.setdefault(source_id, record.label) != record.label:
                problem = f'"{source_id}" is claimed by {claimed[source_id]} too'
            if problem:
                break
        if problem:
            plan.errors.append(record.error("merged", problem))
            continue
        missing = [
            slug
            for slug, _, _ in record.variations or []
            if slug not in file_slugs and slug not in catalogue.by_slug
        ]
        if missing:
            plan.errors.append(
                record.error(
                    "variations",
                    f'"{missing[0]}" is not an exercise of the file or the atlas',
                )
            )
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
        if record.from_free_db and owned_by_editors(row, record.name):
            columns, steps = catalogue.fill(row, record)
            if columns or steps:
                plan.fill.append((row, record))
                plan.fills[row["id"]] = (columns, steps)
            else:
                plan.unchanged.append(record)
            continue
        if (
            record.from_free_db
            and row["slug"] == legacy_slug(record.name)
            and record.slug not in catalogue.taken_slugs
        ):
            # Named by an earlier import: the readable slug replaces it, and
            # the old address redirects (Exercise.save()).
            catalogue.taken_slugs.add(record.slug)
            record.fields = {**record.fields, "slug": record.slug}
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
    total = len(plan.link) + len(plan.fill) + len(plan.update) + len(plan.create)
    done = 0
    for page, record in plan.link:
        # The source id, and what the page does not have yet: its content
        # stays as written, and update() leaves `updated` alone.
        Exercise.objects.filter(pk=page["id"]).update(source_id=record.source_id)
    for page, _record in [*plan.link, *plan.fill]:
        columns, steps = plan.fills.get(page["id"], ({}, []))
        if columns:
            Exercise.objects.filter(pk=page["id"]).update(**columns)
        Step.objects.bulk_create(
            Step(exercise_id=page["id"], text=text, position=position)
            for text, position in steps
        )
    done += len(plan.link) + len(plan.fill)

    variations = []  # (exercise, record), written once every exercise exists
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
        for kind in CHILD_MODELS:
            pairs = changed_rows.get(kind)
            if not pairs:
                continue
            if kind == "variations":
                # Written last: they may name exercises created below.
                variations.extend(pairs)
                continue
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
            exercise.set_search_fields()
            exercises.append(exercise)
        # A slug that used to redirect elsewhere is now a page of its own, as
        # Exercise.save() would have it.
        ExerciseRedirect.objects.filter(
            old_slug__in=[exercise.slug for exercise in exercises]
        ).delete()
        Exercise.objects.bulk_create(exercises)
        pairs = list(zip(exercises, batch, strict=True))
        for kind in CHILD_MODELS:
            if kind == "variations":
                variations.extend(pairs)
            else:
                _create_children(kind, pairs)
        done += len(batch)
        if progress:
            progress(done, total)

    if variations:
        Variation.objects.filter(
            from_exercise__in=[exercise for exercise, _ in variations]
        ).delete()
        _create_children("variations", variations)

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
            ExerciseRedirect(
                exercise_id=exercise.pk,
                old_slug=old_slug,
                source_id=(record.merged or {}).get(old_slug),
            )
            for exercise, record in pairs
            for old_slug in record.redirects or []
        )
    elif kind == "references":
        ids = _reference_ids(
            reference[:-1]
            for _, record in pairs
            for reference in record.references or []
        )
        ExerciseReference.objects.bulk_create(
            ExerciseReference(
                exercise_id=exercise.pk,
                reference_id=ids[reference[:-1]],
                position=reference[-1],
            )
            for exercise, record in pairs
            for reference in record.references or []
        )
    elif kind == "variations":
        slugs = {slug for _, record in pairs for slug, _, _ in record.variations or []}
        ids = dict(Exercise.objects.filter(slug__in=slugs).values_list("slug", "id"))
        Variation.objects.bulk_create(
            Variation(
                from_exercise_id=exercise.pk,
                to_exercise_id=ids[slug],
                kind=kind,
                position=position,
            )
            for exercise, record in pairs
            for slug, kind, position in record.variations or []
        )
    else:
        _create_cited_items(kind, pairs)


def _reference_ids(references):
    """{reference fields: Reference id}, adding the references not there yet.

    A reference is the same source when its DOI, else its PubMed id, else its
    URL and title match; its other fields follow the file.
    """
    ids = {}
    for values in references:
        if values in ids:
            continue
        fields = dict(zip(REFERENCE_FIELDS, values, strict=True))
        if fields["doi"]:
            lookup = {"doi": fields["doi"]}
        elif fields["pmid"]:
            lookup = {"pmid": fields["pmid"]}
        else:
            lookup = {"url": fields["url"], "title": fields["title"]}
        reference, _ = Reference.objects.update_or_create(**lookup, defaults=fields)
        ids[values] = reference.pk
    return ids


def _create_cited_items(kind, pairs):
    """Benefits or mistakes, citing the exercise's references by number."""
    model = Benefit if kind == "benefits" else Mistake
    pairs = [(e, r) for e, r in pairs if getattr(r, kind) is not None]
    listed = _grouped(
        ExerciseReference.objects.filter(exercise__in=[e for e, _ in pairs])
        .order_by("exercise_id", "position", "id")
        .values_list("exercise_id", "reference_id")
    )
    items, cited = [], []
    for exercise, record in pairs:
        references = [reference_id for (reference_id,) in listed.get(exercise.pk, [])]
        for title, text, position, cites in getattr(record, kind):
            items.append(
                model(
                    exercise_id=exercise.pk, title=title, text=text, position=position
                )
            )
            cited.append([references[n - 1] for n in cites if n <= len(references)])
    model.objects.bulk_create(items)
    through = model.references.through
    owner = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        through(**{owner: item.pk, "reference_id": reference_id})
        for item, reference_ids in zip(items, cited, strict=True)
        for reference_id in reference_ids
    )


# Duplicates --------------------------------------------------------------------


def read_duplicates(data):
    """[(source id merged, source id kept), ...] from a duplicates list.

    The list (fixtures/duplicates.json) holds objects {"merge": id, "into": id}
    with free-exercise-db record ids, and may say why.
    """
    if not isinstance(data, list):
        raise ImportFailed("the duplicates list must be a JSON list")
    pairs = []
    for number, item in enumerate(data, start=1):
        if not (
            isinstance(item, dict)
            and isinstance(item.get("merge"), str)
            and isinstance(item.get("into"), str)
            and item["merge"] != item["into"]
        ):
            raise ImportFailed(
                f'duplicates entry {number}: needs "merge" and "into", two '
                "different free-exercise-db ids"
            )
        pairs.append((FREE_DB_PREFIX + item["merge"], FREE_DB_PREFIX + item["into"]))
    return pairs


def fold_duplicates(incoming, pairs):
    """Give each kept record what merging its duplicate would add.

    merge_exercise() moves the merged page's muscles (and steps, if the kept
    page has none) to the kept page; the kept record is read as if it had
    them, so that a re-import finds the kept page unchanged.
    """
    by_source_id = {
        record.source_id: record for record in incoming if record.from_free_db
    }
    for merge_id, into_id in pairs:
        merged, kept = by_source_id.get(merge_id), by_source_id.get(into_id)
        if merged is None or kept is None:
            continue
        listed = {muscle_id for muscle_id, *_ in kept.roles}
        last = max((position for *_, position in kept.roles), default=0)
        extra = [role for role in merged.roles if role[0] not in listed]
        kept.roles = kept.roles + [
            (muscle_id, role, note, last + offset)
            for offset, (muscle_id, role, note, _) in enumerate(extra, start=1)
        ]
        if not kept.steps:
            kept.steps = merged.steps


def planned_merges(pairs, catalogue, plan):
    """The pairs whose two exercises will both exist after the plan is written."""
    will_exist = set(catalogue.by_source_id)
    will_exist.update(record.source_id for record in plan.create)
    will_exist.update(record.source_id for _, record in plan.link)
    return [
        (merge_id, into_id)
        for merge_id, into_id in pairs
        if merge_id in will_exist and into_id in will_exist
    ]


def merge_duplicates(pairs):
    """Merge each pair whose two exercises exist; [(merged, kept), ...]."""
    merged = []
    for merge_id, into_id in pairs:
        source = Exercise.objects.filter(source_id=merge_id).first()
        target = Exercise.objects.filter(source_id=into_id).first()
        if source is not None and target is not None:
            merge_exercise(source, target)
            merged.append((source, target))
    return merged


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
    articles = article_rows()
    steps = _grouped(
        Step.objects.order_by("exercise_id", "position", "id").values_list(
            "exercise_id", "text", "position"
        )
    )
    redirects, merged = defaultdict(list), defaultdict(dict)
    for exercise_id, old_slug, source_id in ExerciseRedirect.objects.order_by(
        "old_slug"
    ).values_list("exercise_id", "old_slug", "source_id"):
        redirects[exercise_id].append(old_slug)
        if source_id is not None:
            merged[exercise_id][old_slug] = source_id
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
        if row["reviewed_on"] is not None:
            record["reviewed_on"] = row["reviewed_on"].isoformat()
        for kind in ["benefits", "mistakes"]:
            record[kind] = [
                {"title": title, "text": text, "position": position, "cites": [*cites]}
                for title, text, position, cites in articles[kind].get(row["id"], [])
            ]
        record["references"] = [
            {
                **dict(zip(REFERENCE_FIELDS, reference, strict=False)),
                "position": reference[-1],
            }
            for reference in articles["references"].get(row["id"], [])
        ]
        record["variations"] = [
            {"exercise": slug, "kind": kind, "position": position}
            for slug, kind, position in articles["variations"].get(row["id"], [])
        ]
        record["steps"] = [
            {"text": text, "position": position}
            for text, position in steps.get(row["id"], [])
        ]
        record["redirects"] = redirects.get(row["id"], [])
        record["merged"] = merged.get(row["id"], {})
        exercises.append(record)
    return {"format": FORMAT, "version": VERSION, "exercises": exercises}


def dumps(data):
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
