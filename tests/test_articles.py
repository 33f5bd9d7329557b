"""The article files and their loader (load_articles)."""

import datetime
import uuid
from collections import Counter
from unittest import mock

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from exercises.articles import ARTICLES_DIR, read_article
from exercises.cache import content_version
from exercises.management.commands.seed import CATALOGUE, FIXTURES
from exercises.models import (
    REVIEWED_ROLES,
    Exercise,
    ExerciseRedirect,
    Muscle,
    Reference,
    Role,
    Variation,
)
from tests.factories import add_role, add_step, make_exercise

pytestmark = pytest.mark.django_db

ARTICLE = """+++
name = "{name}"
slug = "{slug}"
{source}
aliases = ["Another name"]
lead = "{lead}"
mechanics = "compound"
level = "beginner"
reviewed_on = 2026-12-01
reviewed_by = "Exercise Atlas editors"
steps = ["Stand up.", "Sit down."]
takeaway = "Worth doing."

[[roles]]
muscle = "{muscle}"
role = "{role}"
note = "the mover"

[[roles]]
muscle = "erector-spinae"
role = "stabilizer"

[[benefits]]
title = "Strong legs"
text = "It makes the legs stronger."
cites = [{cites}]

[[mistakes]]
title = "Rushing"
text = "Going too fast."
cites = []
{variations}
[[references]]
authors = "Doe J"
title = "A study of squats"
publication = "A journal"
year = 2020
{locator}
+++
## How it works

It {body}.
"""


def article(tmp_path, slug="test-squat", **overrides):
    fields = {
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "source": "",
        "lead": f"The {slug} lead.",
        "muscle": "gluteus-maximus",
        "role": "target",
        "cites": "1",
        "variations": "",
        "locator": 'doi = "10.1000/test.1"',
        "body": "works",
    }
    fields.update(overrides)
    path = tmp_path / f"{slug}.md"
    path.write_text(ARTICLE.format(**fields), encoding="utf-8")
    return path


def variation(kind, slug):
    return f'\n[[variations]]\nkind = "{kind}"\nslug = "{slug}"\n'


def load(tmp_path, *slugs, **options):
    call_command(
        "load_articles", *slugs, directory=str(tmp_path), verbosity=0, **options
    )


@pytest.fixture
def muscles(db):
    call_command("loaddata", *FIXTURES, verbosity=0)


def test_an_article_becomes_a_reviewed_page_with_every_section(tmp_path, muscles):
    article(tmp_path)
    load(tmp_path)
    page = Exercise.objects.get(slug="test-squat")
    assert page.is_published
    assert page.reviewed_on == datetime.date(2026, 12, 1)
    assert page.summary == "The test-squat lead."
    assert page.aliases == "Another name"
    assert page.explanation == "## How it works\n\nIt works."
    assert [s.text for s in page.steps.all()] == ["Stand up.", "Sit down."]
    assert [(r.muscle.slug, r.role) for r in page.muscle_roles.all()] == [
        ("gluteus-maximus", Role.TARGET),
        ("erector-spinae", Role.STABILIZER),
    ]
    [(number, reference)] = page.numbered_references()
    assert (number, reference.doi) == (1, "10.1000/test.1")
    assert list(page.benefits.get().references.all()) == [reference]
    assert page.mistakes.get().title == "Rushing"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"muscle": "core"}, "roles[1].muscle"),
        ({"role": "primary"}, "roles[1].role"),
        ({"role": "mover"}, "roles[1].role"),
        ({"variations": variation("easier", "no-such-page")}, "variations[1].slug"),
        ({"variations": variation("simpler", "test-squat-2")}, "variations[1].kind"),
        ({"locator": 'doi = "not a doi"'}, "references[1].doi"),
        ({"locator": 'pmid = "PMC123"'}, "references[1].pmid"),
        ({"locator": ""}, "references[1]"),
        ({"cites": "2"}, "benefits[1].cites"),
        ({"lead": "<one or two sentences>"}, "lead"),
        ({"body": "works\n\n# A top-level heading"}, "body"),
        # The admin's text checks: control characters, Markdown too deep.
        ({"lead": "A lead\\u000b with a vertical tab."}, "lead"),
        ({"body": "## Nested\n\n" + "[" * 5000}, "body"),
    ],
)
def test_a_wrong_file_stops_the_load_naming_file_and_field(
    tmp_path, muscles, overrides, field
):
    article(tmp_path, "test-squat-2")  # a good file, not loaded either
    article(tmp_path, **overrides)
    with pytest.raises(CommandError) as error:
        load(tmp_path)
    assert f"test-squat.md: {field}:" in str(error.value)
    assert not Exercise.objects.exists()


def test_broken_front_matter_is_reported(tmp_path, muscles):
    (tmp_path / "broken.md").write_text("+++\nname = \n+++\nBody\n", encoding="utf-8")
    with pytest.raises(CommandError, match="broken.md: front matter: not valid TOML"):
        load(tmp_path)


def test_load_articles_exits_with_status_1(tmp_path, muscles):
    article(tmp_path, muscle="no-such-muscle")
    with pytest.raises(CommandError) as error:
        load(tmp_path)
    assert error.value.returncode == 1


def test_loading_twice_changes_nothing(tmp_path, muscles):
    article(tmp_path)
    load(tmp_path)
    page = Exercise.objects.get(slug="test-squat")
    load(tmp_path)
    again = Exercise.objects.get(slug="test-squat")
    assert again.updated == page.updated
    assert Reference.objects.count() == 1
    assert again.muscle_roles.count() == 2


def test_editor_wins_over_the_file(tmp_path, muscles, django_user_model):
    article(tmp_path)
    article(tmp_path, "other-squat")
    load(tmp_path)
    page = Exercise.objects.get(slug="test-squat")
    # An editor changes the lead in the admin, which logs the change.
    page.summary = "The editor's own lead."
    page.save()
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    LogEntry.objects.create(
        user=editor,
        content_type=ContentType.objects.get_for_model(Exercise),
        object_id=str(page.pk),
        object_repr=page.name,
        action_flag=CHANGE,
        action_time=timezone.now(),
    )
    # Then the files change, and are loaded again.
    article(tmp_path, lead="A new lead from the file.", body="moves")
    article(tmp_path, "other-squat", lead="A new lead for the other page.")
    load(tmp_path)
    page.refresh_from_db()
    assert page.summary == "The editor's own lead."
    assert page.explanation == "## How it works\n\nIt works."
    other = Exercise.objects.get(slug="other-squat")
    assert other.summary == "A new lead for the other page."
    # Handed back to the file on purpose: the file wins, and keeps winning.
    load(tmp_path, take_back=["test-squat"])
    page.refresh_from_db()
    assert page.summary == "A new lead from the file."
    article(tmp_path, lead="Later again.")
    load(tmp_path)
    page.refresh_from_db()
    assert page.summary == "Later again."


def test_an_article_takes_over_its_imported_record(tmp_path, muscles):
    imported = make_exercise(
        name="Barbell Squat",
        slug="barbell-squat",
        source_id="free-exercise-db:Barbell_Squat",
        equipment="barbell",
        force="push",
    )
    add_role(imported, Muscle.objects.get(slug="quadriceps"), Role.PRIMARY)
    add_step(imported, text="The source's step.")
    article(tmp_path, source='source_id = "Barbell_Squat"')
    load(tmp_path)
    page = Exercise.objects.get(pk=imported.pk)
    assert page.slug == "test-squat"
    assert page.source_id == "free-exercise-db:Barbell_Squat"
    # Attributes the file leaves out keep the record's values.
    assert (page.equipment, page.force, page.mechanics) == (
        "barbell",
        "push",
        "compound",
    )
    assert [r.role for r in page.muscle_roles.all()] == [
        Role.TARGET,
        Role.STABILIZER,
    ]
    assert ExerciseRedirect.objects.get(old_slug="barbell-squat").exercise == page
    assert Exercise.objects.count() == 1


def test_variations_listed_on_both_articles_are_stored_once(tmp_path, muscles):
    article(tmp_path, variations=variation("easier", "goblet-squat"))
    article(tmp_path, "goblet-squat", variations=variation("harder", "test-squat"))
    load(tmp_path)
    load(tmp_path)
    assert Variation.objects.count() == 1
    squat = Exercise.objects.get(slug="test-squat")
    goblet = Exercise.objects.get(slug="goblet-squat")
    assert [(k, p.slug) for k, p in squat.variation_links()] == [
        ("easier", "goblet-squat")
    ]
    assert [(k, p.slug) for k, p in goblet.variation_links()] == [
        ("harder", "test-squat")
    ]


def test_variations_that_contradict_each_other_are_refused(tmp_path, muscles):
    article(tmp_path, variations=variation("easier", "goblet-squat"))
    article(tmp_path, "goblet-squat", variations=variation("easier", "test-squat"))
    with pytest.raises(CommandError, match=r"variations\[1\]\.kind"):
        load(tmp_path)


def test_a_variation_to_a_missing_page_can_be_left_out(tmp_path, muscles):
    article(tmp_path, variations=variation("easier", "box-squat"))
    load(tmp_path, skip_missing_variations=True)
    assert not Variation.objects.exists()
    assert Exercise.objects.filter(slug="test-squat").exists()


# The articles in fixtures/articles/ -----------------------------------------------


def test_loading_articles_makes_cached_pages_stale_once(tmp_path, muscles):
    article(tmp_path)
    article(tmp_path, slug="test-lunge", name="Test Lunge")
    content_version()
    with mock.patch("exercises.cache.uuid.uuid4", wraps=uuid.uuid4) as new_version:
        load(tmp_path)
    assert Exercise.objects.filter(slug__in=["test-squat", "test-lunge"]).count() == 2
    assert new_version.call_count == 1


def test_every_article_file_loads_with_its_sections(muscles):
    have_catalogue = CATALOGUE.is_file()
    if have_catalogue:
        call_command("import_exercises", str(CATALOGUE), publish=True, verbosity=0)
    call_command(
        "load_articles", skip_missing_variations=not have_catalogue, verbosity=0
    )
    # The lead is the meta description: no two published pages share one.
    leads = Counter(Exercise.objects.published().values_list("summary", flat=True))
    assert [lead for lead, n in leads.items() if n > 1] == []
    files = sorted(ARTICLES_DIR.glob("*.md"))
    assert len(files) >= 41
    for path in files:
        data = read_article(path).data
        page = Exercise.objects.get(slug=data["slug"])
        assert page.is_reviewed, path.name
        assert page.summary and page.explanation and page.takeaway, path.name
        assert page.steps.exists(), path.name
        roles = {r.role for r in page.muscle_roles.all()}
        assert Role.TARGET in roles and roles <= set(REVIEWED_ROLES), path.name
        assert 2 <= page.benefits.count() <= 4, path.name
        assert 3 <= page.mistakes.count() <= 5, path.name
        assert page.numbered_references(), path.name
        assert page.variation_links(), path.name
        for _, reference in page.numbered_references():
            assert reference.authors and reference.title, path.name
            assert reference.doi or reference.pmid or reference.url, path.name
