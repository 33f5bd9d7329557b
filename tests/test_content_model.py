"""Mistakes, variations, references and review: the structure articles use."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises.models import (
    Category,
    Exercise,
    Mistake,
    Muscle,
    Reference,
    Status,
    Variation,
    VariationKind,
)
from tests.factories import (
    add_benefit,
    add_mistake,
    add_role,
    add_step,
    add_variation,
    cite,
    make_exercise,
    make_muscle,
    make_reference,
)

pytestmark = pytest.mark.django_db


def links(exercise):
    return [(kind.value, page.name) for kind, page in exercise.variation_links()]


def test_an_easier_variation_shows_as_harder_on_the_other_page():
    squat = make_exercise(name="Barbell Back Squat")
    goblet = make_exercise(name="Goblet Squat")
    add_variation(squat, goblet, VariationKind.EASIER)
    assert links(squat) == [("easier", "Goblet Squat")]
    assert links(goblet) == [("harder", "Barbell Back Squat")]


def test_a_harder_variation_shows_as_easier_on_the_other_page():
    push_up = make_exercise(name="Push-Up")
    archer = make_exercise(name="Archer Push-Up")
    add_variation(push_up, archer, VariationKind.HARDER)
    assert links(archer) == [("easier", "Push-Up")]


def test_an_alternative_shows_as_alternative_on_both_pages():
    barbell = make_exercise(name="Barbell Curl")
    dumbbell = make_exercise(name="Dumbbell Curl")
    add_variation(barbell, dumbbell, VariationKind.ALTERNATIVE)
    assert links(barbell) == [("alternative", "Dumbbell Curl")]
    assert links(dumbbell) == [("alternative", "Barbell Curl")]


def test_variations_entered_on_the_page_come_first_in_position_order():
    page = make_exercise(name="Page")
    first, second, inbound = (
        make_exercise(name="First"),
        make_exercise(name="Second"),
        make_exercise(name="Inbound"),
    )
    add_variation(page, second, VariationKind.HARDER, position=2)
    add_variation(page, first, VariationKind.EASIER, position=1)
    add_variation(inbound, page, VariationKind.EASIER, position=0)
    assert links(page) == [
        ("easier", "First"),
        ("harder", "Second"),
        ("harder", "Inbound"),
    ]


def test_a_draft_variation_is_not_linked_for_readers():
    page = make_exercise()
    draft = make_exercise(name="Draft", status=Status.DRAFT)
    add_variation(page, draft, VariationKind.EASIER)
    assert links(page) == []
    assert [p.name for _, p in page.variation_links(published_only=False)] == ["Draft"]


def test_prefetched_variations_are_read_without_more_queries():
    page, other = make_exercise(), make_exercise()
    add_variation(page, other, VariationKind.ALTERNATIVE)
    add_variation(make_exercise(), page, VariationKind.HARDER)
    page = Exercise.objects.prefetch_related(
        "variations_from__to_exercise", "variations_to__from_exercise"
    ).get(pk=page.pk)
    with CaptureQueriesContext(connection) as queries:
        assert len(page.variation_links()) == 2
    assert len(queries) == 0


def test_database_refuses_a_variation_of_itself_and_a_pair_twice():
    a, b = make_exercise(), make_exercise()
    with pytest.raises(IntegrityError), transaction.atomic():
        add_variation(a, a, VariationKind.EASIER)
    add_variation(a, b, VariationKind.EASIER)
    with pytest.raises(IntegrityError), transaction.atomic():
        add_variation(a, b, VariationKind.HARDER)
    with pytest.raises(IntegrityError), transaction.atomic():
        add_variation(a, make_exercise(), "much harder")


def test_a_variation_already_entered_on_the_other_page_is_refused_by_clean():
    a, b = make_exercise(), make_exercise()
    add_variation(a, b, VariationKind.EASIER)
    reverse = Variation(from_exercise=b, to_exercise=a, kind=VariationKind.HARDER)
    with pytest.raises(ValidationError) as error:
        reverse.full_clean()
    assert "to_exercise" in error.value.message_dict


def test_references_are_numbered_in_the_page_order():
    page = make_exercise()
    later = make_reference(title="Later")
    earlier = make_reference(title="Earlier")
    cite(page, later, position=2)
    cite(page, earlier, position=1)
    assert [(n, r.title) for n, r in page.numbered_references()] == [
        (1, "Earlier"),
        (2, "Later"),
    ]


def test_one_reference_is_shared_by_exercises_and_cited_by_benefits_and_mistakes():
    reference = make_reference()
    squat, lunge = make_exercise(), make_exercise()
    cite(squat, reference)
    cite(lunge, reference)
    add_benefit(squat).references.add(reference)
    add_mistake(lunge).references.add(reference)
    assert set(reference.exercises.all()) == {squat, lunge}
    assert reference.benefits.count() == 1
    assert reference.mistakes.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        cite(squat, reference)


def test_a_reference_needs_a_doi_a_pubmed_id_or_a_url():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_reference(doi="", pmid="", url="")
    reference = Reference(authors="A", title="T", doi="", pmid="", url="")
    with pytest.raises(ValidationError):
        reference.full_clean()


def test_database_refuses_the_same_doi_twice_but_allows_many_without_one():
    make_reference(doi="10.1000/same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_reference(doi="10.1000/same")
    make_reference(doi="", pmid="111")
    make_reference(doi="", pmid="222")
    assert Reference.objects.filter(doi="").count() == 2


def test_a_reference_links_to_its_doi_then_pubmed_then_url():
    assert make_reference(doi="10.1/x").link == "https://doi.org/10.1/x"
    assert (
        make_reference(doi="", pmid="12345").link
        == "https://pubmed.ncbi.nlm.nih.gov/12345/"
    )
    assert (
        make_reference(doi="", url="https://example.org/a").link
        == "https://example.org/a"
    )


def test_child_rows_are_ordered_by_position_without_a_join_on_exercise():
    page = make_exercise()
    add_mistake(page, title="Second", position=2)
    add_mistake(page, title="First", position=1)
    add_step(page, text="B", position=2)
    add_step(page, text="A", position=1)
    assert [m.title for m in page.mistakes.all()] == ["First", "Second"]
    assert [s.text for s in page.steps.all()] == ["A", "B"]
    sql = str(Mistake.objects.all().query)
    assert "exercises_exercise" not in sql


def test_review_and_stretch_are_read_from_the_fields():
    page = make_exercise(category=Category.STRETCHING)
    assert page.is_stretch
    assert not page.is_reviewed
    page.reviewed_on = datetime.date(2026, 12, 1)
    page.reviewed_by = "Exercise Atlas editors"
    page.save()
    page.refresh_from_db()
    assert page.is_reviewed
    assert not make_exercise(category=Category.STRENGTH).is_stretch


def test_descendant_ids_cover_three_levels_and_nothing_beside_them():
    group = make_muscle(name="Shoulders", slug="shoulders")
    deltoid = make_muscle(name="Deltoid", slug="deltoid", parent=group)
    front = make_muscle(
        name="Anterior deltoid", slug="anterior-deltoid", parent=deltoid
    )
    make_muscle(name="Chest", slug="chest")
    assert set(group.descendant_ids()) == {group.pk, deltoid.pk, front.pk}
    assert set(deltoid.descendant_ids()) == {deltoid.pk, front.pk}
    assert front.descendant_ids() == [front.pk]


def test_every_new_model_names_itself():
    page = make_exercise(name="Squat")
    other = make_exercise(name="Goblet Squat")
    reference = make_reference(authors="Smith J", year=2019, title="Squats")
    assert str(reference) == "Smith J (2019). Squats"
    assert str(add_mistake(page, title="Knees cave in")) == "Knees cave in"
    variation = add_variation(page, other, VariationKind.EASIER)
    assert str(variation) == "Goblet Squat (easier than Squat)"
    assert variation.get_absolute_url() == page.get_absolute_url() + "#variations"
    assert str(cite(page, reference)) == "Smith J (2019). Squats in Squat"


# Editing in the admin ---------------------------------------------------------

INLINES = [
    "muscle_roles",
    "steps",
    "benefits",
    "mistakes",
    "variations_from",
    "exercise_references",
]


def change_form(exercise, rows=None, **overrides):
    """The admin change form of an exercise, with the given inline rows."""
    data = {
        field: getattr(exercise, field) or ""
        for field in [
            "name", "slug", "aliases", "summary", "mechanics", "equipment",
            "level", "force", "category", "explanation", "takeaway", "status",
            "source_id", "reviewed_by",
        ]
    }  # fmt: skip
    data["reviewed_on"] = (
        exercise.reviewed_on.isoformat() if exercise.reviewed_on else ""
    )
    for prefix in INLINES:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    for prefix, forms in (rows or {}).items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(forms))
        for number, form in enumerate(forms):
            data |= {f"{prefix}-{number}-{key}": value for key, value in form.items()}
    data.update(overrides)
    return data


def save_in_admin(staff_client, exercise, **kwargs):
    return staff_client.post(
        reverse("admin:exercises_exercise_change", args=[exercise.pk]),
        change_form(exercise, **kwargs),
        follow=True,
    )


def test_an_alias_that_is_another_pages_name_warns_with_a_link(staff_client):
    goblet = make_exercise(name="Goblet Squat", aliases="Cup squat")
    page = make_exercise(name="Dumbbell Squat")
    response = save_in_admin(
        staff_client, page, aliases="Goblet squats, Cup squat, Heel-elevated squat"
    )
    assert response.status_code == 200
    warnings = [
        str(m) for m in response.context["messages"] if m.level_tag == "warning"
    ]
    link = reverse("admin:exercises_exercise_change", args=[goblet.pk])
    assert warnings == [
        f"The alias “Goblet squats” is also a name or alias of "
        f'<a href="{link}">Goblet Squat</a>.'
    ]
    page.refresh_from_db()
    assert page.aliases == "Goblet squats, Cup squat, Heel-elevated squat"  # saved


def test_an_alias_of_no_other_page_saves_without_a_warning(staff_client):
    make_exercise(name="Goblet Squat")
    page = make_exercise(name="Dumbbell Squat")
    response = save_in_admin(staff_client, page, aliases="Goblet hold, Squat")
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]


def test_new_rows_get_the_next_free_position(staff_client):
    page = make_exercise()
    add_mistake(page, title="Old", position=4)
    response = save_in_admin(
        staff_client,
        page,
        rows={
            "mistakes": [
                {"id": page.mistakes.get().pk, "exercise": page.pk, "title": "Old",
                 "text": "x", "position": "4"},
                {"title": "New", "text": "y", "position": ""},
            ],
            "steps": [
                {"text": "First.", "position": ""},
                {"text": "Second.", "position": ""},
            ],
        },
        **{"mistakes-INITIAL_FORMS": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert [(m.title, m.position) for m in page.mistakes.all()] == [
        ("Old", 4),
        ("New", 5),
    ]
    assert [(s.text, s.position) for s in page.steps.all()] == [
        ("First.", 1),
        ("Second.", 2),
    ]


def test_review_date_and_reviewer_are_set_in_the_admin(staff_client):
    page = make_exercise()
    save_in_admin(
        staff_client,
        page,
        reviewed_on="2026-12-01",
        reviewed_by="Exercise Atlas editors",
    )
    page.refresh_from_db()
    assert page.reviewed_on == datetime.date(2026, 12, 1)
    assert page.reviewed_by == "Exercise Atlas editors"
    assert page.is_reviewed


def test_a_variation_and_a_reference_are_added_in_the_admin(staff_client):
    page, easier = make_exercise(), make_exercise(name="Easier One")
    reference = make_reference()
    save_in_admin(
        staff_client,
        page,
        rows={
            "variations_from": [
                {"to_exercise": easier.pk, "kind": "easier", "position": ""}
            ],
            "exercise_references": [{"reference": reference.pk, "position": ""}],
        },
    )
    assert [(k.value, p.name) for k, p in page.variation_links()] == [
        ("easier", "Easier One")
    ]
    assert [r for _, r in page.numbered_references()] == [reference]
    # The other page lists it inversely, in the admin too.
    other = staff_client.get(
        reverse("admin:exercises_exercise_change", args=[easier.pk])
    ).content.decode()
    assert f"{page.name}</a> lists this page as easier" in other


# Migration --------------------------------------------------------------------

# The lead may renumber it at merge; the test follows the name.
BEFORE = ("exercises", "0005_search_text_singular")
CONTENT_MIGRATION = ("exercises", "0006_content_structure")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_gives_imported_pages_their_source_roles_back():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        # Made by migration 0003; a live-server test's flush may have removed it.
        old.get_model("auth", "Group").objects.get_or_create(name="Editors")
        muscle = old.get_model("exercises", "Muscle").objects.create(
            name="Glutes", slug="glutes"
        )
        other = old.get_model("exercises", "Muscle").objects.create(
            name="Hamstrings", slug="hamstrings"
        )
        Exercise_ = old.get_model("exercises", "Exercise")
        MuscleRole_ = old.get_model("exercises", "MuscleRole")
        imported = Exercise_.objects.create(
            name="Imported", slug="imported", source_id="free-exercise-db:Imported"
        )
        written = Exercise_.objects.create(
            name="Written",
            slug="written",
            source_id="free-exercise-db:Glute_Kickback",
            explanation="An editor wrote this.",
        )
        for exercise in [imported, written]:
            MuscleRole_.objects.create(exercise=exercise, muscle=muscle, role="target")
            MuscleRole_.objects.create(
                exercise=exercise, muscle=other, role="synergist"
            )

        executor = MigrationExecutor(connection)
        executor.migrate([CONTENT_MIGRATION])
        new = executor.loader.project_state([CONTENT_MIGRATION]).apps
        roles = new.get_model("exercises", "MuscleRole").objects.order_by("id")
        assert [(r.exercise.slug, r.role) for r in roles] == [
            ("imported", "primary"),
            ("imported", "secondary"),
            ("written", "target"),
            ("written", "synergist"),
        ]
        editors = new.get_model("auth", "Group").objects.get(name="Editors")
        assert editors.permissions.filter(codename="delete_mistake").exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)


def test_muscle_levels_are_named_and_a_fourth_is_refused_in_the_admin(staff_client):
    group = make_muscle(name="Shoulders", slug="shoulders")
    deltoid = make_muscle(name="Deltoid", slug="deltoid", parent=group)
    front = make_muscle(
        name="Anterior deltoid", slug="anterior-deltoid", parent=deltoid
    )
    assert [m.level for m in (group, deltoid, front)] == ["group", "muscle", "head"]

    listing = staff_client.get(reverse("admin:exercises_muscle_changelist"))
    assert listing.status_code == 200
    assert '<td class="field-level">head</td>' in listing.content.decode()

    response = staff_client.post(
        reverse("admin:exercises_muscle_add"),
        {
            "name": "Too deep",
            "slug": "too-deep",
            "parent": front.pk,
            "function": "",
            "description": "",
        },
    )
    assert response.status_code == 200
    assert "Three levels at most" in response.content.decode()
    assert not Muscle.objects.filter(slug="too-deep").exists()


def test_admin_group_filter_finds_exercises_that_name_a_head_of_the_group(
    staff_client,
):
    group = make_muscle(name="Hamstrings", slug="hamstrings")
    muscle = make_muscle(name="Biceps femoris", slug="biceps-femoris", parent=group)
    head = make_muscle(name="Long head", slug="long-head", parent=muscle)
    add_role(make_exercise(name="Nordic Curl"), head)
    add_role(make_exercise(name="Squat"), make_muscle(name="Quads", slug="quads"))
    response = staff_client.get(
        reverse("admin:exercises_exercise_changelist"), {"group": "hamstrings"}
    )
    assert [e.name for e in response.context["cl"].result_list] == ["Nordic Curl"]
