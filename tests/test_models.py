import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exercises.models import Exercise, MuscleRole, Role, Status
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


def test_role_vocabulary_has_the_five_exrx_roles_in_order():
    assert Role.values == [
        "target",
        "synergist",
        "stabilizer",
        "dynamic_stabilizer",
        "antagonist_stabilizer",
    ]


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


def test_a_muscle_cannot_be_placed_inside_a_muscle():
    group = make_muscle(name="Glutes", slug="glutes")
    muscle = make_muscle(name="Gluteus maximus", slug="gluteus-maximus", parent=group)
    nested = make_muscle(name="Nested", slug="nested")
    nested.parent = muscle
    with pytest.raises(ValidationError) as error:
        nested.full_clean()
    assert "parent" in error.value.message_dict


def test_a_group_cannot_be_its_own_parent():
    group = make_muscle()
    group.parent = group
    with pytest.raises(ValidationError):
        group.full_clean()
