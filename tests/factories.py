"""Small helpers that build test data with sensible defaults."""

import itertools

from exercises.models import (
    Benefit,
    Exercise,
    ExerciseReference,
    Mistake,
    Muscle,
    MuscleRole,
    Reference,
    Role,
    Status,
    Step,
    Variation,
)

_counter = itertools.count(1)


def make_muscle(**overrides):
    n = next(_counter)
    fields = {"name": f"Muscle {n}", "slug": f"muscle-{n}", "function": "moving things"}
    fields.update(overrides)
    return Muscle.objects.create(**fields)


def make_exercise(**overrides):
    n = next(_counter)
    fields = {
        "name": f"Exercise {n}",
        "slug": f"exercise-{n}",
        "summary": "A short summary of the exercise.",
        "explanation": "How the exercise *works*.",
        "takeaway": "Worth doing.",
        "status": Status.PUBLISHED,
    }
    fields.update(overrides)
    return Exercise.objects.create(**fields)


def add_role(exercise, muscle, role=Role.TARGET, **overrides):
    return MuscleRole.objects.create(
        exercise=exercise, muscle=muscle, role=role, **overrides
    )


def add_benefit(exercise, **overrides):
    fields = {"title": "Stronger", "text": "It makes you stronger.", "position": 0}
    fields.update(overrides)
    return Benefit.objects.create(exercise=exercise, **fields)


def add_step(exercise, **overrides):
    fields = {"text": "Stand tall.", "position": 0}
    fields.update(overrides)
    return Step.objects.create(exercise=exercise, **fields)


def add_mistake(exercise, **overrides):
    fields = {"title": "Rushing", "text": "Lowering too fast.", "position": 0}
    fields.update(overrides)
    return Mistake.objects.create(exercise=exercise, **fields)


def add_variation(from_exercise, to_exercise, kind, **overrides):
    return Variation.objects.create(
        from_exercise=from_exercise, to_exercise=to_exercise, kind=kind, **overrides
    )


def make_reference(**overrides):
    n = next(_counter)
    fields = {
        "authors": f"Author {n}",
        "title": f"A study {n}",
        "publication": "A journal",
        "year": 2020,
        "doi": f"10.0000/test.{n}",
    }
    fields.update(overrides)
    return Reference.objects.create(**fields)


def cite(exercise, reference, position=0):
    return ExerciseReference.objects.create(
        exercise=exercise, reference=reference, position=position
    )
