"""Small helpers that build test data with sensible defaults."""

import itertools

from exercises.models import Benefit, Exercise, Muscle, MuscleRole, Role, Status

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
