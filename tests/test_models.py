import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exercises.models import (
    REVIEWED_ROLES,
    SOURCE_ROLES,
    Exercise,
    MuscleRole,
    Role,
    Status,
)
from tests.factories import add_role, make_exercise, make_muscle

pytestmark = pytest.mark.django_db


def test_database_refuses_the_same_muscle_twice_in_one_exercise():
    exercise, muscle = make_exercise(), make_muscle()
    add_role(exercise, muscle, Role.TARGET)
    with pytest.raises(IntegrityError), transaction.atomic():
        add_role(exercise, muscle, Role.STABILIZER)
    assert MuscleRole.objects.count() == 1


def test_database_refuses_a_role_outside_the_vocabulary():
    exercise, muscle = make_exercise(), make_muscle()
    with pytest.raises(IntegrityError), transaction.atomic():
        MuscleRole.objects.create(exercise=exercise, muscle=muscle, role="prime mover")
    assert not MuscleRole.objects.exists()


def test_database_refuses_an_unknown_status():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_exercise(status="archived")


def test_role_vocabulary_has_the_five_exrx_roles_then_the_source_roles():
    assert REVIEWED_ROLES == [
        "target",
        "synergist",
        "stabilizer",
        "dynamic_stabilizer",
        "antagonist_stabilizer",
    ]
    assert SOURCE_ROLES == ["primary", "secondary"]
    assert Role.values == [*REVIEWED_ROLES, *SOURCE_ROLES]
    assert Role.PRIMARY.label == "Primary (source)"


def test_publishing_sets_the_publication_date_once():
    exercise = make_exercise(status=Status.DRAFT)
    assert exercise.published is None
    exercise.status = Status.PUBLISHED
    exercise.save()
    first = exercise.published
    assert first is not None
    exercise.save()
    assert exercise.published == first


def test_published_queryset_leaves_out_drafts():
    make_exercise(name="Visible", status=Status.PUBLISHED)
    make_exercise(name="Hidden", status=Status.DRAFT)
    assert [e.name for e in Exercise.objects.published()] == ["Visible"]


def test_aliases_are_split_on_commas():
    exercise = make_exercise(aliases="Glute kickbacks,  donkey kicks , ")
    assert exercise.alias_list == ["Glute kickbacks", "donkey kicks"]


def test_a_head_cannot_be_placed_inside_a_head():
    group = make_muscle(name="Hamstrings", slug="hamstrings")
    muscle = make_muscle(name="Biceps femoris", slug="biceps-femoris", parent=group)
    head = make_muscle(name="Long head", slug="long-head", parent=muscle)
    head.full_clean()  # three levels are allowed
    nested = make_muscle(name="Nested", slug="nested")
    nested.parent = head
    with pytest.raises(ValidationError) as error:
        nested.full_clean()
    assert "parent" in error.value.message_dict


def test_a_muscle_with_heads_cannot_move_under_another_muscle():
    group = make_muscle(name="Hamstrings", slug="hamstrings")
    other = make_muscle(name="Semitendinosus", slug="semitendinosus", parent=group)
    muscle = make_muscle(name="Biceps femoris", slug="biceps-femoris", parent=group)
    make_muscle(name="Long head", slug="long-head", parent=muscle)
    muscle.parent = other
    with pytest.raises(ValidationError) as error:
        muscle.full_clean()
    assert "parent" in error.value.message_dict


def test_a_muscle_cannot_be_inside_its_own_head():
    group = make_muscle(name="Shoulders", slug="shoulders")
    muscle = make_muscle(name="Deltoid", slug="deltoid", parent=group)
    head = make_muscle(name="Anterior deltoid", slug="anterior-deltoid", parent=muscle)
    group.parent = head
    with pytest.raises(ValidationError):
        group.full_clean()


def test_a_group_cannot_be_its_own_parent():
    group = make_muscle()
    group.parent = group
    with pytest.raises(ValidationError):
        group.full_clean()
