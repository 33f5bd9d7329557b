"""seed on a database made before the three-level taxonomy: make run still works."""

import io

from django.core.management import call_command

from exercises.models import Exercise, Muscle
from tests.factories import make_muscle


def test_seed_adds_missing_muscles_and_keeps_existing_ones(db):
    # An older database: two groups, one with an editor's own wording.
    make_muscle(name="Glutes", slug="glutes", function="the editor's words")
    make_muscle(name="Hamstrings", slug="hamstrings")
    output = io.StringIO()

    call_command("seed", catalogue="", stdout=output)

    glutes = Muscle.objects.get(slug="glutes")
    assert glutes.function == "the editor's words"
    assert Muscle.objects.get(slug="gluteus-minimus").parent == glutes
    head = Muscle.objects.get(slug="biceps-femoris-long-head")
    assert head.parent.slug == "biceps-femoris"
    assert head.parent.parent.slug == "hamstrings"
    assert "missing muscles added" in output.getvalue()
    # The articles load on it, so pages are there.
    assert Exercise.objects.filter(slug="barbell-back-squat").exists()

    call_command("seed", catalogue="", stdout=io.StringIO())
    assert Muscle.objects.filter(slug="gluteus-minimus").count() == 1
