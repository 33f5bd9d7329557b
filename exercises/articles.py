"""Articles kept as text files (fixtures/articles/<slug>.md) and their loader.

A file is TOML front matter between two `+++` lines, then the explanation in
Markdown. Every file is checked before anything is written; the load is one
transaction, writes nothing that is already so, and never overwrites a page an
editor has changed in the admin since the loader (or the importer) last wrote
it: the importer's "editor wins" rule.
"""

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from .cache import invalidation_batch
from .importing import FREE_DB_PREFIX
from .models import (
    INVERSE_KIND,
    REVIEWED_ROLES,
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
    Status,
    Step,
    Variation,
    VariationKind,
)
from .validation import text_problems

ARTICLES_DIR = settings.BASE_DIR / "fixtures" / "articles"
DELIMITER = "+++"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
PMID = re.compile(r"^[1-9]\d{0,8}$")
URL = re.compile(r"^https?://[^\s<>]+$")

ATTRIBUTES = {
    "mechanics": Mechanics,
    "equipment": Equipment,
    "level": Level,
    "force": Force,
    "category": Category,
}
TOP_KEYS = {
    "name",
    "slug",
    "source_id",
    "aliases",
    "lead",
    *ATTRIBUTES,
    "reviewed_on",
    "reviewed_by",
    "steps",
    "takeaway",
    "roles",
    "benefits",
    "mistakes",
    "variations",
    "references",
}
TABLE_KEYS = {
    "roles": {"muscle", "role", "note"},
    "benefits": {"title", "text", "cites"},
    "mistakes": {"title", "text", "cites"},
    "variations": {"kind", "slug"},
    "references": {"authors", "title", "publication", "year", "doi", "pmid", "url"},
}
REFERENCE_FIELDS = ["authors", "title", "publication", "year", "doi", "pmid", "url"]


class ArticleErrors(Exception):
    """Files that failed their checks: [(file name, field, message), ...]."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(f"{f}: {field}: {msg}" for f, field, msg in errors))


@dataclass
class Article:
    path: Path
    data: dict
    body: str
    errors: list = field(default_factory=list)

    @property
    def file(self):
        return self.path.name

    @property
    def slug(self):
        return self.data.get("slug")

    def error(self, field_name, message):
        self.errors.append((self.file, field_name, message))


# Reading and checking -----------------------------------------------------------


def article_paths(slugs=None, directory=None):
    directory = Path(directory or ARTICLES_DIR)
    if slugs:
        return [directory / f"{slug}.md" for slug in slugs]
    return sorted(directory.glob("*.md"))


def read_article(path):
    """Split and parse one file; a file that cannot be parsed has errors set."""
    article = Article(path=Path(path), data={}, body="")
    try:
        text = article.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        article.error("file", f"cannot be read ({error})")
        return article
    lines = text.splitlines()
    if not lines or lines[0].strip() != DELIMITER:
        article.error("front matter", f"the file must start with a {DELIMITER} line")
        return article
    try:
        end = next(
            i for i, line in enumerate(lines[1:], 1) if line.strip() == DELIMITER
        )
    except StopIteration:
        article.error("front matter", f"no closing {DELIMITER} line")
        return article
    try:
        article.data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        article.error("front matter", f"not valid TOML: {error}")
        return article
    article.body = "\n".join(lines[end + 1 :]).strip()
    return article


def check_article(article, *, muscles, page_slugs):
    """Add to article.errors everything wrong with one parsed article.

    muscles: the muscle slugs in the database; page_slugs: the slugs a
    variation may point to (the articles being loaded, existing exercises).
    """
    data = article.data
    for key in sorted(set(data) - TOP_KEYS):
        article.error(key, "unknown field")
    check_text(article, data, "name", 150)
    slug = check_text(article, data, "slug", 150)
    if slug and not SLUG.match(slug):
        article.error("slug", f"{slug!r} is not a slug (a-z, 0-9 and hyphens)")
    elif slug and slug != article.path.stem:
        article.error("slug", f"{slug!r} differs from the file name")
    check_text(article, data, "lead", 300)
    check_text(article, data, "source_id", 100, required=False)
    check_text(article, data, "reviewed_by", 100, required=False)
    check_text(article, data, "takeaway", None, required=False)
    for name, choices in ATTRIBUTES.items():
        if name in data and data[name] not in choices.values:
            article.error(name, f"{data[name]!r} is not one of {choices.values}")
    if not isinstance(data.get("reviewed_on"), date):
        article.error("reviewed_on", "required, a date such as 2026-12-01")
    for name in ("aliases", "steps"):
        value = data.get(name, [])
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            article.error(name, "must be a list of non-empty strings")
    if not article.body:
        article.error("body", "the explanation after the front matter is empty")
    elif re.search(r"^# ", article.body, re.M):
        article.error("body", "headings start at ##")

    tables = {}
    for name, keys in TABLE_KEYS.items():
        rows = data.get(name, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            article.error(name, f"must be [[{name}]] tables")
            rows = []
        for i, row in enumerate(rows, 1):
            for key in sorted(set(row) - keys):
                article.error(f"{name}[{i}].{key}", "unknown field")
        tables[name] = rows

    seen_muscles = set()
    for i, row in enumerate(tables["roles"], 1):
        muscle, role = row.get("muscle"), row.get("role")
        if muscle not in muscles:
            article.error(f"roles[{i}].muscle", f"unknown muscle {muscle!r}")
        elif muscle in seen_muscles:
            article.error(f"roles[{i}].muscle", f"{muscle!r} is listed twice")
        seen_muscles.add(muscle)
        if role not in REVIEWED_ROLES:
            article.error(
                f"roles[{i}].role",
                f"unknown role {role!r}; use one of "
                + ", ".join(r.value for r in REVIEWED_ROLES),
            )
        check_text(article, row, "note", 100, required=False, label=f"roles[{i}].note")

    references = tables["references"]
    for name in ("benefits", "mistakes"):
        for i, row in enumerate(tables[name], 1):
            check_text(article, row, "title", 120, label=f"{name}[{i}].title")
            check_text(article, row, "text", None, label=f"{name}[{i}].text")
            cites = row.get("cites", [])
            if not isinstance(cites, list) or not all(
                isinstance(n, int) and 1 <= n <= len(references) for n in cites
            ):
                article.error(
                    f"{name}[{i}].cites",
                    f"{cites!r}: each citation is a number from 1 to "
                    f"{len(references)}, the position in [[references]]",
                )

    for i, row in enumerate(tables["variations"], 1):
        if row.get("kind") not in VariationKind.values:
            article.error(
                f"variations[{i}].kind",
                f"{row.get('kind')!r} is not one of {VariationKind.values}",
            )
        target = row.get("slug")
        if target == slug:
            article.error(
                f"variations[{i}].slug", "an exercise is not its own variation"
            )
        elif target not in page_slugs:
            article.error(
                f"variations[{i}].slug",
                f"no article or exercise has the slug {target!r}",
            )

    for i, row in enumerate(references, 1):
        check_reference(article, row, f"references[{i}]")
    check_stored_text(article, tables)
    return article


# Where each text of an article is stored: the same checks as the admin's
# (control characters, length, Markdown the renderer would be slow on).
TEXT_FIELDS = {
    "name": Exercise._meta.get_field("name"),
    "lead": Exercise._meta.get_field("summary"),
    "takeaway": Exercise._meta.get_field("takeaway"),
    "reviewed_by": Exercise._meta.get_field("reviewed_by"),
}
TABLE_TEXT_FIELDS = {
    "roles": {"note": MuscleRole._meta.get_field("note")},
    "benefits": {key: Benefit._meta.get_field(key) for key in ("title", "text")},
    "mistakes": {key: Mistake._meta.get_field(key) for key in ("title", "text")},
    "references": {
        key: Reference._meta.get_field(key)
        for key in ("authors", "title", "publication")
    },
}


def check_stored_text(article, tables):
    def check(label, model_field, value):
        if isinstance(value, str):
            for problem in text_problems(model_field, value):
                article.error(label, problem)

    data = article.data
    for key, model_field in TEXT_FIELDS.items():
        check(key, model_field, data.get(key))
    check("body", Exercise._meta.get_field("explanation"), article.body)
    for i, text in enumerate(data.get("steps", []), 1):
        check(f"steps[{i}]", Step._meta.get_field("text"), text)
    for name, fields in TABLE_TEXT_FIELDS.items():
        for i, row in enumerate(tables.get(name, []), 1):
            for key, model_field in fields.items():
                check(f"{name}[{i}].{key}", model_field, row.get(key))


def check_text(article, data, key, max_length, *, required=True, label=None):
    label = label or key
    value = data.get(key)
    if value is None:
        if required:
            article.error(label, "required")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        article.error(label, "must be a non-empty string")
        return None
    if "<" in value and ">" in value and re.search(r"<[a-z ]+>", value):
        article.error(label, f"looks like a placeholder: {value!r}")
    if max_length and len(value) > max_length:
        article.error(label, f"{len(value)} characters; at most {max_length}")
    return value


def check_reference(article, row, label):
    for key in ("authors", "title"):
        check_text(article, row, key, 500, label=f"{label}.{key}")
    check_text(
        article, row, "publication", 300, required=False, label=f"{label}.publication"
    )
    year = row.get("year")
    if year is not None and not (
        isinstance(year, int) and 1800 <= year <= date.today().year
    ):
        article.error(f"{label}.year", f"{year!r} is not a year")
    locators = {key: row.get(key) for key in ("doi", "pmid", "url") if row.get(key)}
    if not locators:
        article.error(label, "give at least one of doi, pmid or url")
    patterns = {"doi": DOI, "pmid": PMID, "url": URL}
    for key, value in locators.items():
        if not isinstance(value, str) or not patterns[key].match(value):
            article.error(f"{label}.{key}", f"{value!r} is not a valid {key}")


def check_variation_pairs(articles):
    """Two articles that list each other must agree (easier here is harder there)."""
    declared = {}
    for article in articles:
        for i, row in enumerate(article.data.get("variations", []), 1):
            declared[(article.slug, row.get("slug"))] = (article, i, row.get("kind"))
    kinds = VariationKind.values
    for (here, there), (article, i, kind) in declared.items():
        other = declared.get((there, here))
        if not (other and kind in kinds and other[2] in kinds):
            continue
        expected = INVERSE_KIND[VariationKind(kind)]
        if other[2] != expected:
            article.error(
                f"variations[{i}].kind",
                f"{kind!r} for {there!r}, but {other[0].file} lists this page "
                f"as {other[2]!r} (expected {expected.value!r})",
            )


def read_and_check(paths, *, skip_missing_variations=False):
    """Parse and check every file; (articles, warnings) or ArticleErrors.

    A variation to the old address of a renamed or merged page is pointed at
    the page itself, with a warning to update the file. With
    skip_missing_variations, a variation whose page is not in the database is
    left out with a warning instead of failing the file (for a database
    without the imported catalogue).
    """
    articles = [read_article(path) for path in paths]
    muscles = set(Muscle.objects.values_list("slug", flat=True))
    page_slugs = set(Exercise.objects.values_list("slug", flat=True))
    page_slugs.update(a.slug for a in articles if isinstance(a.slug, str))
    moved = dict(ExerciseRedirect.objects.values_list("old_slug", "exercise__slug"))
    warnings = []
    for article in articles:
        rows = article.data.get("variations", [])
        if not isinstance(rows, list):
            continue
        kept = []
        for i, row in enumerate(rows, 1):
            target = row.get("slug") if isinstance(row, dict) else None
            if target not in page_slugs and target in moved:
                warnings.append(
                    f"{article.file}: variations[{i}].slug: {target!r} redirects to "
                    f"{moved[target]!r}; linked there (update the file)"
                )
                row = {**row, "slug": moved[target]}
            elif target not in page_slugs and skip_missing_variations:
                warnings.append(
                    f"{article.file}: variations[{i}].slug: no page {target!r} in "
                    "the database; left out"
                )
                continue
            kept.append(row)
        article.data["variations"] = kept
    slugs = {}
    for article in articles:
        if not article.errors:
            check_article(article, muscles=muscles, page_slugs=page_slugs)
        if isinstance(article.slug, str):
            slugs.setdefault(article.slug, []).append(article.file)
    check_variation_pairs([a for a in articles if not a.errors])
    errors = [error for article in articles for error in article.errors]
    errors += [
        (files[1], "slug", f"{slug!r} is also the slug of {files[0]}")
        for slug, files in slugs.items()
        if len(files) > 1
    ]
    if errors:
        raise ArticleErrors(errors)
    return articles, warnings


# Writing ------------------------------------------------------------------------


def last_admin_edits(exercise_ids):
    """{exercise id: time of its last add or change in the admin}."""
    return {
        int(object_id): last
        for object_id, last in LogEntry.objects.filter(
            content_type__app_label="exercises",
            content_type__model="exercise",
            action_flag__in=[ADDITION, CHANGE],
            object_id__in=[str(pk) for pk in exercise_ids],
        )
        .order_by()
        .values("object_id")
        .annotate(last=Max("action_time"))
        .values_list("object_id", "last")
    }


def stored_source_id(article):
    """The article's free-exercise-db id as the importer stores it."""
    source_id = article.data.get("source_id")
    return f"{FREE_DB_PREFIX}{source_id}" if source_id else None


def find_page(article):
    """The exercise an article writes: its source record's, else its slug's."""
    source_id = stored_source_id(article)
    if source_id:
        page = Exercise.objects.filter(source_id=source_id).first()
        if page:
            return page
    page = Exercise.objects.filter(slug=article.slug).first()
    if page:
        return page
    redirect = ExerciseRedirect.objects.filter(old_slug=article.slug).first()
    return redirect.exercise if redirect else None


def page_fields(article, page):
    data = article.data
    fields = {
        "name": data["name"],
        "slug": data["slug"],
        "aliases": ", ".join(data.get("aliases", [])),
        "summary": data["lead"],
        "explanation": article.body,
        "takeaway": data.get("takeaway", ""),
        "reviewed_on": data["reviewed_on"],
        "reviewed_by": data.get("reviewed_by", ""),
        "status": Status.PUBLISHED,
    }
    if data.get("source_id"):
        fields["source_id"] = stored_source_id(article)
    # An attribute the file leaves out keeps what the page has (from its
    # imported record, say).
    for name in ATTRIBUTES:
        fields[name] = data.get(name, getattr(page, name) if page else "")
    return fields


def reference_row(row):
    return {
        key: row.get(key) or ("" if key != "year" else None) for key in REFERENCE_FIELDS
    }


def find_reference(row):
    for key in ("doi", "pmid"):
        if row.get(key):
            found = Reference.objects.filter(**{key: row[key]}).first()
            if found:
                return found
    if row.get("url"):
        return Reference.objects.filter(url=row["url"], title=row["title"]).first()
    return None


def wanted_state(article, page):
    """What the page should hold, in the terms state() reads it back."""
    data = article.data
    # A reference not stored yet is None: the page cannot hold it already.
    refs = [
        getattr(find_reference(row), "pk", None) for row in data.get("references", [])
    ]

    def cited(rows):
        return [
            (
                row["title"],
                row["text"],
                sorted(refs[n - 1] or 0 for n in row.get("cites", [])),
            )
            for row in rows
        ]

    steps = data.get("steps")
    return {
        "fields": page_fields(article, page),
        "roles": [
            (row["muscle"], row["role"], row.get("note", ""))
            for row in data.get("roles", [])
        ],
        "steps": steps if steps is not None else (state_steps(page) if page else []),
        "benefits": cited(data.get("benefits", [])),
        "mistakes": cited(data.get("mistakes", [])),
        "references": refs,
        "variations": own_variations(article, page),
    }


def own_variations(article, page):
    """(kind, slug) rows stored on this page: those not already stored the
    other way round on the other page, which shows them on both."""
    rows = []
    for row in article.data.get("variations", []):
        if (
            page is not None
            and Variation.objects.filter(
                from_exercise__slug=row["slug"], to_exercise=page
            ).exists()
        ):
            continue
        rows.append((row["kind"], row["slug"]))
    return rows


def state_steps(page):
    return list(page.steps.order_by("position", "id").values_list("text", flat=True))


def state(page, field_names):
    """What the page holds now, comparable with wanted_state()."""
    fields = {name: getattr(page, name) for name in field_names}

    def cited(items):
        return [
            (item.title, item.text, sorted(r.pk for r in item.references.all()))
            for item in items.order_by("position", "id").prefetch_related("references")
        ]

    return {
        "fields": fields,
        "roles": list(
            page.muscle_roles.order_by("position", "id").values_list(
                "muscle__slug", "role", "note"
            )
        ),
        "steps": state_steps(page),
        "benefits": cited(page.benefits),
        "mistakes": cited(page.mistakes),
        "references": list(
            page.exercise_references.order_by("position", "id").values_list(
                "reference_id", flat=True
            )
        ),
        "variations": list(
            page.variations_from.order_by("position", "id").values_list(
                "kind", "to_exercise__slug"
            )
        ),
    }


@dataclass
class Report:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def load(paths, *, skip_missing_variations=False, take_back=()):
    """Check every file, then write them all in one transaction; a Report.

    Raises ArticleErrors (nothing written) if a file is wrong. Pages changed
    in the admin are left alone, except those whose slug is in take_back.
    """
    report = Report()
    # Each save() would make cached pages stale: once is enough.
    with transaction.atomic(), invalidation_batch():
        articles, report.warnings = read_and_check(
            paths, skip_missing_variations=skip_missing_variations
        )
        pages = {article.slug: find_page(article) for article in articles}
        edited = last_admin_edits([p.pk for p in pages.values() if p])
        errors = []
        written = []
        # First the pages and what hangs only on them; variations once every
        # page exists, since articles point at each other.
        for article in articles:
            page = pages[article.slug]
            if (
                page
                and page.pk in edited
                and edited[page.pk] >= page.updated
                and article.slug not in take_back
            ):
                report.skipped.append(article.slug)
                continue
            wanted = wanted_state(article, page)
            if page and state(page, wanted["fields"]) == wanted:
                report.unchanged.append(article.slug)
                continue
            try:
                page = write_page(article, page, wanted, report)
            except ValidationError as error:
                errors += [(article.file, "slug", m) for m in error.messages]
                continue
            pages[article.slug] = page
            written.append((article, page))
        if errors:
            raise ArticleErrors(errors)
        for article, page in written:
            write_variations(article, page)
    return report


def write_page(article, page, wanted, report):
    created = page is None
    page = page or Exercise()
    for name, value in wanted["fields"].items():
        setattr(page, name, value)
    taken = Exercise.objects.filter(slug=page.slug).exclude(pk=page.pk).first()
    if taken:
        raise ValidationError(
            f"{page.slug!r} is the slug of another page, {taken.name!r}"
        )
    page.clean()
    page.save()
    (report.created if created else report.updated).append(article.slug)

    page.muscle_roles.all().delete()
    muscles = dict(Muscle.objects.values_list("slug", "pk"))
    MuscleRole.objects.bulk_create(
        MuscleRole(
            exercise=page, muscle_id=muscles[slug], role=role, note=note, position=i
        )
        for i, (slug, role, note) in enumerate(wanted["roles"], 1)
    )
    page.steps.all().delete()
    Step.objects.bulk_create(
        Step(exercise=page, text=text, position=i)
        for i, text in enumerate(wanted["steps"], 1)
    )
    references = []
    for row in article.data.get("references", []):
        reference = find_reference(row)
        if reference is None:
            reference = Reference.objects.create(**reference_row(row))
        elif any(
            (getattr(reference, key) or None) != (reference_row(row)[key] or None)
            for key in REFERENCE_FIELDS
        ):
            # Shared with other pages and editable in the admin: not overwritten.
            report.warnings.append(
                f"{article.file}: reference {reference} kept as stored; the file "
                "differs"
            )
        references.append(reference)
    page.exercise_references.all().delete()
    ExerciseReference.objects.bulk_create(
        ExerciseReference(exercise=page, reference=reference, position=i)
        for i, reference in enumerate(references, 1)
    )
    for model, name in ((Benefit, "benefits"), (Mistake, "mistakes")):
        getattr(page, name).all().delete()
        for i, row in enumerate(article.data.get(name, []), 1):
            item = model.objects.create(
                exercise=page, title=row["title"], text=row["text"], position=i
            )
            item.references.set(references[n - 1] for n in row.get("cites", []))
    return page


def write_variations(article, page):
    page.variations_from.all().delete()
    for i, (kind, slug) in enumerate(own_variations(article, page), 1):
        Variation.objects.create(
            from_exercise=page,
            to_exercise=Exercise.objects.get(slug=slug),
            kind=kind,
            position=i,
        )
