"""Mistakes, variations, references and review: the structure articles use."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from exercises.models import (
    Category,
    Exercise,
    Mistake,
    Reference,
    Status,
    Variation,
    VariationKind,
)
from tests.factories import (
    add_benefit,
    add_mistake,
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
