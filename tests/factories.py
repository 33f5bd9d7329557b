"""Small helpers that build test data with sensible defaults."""

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

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


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_exercise_form(**overrides):
    glutes = Muscle.objects.get(slug="glutes")
    hamstrings = Muscle.objects.get(slug="hamstrings")
    data = {
        "name": "Hip Thrust",
        "slug": "hip-thrust",
        "aliases": "Barbell hip thrust",
        "summary": "A hip extension exercise that loads the glutes at full extension.",
        "mechanics": "compound",
        "equipment": "barbell",
        "level": "",
        "force": "push",
        "category": "strength",
        "explanation": "Drive the hips **up** until the body is straight.",
        "takeaway": "A *strong* glute builder.",
        "status": Status.PUBLISHED,
        "source_id": "",
        **inline_management("muscle_roles", 2),
        "muscle_roles-0-muscle": str(glutes.pk),
        "muscle_roles-0-role": Role.TARGET,
        "muscle_roles-0-note": "hip extension",
        "muscle_roles-0-position": "0",
        "muscle_roles-1-muscle": str(hamstrings.pk),
        "muscle_roles-1-role": Role.SYNERGIST,
        "muscle_roles-1-note": "",
        "muscle_roles-1-position": "1",
        **inline_management("benefits", 2),
        "benefits-0-title": "Stronger lockout",
        "benefits-0-text": "Builds strength at the top of the hip extension.",
        "benefits-0-position": "0",
        "benefits-1-title": "Glute size",
        "benefits-1-text": "Loads the glutes through a long range.",
        "benefits-1-position": "1",
        **inline_management("steps", 0),
        **inline_management("mistakes", 0),
        **inline_management("variations_from", 0),
        **inline_management("exercise_references", 0),
    }
    data.update(overrides)
    return data


def free_db_record(**overrides):
    record = {
        "id": "Cable_Hip_Extension",
        "name": "Cable Hip Extension",
        "force": "push",
        "level": "beginner",
        "mechanic": "isolation",
        "equipment": "cable",
        "primaryMuscles": ["glutes"],
        "secondaryMuscles": ["hamstrings", "lower back"],
        "instructions": [
            "Attach an ankle cuff and face the machine.",
            "Kick the leg back until the hip is straight.",
            "Return slowly.",
        ],
        "category": "strength",
        "images": ["Cable_Hip_Extension/0.jpg"],
    }
    record.update(overrides)
    return record


UPLOAD = "/markdownx/upload/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def image_bytes(image_format, size=(8, 6), **save_options):
    output = io.BytesIO()
    mode = "RGBA" if image_format == "PNG" else "RGB"
    Image.new(mode, size, (200, 40, 40)).save(
        output, format=image_format, **save_options
    )
    return output.getvalue()


def upload(client, name, content, content_type):
    """Post a file to the editor's upload endpoint, as its script does."""
    return client.post(
        UPLOAD, {"image": SimpleUploadedFile(name, content, content_type)}, **AJAX
    )
