import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises.cache import content_version
from exercises.importing import dumps, export_data
from exercises.models import (
    Benefit,
    Exercise,
    ExerciseRedirect,
    Muscle,
    MuscleRole,
    Reference,
    Role,
    Status,
    Step,
)

from .factories import (
    add_benefit,
    add_mistake,
    add_role,
    add_variation,
    cite,
    free_db_record,
    make_exercise,
    make_reference,
)

FREE_EXERCISE_DB = (
    settings.BASE_DIR.parent / "shared" / "data" / "free-exercise-db" / "exercises.json"
)


@pytest.fixture
def muscles_loaded(db):
    call_command("loaddata", "fixtures/muscles.json", verbosity=0)


def write_json(tmp_path, data, name="exercises.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_exercises", str(path), *args, stdout=out)
    return out.getvalue()


def run_export(*args):
    out = io.StringIO()
    call_command("export_exercises", *args, stdout=out)
    return out.getvalue()


def database_state():
    """Every exercise with its rows, and the row counts of each table."""
    counts = {
        model.__name__: model.objects.count()
        for model in [Exercise, MuscleRole, Step, Benefit, ExerciseRedirect]
    }
    return dumps(export_data()), counts


def roles_of(exercise):
    return [(r.muscle.slug, r.role, r.position) for r in exercise.muscle_roles.all()]


# Mapping ----------------------------------------------------------------------


def test_free_exercise_db_record_becomes_a_draft_with_roles_and_steps(
    muscles_loaded, tmp_path
):
    record = free_db_record(equipment="body only", category="olympic weightlifting")
    output = run_import(write_json(tmp_path, [record]))

    assert output.splitlines()[-1] == (
        "created 1, updated 0, unchanged 0, linked 0, skipped 0, failed 0"
    )
    exercise = Exercise.objects.get()
    assert exercise.name == "Cable Hip Extension"
    assert exercise.slug == "cable-hip-extension"
    assert exercise.source_id == "free-exercise-db:Cable_Hip_Extension"
    assert exercise.status == Status.DRAFT and exercise.published is None
    assert (
        exercise.mechanics,
        exercise.equipment,
        exercise.level,
        exercise.force,
        exercise.category,
    ) == ("isolation", "body-only", "beginner", "push", "olympic-weightlifting")
    assert exercise.summary == (
        "Cable Hip Extension is a beginner single-joint Olympic weightlifting "
        "exercise for the glutes, with the hamstrings and lower back also working, "
        "done with body weight alone."
    )
    # The source's words, not ExRx roles: no editor has reviewed them.
    assert roles_of(exercise) == [
        ("glutes", Role.PRIMARY, 1),
        ("hamstrings", Role.SECONDARY, 2),
        ("lower-back", Role.SECONDARY, 3),
    ]
    assert exercise.reviewed_on is None
    assert [(s.position, s.text) for s in exercise.steps.all()] == [
        (1, "Attach an ankle cuff and face the machine."),
        (2, "Kick the leg back until the hip is straight."),
        (3, "Return slowly."),
    ]
    assert exercise.explanation == "" and not exercise.benefits.exists()
    # Bulk inserts skip the signal that fills the search text; the import does it.
    assert "cable hip extension" in exercise.search_text


def test_import_makes_cached_pages_stale_and_a_no_op_does_not(muscles_loaded, tmp_path):
    path = write_json(tmp_path, [free_db_record()])
    version = content_version()

    run_import(path)
    assert content_version() != version

    version = content_version()
    run_import(path)
    assert content_version() == version


def test_null_attributes_become_empty_and_the_summary_says_less(
    muscles_loaded, tmp_path
):
    record = free_db_record(force=None, mechanic=None, equipment=None)
    record.pop("force")  # optional in free-exercise-db's schema
    run_import(write_json(tmp_path, [record]))

    exercise = Exercise.objects.get()
    assert (exercise.force, exercise.mechanics, exercise.equipment) == ("", "", "")
    assert exercise.summary == (
        "Cable Hip Extension is a beginner exercise for the glutes, with the "
        "hamstrings and lower back also working."
    )


def test_publish_flag_publishes_new_exercises(muscles_loaded, tmp_path):
    run_import(write_json(tmp_path, [free_db_record()]), "--publish")

    exercise = Exercise.objects.get()
    assert exercise.status == Status.PUBLISHED
    assert exercise.published is not None


def test_muscle_both_primary_and_secondary_is_primary_only(muscles_loaded, tmp_path):
    record = free_db_record(
        primaryMuscles=["glutes", "glutes"],
        secondaryMuscles=["glutes", "hamstrings", "hamstrings"],
    )
    run_import(write_json(tmp_path, [record]))

    assert roles_of(Exercise.objects.get()) == [
        ("glutes", Role.PRIMARY, 1),
        ("hamstrings", Role.SECONDARY, 2),
    ]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("3/4 Sit-Up", "three-quarter-sit-up"),
        ("1/2 Kneeling Cable Chop", "half-kneeling-cable-chop"),
        ("90/90 Hamstring", "90-90-hamstring"),
        ("Adductor/Groin", "adductor-groin"),
        ("Rocky Pull-Ups/Pulldowns", "rocky-pull-ups-pulldowns"),
        ("Child's Pose", "childs-pose"),
        ("Clean & Jerk", "clean-and-jerk"),
        ("Landmine 180's", "landmine-180s"),
    ],
)
def test_slugs_keep_what_the_name_says(muscles_loaded, tmp_path, name, slug):
    run_import(write_json(tmp_path, [free_db_record(name=name)]))
    assert Exercise.objects.get().slug == slug


def test_reimport_gives_an_old_unreadable_slug_a_readable_one_and_redirects(
    muscles_loaded, tmp_path, client
):
    record = free_db_record(id="3_4_Sit-Up", name="3/4 Sit-Up")
    run_import(write_json(tmp_path, [record]))
    # As an import before readable slugs named it.
    Exercise.objects.update(slug="34-sit-up")

    output = run_import(write_json(tmp_path, [record]))

    assert output.splitlines()[-1] == (
        "created 0, updated 1, unchanged 0, linked 0, skipped 0, failed 0"
    )
    exercise = Exercise.objects.get()
    assert exercise.slug == "three-quarter-sit-up"
    response = client.get("/exercises/34-sit-up/")
    assert response.status_code in (301, 404)  # a draft is not public
    assert list(exercise.redirects.values_list("old_slug", flat=True)) == ["34-sit-up"]


def test_taken_slug_gets_a_number(muscles_loaded, tmp_path):
    make_exercise(name="Something else", slug="cable-hip-extension")
    ExerciseRedirect.objects.create(
        old_slug="cable-hip-extension-2", exercise=Exercise.objects.get()
    )

    run_import(write_json(tmp_path, [free_db_record()]))

    imported = Exercise.objects.get(source_id__isnull=False)
    assert imported.slug == "cable-hip-extension-3"


# Re-importing ----------------------------------------------------------------


def test_second_import_of_the_same_file_changes_nothing(fixtures_loaded, tmp_path):
    records = [
        free_db_record(),
        free_db_record(id="Glute_Kickback", name="Glute Kickback"),
    ]
    path = write_json(tmp_path, records)
    run_import(path)
    before = database_state()
    updated_before = list(Exercise.objects.values_list("updated", flat=True))

    output = run_import(path)

    assert output.splitlines()[-1] == (
        "created 0, updated 0, unchanged 2, linked 0, skipped 0, failed 0"
    )
    assert database_state() == before
    assert list(Exercise.objects.values_list("updated", flat=True)) == updated_before


def test_changed_record_updates_its_exercise_instead_of_adding_one(
    muscles_loaded, tmp_path
):
    run_import(write_json(tmp_path, [free_db_record()]))
    changed = free_db_record(
        name="Cable Hip Extension (Standing)",
        level="intermediate",
        secondaryMuscles=["hamstrings"],
        instructions=["Face the machine.", "Kick back."],
    )

    output = run_import(write_json(tmp_path, [changed]))

    assert output.splitlines()[-1] == (
        "created 0, updated 1, unchanged 0, linked 0, skipped 0, failed 0"
    )
    exercise = Exercise.objects.get()
    assert exercise.name == "Cable Hip Extension (Standing)"
    assert exercise.slug == "cable-hip-extension"  # the address stays
    assert exercise.level == "intermediate"
    assert roles_of(exercise) == [
        ("glutes", Role.PRIMARY, 1),
        ("hamstrings", Role.SECONDARY, 2),
    ]
    assert [s.text for s in exercise.steps.all()] == ["Face the machine.", "Kick back."]


def test_reimport_leaves_status_explanation_and_benefits_alone(
    muscles_loaded, tmp_path
):
    run_import(write_json(tmp_path, [free_db_record()]))
    Exercise.objects.update(status=Status.PUBLISHED, explanation="Written later.")
    add_benefit(Exercise.objects.get(), title="Kept")

    run_import(write_json(tmp_path, [free_db_record(level="expert")]))

    exercise = Exercise.objects.get()
    assert exercise.level == "expert"
    assert exercise.status == Status.PUBLISHED
    assert exercise.explanation == "Written later."
    assert [b.title for b in exercise.benefits.all()] == ["Kept"]


def admin_form(exercise, **overrides):
    """The admin change form of an exercise as it is, with its rows left alone."""
    data = {
        field: getattr(exercise, field) or ""
        for field in [
            "name", "slug", "aliases", "summary", "mechanics", "equipment",
            "level", "force", "category", "explanation", "takeaway", "status",
            "source_id",
        ]
    }  # fmt: skip
    for prefix in [
        "muscle_roles",
        "benefits",
        "steps",
        "mistakes",
        "variations_from",
        "exercise_references",
    ]:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    data.update(overrides)
    return data


def test_exercise_edited_in_the_admin_is_skipped_not_overwritten(
    muscles_loaded, staff_client, tmp_path
):
    other = free_db_record(id="Other", name="Other Exercise")
    run_import(write_json(tmp_path, [free_db_record(), other]))
    exercise = Exercise.objects.get(name="Cable Hip Extension")
    response = staff_client.post(
        reverse("admin:exercises_exercise_change", args=[exercise.pk]),
        admin_form(exercise, summary="Rewritten by an editor."),
    )
    assert response.status_code == 302

    changed = [
        free_db_record(level="expert", instructions=["New step."]),
        {**other, "level": "expert"},
    ]
    output = run_import(write_json(tmp_path, changed))

    assert output.splitlines()[-1] == (
        "created 0, updated 1, unchanged 0, linked 0, skipped 1, failed 0"
    )
    assert (
        'skip: record 1 (id "Cable_Hip_Extension") "Cable Hip Extension": '
        "edited by hand in the admin since its last import"
    ) in output
    exercise.refresh_from_db()
    assert exercise.summary == "Rewritten by an editor."
    assert exercise.level == "beginner"
    assert exercise.steps.count() == 3
    assert Exercise.objects.get(name="Other Exercise").level == "expert"


# Name matches ------------------------------------------------------------------


def hand_written_leg_kickbacks():
    """The article as it was before it had a source: no steps, few attributes."""
    page = make_exercise(
        name="Leg Kickbacks",
        slug="leg-kickbacks",
        aliases="Glute kickbacks",
        summary="An isolation exercise for the glutes.",
        mechanics="isolation",
        reviewed_on=datetime.date(2026, 11, 25),
    )
    add_role(page, Muscle.objects.get(slug="glutes"), Role.TARGET, position=1)
    add_role(page, Muscle.objects.get(slug="hamstrings"), Role.STABILIZER, position=2)
    add_benefit(page, title="Glute strength")
    return page


def test_glute_kickback_is_linked_to_leg_kickbacks_and_fills_what_it_lacks(
    muscles_loaded, tmp_path
):
    leg_kickbacks = hand_written_leg_kickbacks()
    before = {
        "name": leg_kickbacks.name,
        "summary": leg_kickbacks.summary,
        "aliases": leg_kickbacks.aliases,
        "explanation": leg_kickbacks.explanation,
        "takeaway": leg_kickbacks.takeaway,
        "mechanics": leg_kickbacks.mechanics,
        "roles": roles_of(leg_kickbacks),
        "benefits": list(leg_kickbacks.benefits.values_list("title", "text")),
    }
    assert leg_kickbacks.mechanics == "isolation"
    assert not leg_kickbacks.steps.exists()
    record = free_db_record(
        id="Glute_Kickback",
        name="Glute Kickback",
        mechanic="compound",  # the page says isolation: the page wins
        equipment="body only",
        secondaryMuscles=["hamstrings"],
    )
    path = write_json(tmp_path, [record])

    output = run_import(path)

    assert output.splitlines()[-1] == (
        "created 0, updated 0, unchanged 0, linked 1, skipped 0, failed 0"
    )
    assert (
        'link: record 1 (id "Glute_Kickback") "Glute Kickback" to the existing '
        'exercise "Leg Kickbacks" (leg-kickbacks); its content is kept'
    ) in output
    assert (
        'fill: record 1 (id "Glute_Kickback") "Glute Kickback" adds equipment, '
        'level, force, category, 3 steps to the exercise "Leg Kickbacks" '
        "(leg-kickbacks), which editors own"
    ) in output
    assert Exercise.objects.count() == 1
    leg_kickbacks.refresh_from_db()
    assert leg_kickbacks.source_id == "free-exercise-db:Glute_Kickback"
    # What the page lacked comes from the record ...
    assert (
        leg_kickbacks.equipment,
        leg_kickbacks.level,
        leg_kickbacks.force,
        leg_kickbacks.category,
    ) == ("body-only", "beginner", "push", "strength")
    assert [s.text for s in leg_kickbacks.steps.all()] == record["instructions"]
    # ... and what the editors wrote stays.
    assert {
        "name": leg_kickbacks.name,
        "summary": leg_kickbacks.summary,
        "aliases": leg_kickbacks.aliases,
        "explanation": leg_kickbacks.explanation,
        "takeaway": leg_kickbacks.takeaway,
        "mechanics": leg_kickbacks.mechanics,
        "roles": roles_of(leg_kickbacks),
        "benefits": list(leg_kickbacks.benefits.values_list("title", "text")),
    } == before
    after_link = database_state()

    # Now matched by its source id, the page still wins: nothing is empty.
    output = run_import(
        write_json(tmp_path, [{**record, "level": "expert", "instructions": ["X"]}])
    )
    assert output.splitlines()[-1] == (
        "created 0, updated 0, unchanged 1, linked 0, skipped 0, failed 0"
    )
    assert database_state() == after_link


def test_a_reviewed_page_is_filled_in_not_overwritten(muscles_loaded, tmp_path):
    run_import(write_json(tmp_path, [free_db_record()]))
    exercise = Exercise.objects.get()
    exercise.name = "Standing Cable Hip Extension"
    exercise.reviewed_on = datetime.date(2026, 12, 1)
    exercise.force = ""
    exercise.save()
    MuscleRole.objects.filter(exercise=exercise).update(role=Role.TARGET)
    exercise.steps.all().delete()

    output = run_import(write_json(tmp_path, [free_db_record(level="expert")]))

    assert output.splitlines()[-1] == (
        "created 0, updated 1, unchanged 0, linked 0, skipped 0, failed 0"
    )
    exercise.refresh_from_db()
    assert exercise.name == "Standing Cable Hip Extension"
    assert exercise.level == "beginner"  # kept
    assert exercise.force == "push"  # was empty: filled
    assert exercise.steps.count() == 3  # had none: filled
    assert {r.role for r in exercise.muscle_roles.all()} == {Role.TARGET}


def test_record_named_like_an_already_linked_exercise_is_skipped(
    fixtures_loaded, tmp_path
):
    first = [
        free_db_record(id="Glute_Kickback", name="Glute Kickback"),
        free_db_record(),
    ]
    run_import(write_json(tmp_path, first))
    later = [
        free_db_record(id="Glute_Kickbacks_2", name="Glute kickbacks"),
        free_db_record(id="Cable_Hip_Extensions", name="Cable hip extensions"),
    ]

    output = run_import(write_json(tmp_path, later))

    assert output.splitlines()[-1] == (
        "created 0, updated 0, unchanged 0, linked 0, skipped 2, failed 0"
    )
    assert "already linked to free-exercise-db:Glute_Kickback" in output
    assert "already linked to free-exercise-db:Cable_Hip_Extension" in output
    assert Exercise.objects.count() == 2  # Leg Kickbacks and Cable Hip Extension


# Duplicates --------------------------------------------------------------------


def duplicate_records():
    return [
        free_db_record(id="Seated_Leg_Tucks", name="Seated Leg Tucks"),
        free_db_record(
            id="Seated_Flat_Bench_Leg_Pull-In",
            name="Seated Flat Bench Leg Pull-In",
            secondaryMuscles=["hamstrings", "quadriceps"],
        ),
        free_db_record(id="Other", name="Other Exercise"),
    ]


def test_duplicates_list_merges_one_record_into_the_other(
    muscles_loaded, tmp_path, client
):
    duplicates = write_json(
        tmp_path,
        [{"merge": "Seated_Flat_Bench_Leg_Pull-In", "into": "Seated_Leg_Tucks"}],
        name="duplicates.json",
    )
    path = write_json(tmp_path, duplicate_records())

    output = run_import(path, "--publish", "--duplicates", str(duplicates))

    assert (
        'merged: "Seated Flat Bench Leg Pull-In" (seated-flat-bench-leg-pull-in) '
        'into "Seated Leg Tucks" (seated-leg-tucks)'
    ) in output
    assert sorted(Exercise.objects.values_list("name", flat=True)) == [
        "Other Exercise",
        "Seated Leg Tucks",
    ]
    kept = Exercise.objects.get(name="Seated Leg Tucks")
    assert kept.alias_list == ["Seated Flat Bench Leg Pull-In"]
    # The muscle only the merged record named moved; none is listed twice.
    assert [slug for slug, _, _ in roles_of(kept)] == [
        "glutes",
        "hamstrings",
        "lower-back",
        "quadriceps",
    ]
    response = client.get("/exercises/seated-flat-bench-leg-pull-in/")
    assert response.status_code == 301
    assert response["Location"] == "/exercises/seated-leg-tucks/"

    # A second import does not bring the merged record back.
    before = database_state()
    output = run_import(path, "--duplicates", str(duplicates))
    assert "created 0," in output.splitlines()[-1]
    assert "merged: " not in output
    assert Exercise.objects.count() == 2
    assert database_state()[1] == before[1]


def test_duplicates_dry_run_says_what_would_be_merged(muscles_loaded, tmp_path):
    duplicates = write_json(
        tmp_path,
        [{"merge": "Seated_Flat_Bench_Leg_Pull-In", "into": "Seated_Leg_Tucks"}],
        name="duplicates.json",
    )
    output = run_import(
        write_json(tmp_path, duplicate_records()),
        "--dry-run",
        "--duplicates",
        str(duplicates),
    )
    assert (
        "would merge: free-exercise-db:Seated_Flat_Bench_Leg_Pull-In into "
        "free-exercise-db:Seated_Leg_Tucks"
    ) in output
    assert not Exercise.objects.exists()


def test_a_malformed_duplicates_list_fails_before_anything_is_written(
    muscles_loaded, tmp_path
):
    duplicates = write_json(tmp_path, [{"merge": "A"}], name="duplicates.json")
    with pytest.raises(CommandError) as failure:
        run_import(
            write_json(tmp_path, duplicate_records()), "--duplicates", str(duplicates)
        )
    assert 'duplicates entry 1: needs "merge" and "into"' in str(failure.value)
    assert not Exercise.objects.exists()


# Bad input ---------------------------------------------------------------------


def assert_import_fails(path, *expected_parts):
    with pytest.raises(CommandError) as failure:
        run_import(path)
    for part in expected_parts:
        assert part in str(failure.value)
    return str(failure.value)


@pytest.mark.parametrize(
    ("bad_record", "expected"),
    [
        (
            {"name": "No Id"},
            ['record 3, field "id": is missing'],
        ),
        (
            free_db_record(id="No_Level", level=None),
            ['record 3 (id "No_Level"), field "level": must not be null'],
        ),
        (
            {k: v for k, v in free_db_record(id="X").items() if k != "primaryMuscles"},
            ['record 3 (id "X"), field "primaryMuscles": is missing'],
        ),
        (
            free_db_record(id="Bad_Muscle", secondaryMuscles=["wings"]),
            [
                'record 3 (id "Bad_Muscle"), field "secondaryMuscles": '
                'unknown muscle group "wings"'
            ],
        ),
        (
            free_db_record(id="Bad_Equipment", equipment="sofa"),
            ['record 3 (id "Bad_Equipment"), field "equipment": unknown value "sofa"'],
        ),
        (
            free_db_record(id="Bad_Category", category="yoga"),
            ['record 3 (id "Bad_Category"), field "category": unknown value "yoga"'],
        ),
        (
            free_db_record(id="New_Record"),
            [
                'record 3 (id "New_Record"), field "id": same as record 2 '
                '(id "New_Record"); must be unique'
            ],
        ),
        (
            free_db_record(id="Bad_Steps", instructions="Just do it."),
            ['record 3 (id "Bad_Steps"), field "instructions": must be a list'],
        ),
        ("not an object", ["record 3: is not a JSON object"]),
    ],
)
def test_bad_record_fails_the_whole_import_and_writes_nothing(
    fixtures_loaded, tmp_path, bad_record, expected
):
    run_import(write_json(tmp_path, [free_db_record()]))
    before = database_state()
    # A changed record and a new one come before the bad one; neither is written.
    records = [
        free_db_record(level="expert"),
        free_db_record(id="New_Record", name="New Record"),
        bad_record,
    ]

    message = assert_import_fails(
        write_json(tmp_path, records),
        "nothing was imported; 1 record failed",
        *expected,
    )

    assert database_state() == before
    assert message.count("\n") == 1  # one failed record, one line


def test_every_failed_record_is_reported(muscles_loaded, tmp_path):
    records = [
        free_db_record(id="A", level="pro"),
        free_db_record(id="B"),
        free_db_record(id="C", primaryMuscles=["tail"]),
    ]
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_exercises", str(write_json(tmp_path, records)), stdout=out)

    assert "2 records failed" in str(failure.value)
    assert 'record 1 (id "A"), field "level"' in str(failure.value)
    assert 'record 3 (id "C"), field "primaryMuscles"' in str(failure.value)
    assert out.getvalue().splitlines()[-1] == (
        "created 0, updated 0, unchanged 0, linked 0, skipped 0, failed 2"
    )
    assert not Exercise.objects.exists()


def test_file_that_is_not_json_fails(muscles_loaded, tmp_path):
    path = tmp_path / "exercises.json"
    path.write_text('[{"id": "A",', encoding="utf-8")

    assert_import_fails(path, "exercises.json: not valid JSON")
    assert not Exercise.objects.exists()


def test_missing_file_fails(db, tmp_path):
    assert_import_fails(tmp_path / "nowhere.json", "nowhere.json: cannot read")


def test_json_of_another_shape_fails(muscles_loaded, tmp_path):
    assert_import_fails(
        write_json(tmp_path, {"exercises": []}),
        "Neither free-exercise-db's list of exercises nor an export of this site",
    )


def export_record(**overrides):
    record = {
        "name": "Hip Thrust",
        "slug": "hip-thrust",
        "summary": "A hip extension exercise.",
        "status": "published",
        "published": "2025-03-01T10:00:00+00:00",
        "muscles": [{"muscle": "glutes", "role": "target", "position": 1}],
    }
    record.update(overrides)
    return record


def export_file(*records, version=1):
    return {"format": "exercise-atlas", "version": version, "exercises": records}


@pytest.mark.parametrize(
    ("bad_record", "expected"),
    [
        (
            export_record(muscles=[{"muscle": "wings", "role": "target"}]),
            'record 2 (slug "hip-thrust"), field "muscles[1].muscle": '
            'unknown muscle "wings"',
        ),
        (
            export_record(muscles=[{"muscle": "glutes", "role": "boss"}]),
            'field "muscles[1].role": unknown value "boss"',
        ),
        (
            export_record(
                muscles=[
                    {"muscle": "glutes", "role": "target"},
                    {"muscle": "glutes", "role": "synergist"},
                ]
            ),
            'field "muscles[2].muscle": "glutes" is listed twice',
        ),
        (
            export_record(steps=[{"text": "Go.", "position": -1}]),
            'field "steps[1].position": must be between 0 and 32767',
        ),
        (
            export_record(benefits=[{"text": "No title."}]),
            'field "benefits[1].title": is missing',
        ),
        (
            export_record(published="yesterday"),
            'field "published": must be an ISO 8601 date and time',
        ),
        (
            export_record(published="2025-03-01T10:00:00"),
            'field "published": must be an ISO 8601 date and time with a UTC offset',
        ),
        (export_record(slug="hip thrust"), 'field "slug": may hold only'),
        (export_record(sumary="typo"), 'field "sumary": unknown field'),
        (export_record(level="pro"), 'field "level": unknown value "pro"'),
        (
            export_record(slug="squat"),
            'record 2 (slug "squat"), field "slug": same as record 1 (slug "squat")',
        ),
        (
            export_record(source_id="elsewhere:1"),
            'record 2 (slug "hip-thrust"), field "source_id": same as record 1',
        ),
    ],
)
def test_bad_record_in_our_format_fails_and_writes_nothing(
    muscles_loaded, tmp_path, bad_record, expected
):
    squat = export_record(name="Squat", slug="squat", source_id="elsewhere:1")

    assert_import_fails(write_json(tmp_path, export_file(squat, bad_record)), expected)

    assert not Exercise.objects.exists()


def test_source_id_of_another_exercise_fails(muscles_loaded, tmp_path):
    make_exercise(slug="squat", source_id="elsewhere:1")
    make_exercise(slug="hip-thrust")
    record = export_record(source_id="elsewhere:1")

    assert_import_fails(
        write_json(tmp_path, export_file(record)),
        'record 1 (slug "hip-thrust"), field "source_id": already belongs to the '
        'exercise "squat"',
    )


def test_unknown_version_of_our_format_fails(muscles_loaded, tmp_path):
    assert_import_fails(
        write_json(tmp_path, export_file(export_record(), version=3)),
        '"version" is 3; this importer reads versions 1, 2.',
    )


# Dry run and output ------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(fixtures_loaded, tmp_path):
    # The Leg Kickbacks article names its source; without it, a link is planned.
    Exercise.objects.filter(slug="leg-kickbacks").update(source_id=None)
    run_import(write_json(tmp_path, [free_db_record()]))
    before = database_state()
    records = [
        free_db_record(level="expert"),
        free_db_record(id="New_One", name="New One"),
        free_db_record(id="Glute_Kickback", name="Glute Kickback"),
    ]

    output = run_import(write_json(tmp_path, records), "--dry-run")

    assert database_state() == before
    assert 'would update: record 1 (id "Cable_Hip_Extension")' in output
    assert 'would create: record 2 (id "New_One") "New One" as new-one' in output
    assert 'would link: record 3 (id "Glute_Kickback")' in output
    assert output.splitlines()[-1] == (
        "Dry run, nothing written. Would have: created 1, updated 1, unchanged 0, "
        "linked 1, skipped 0, failed 0"
    )


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal(muscles_loaded, tmp_path):
    path = write_json(tmp_path, [free_db_record()])
    quiet = run_import(path)
    terminal = Terminal()
    Exercise.objects.all().delete()

    call_command("import_exercises", str(path), stdout=terminal)

    assert "\r" not in quiet
    assert "\rImporting [##############################] 1/1" in terminal.getvalue()


def test_query_count_does_not_grow_with_the_number_of_records(muscles_loaded, tmp_path):
    def queries_to_import(count):
        records = [free_db_record(id=f"R{n}", name=f"Record {n}") for n in range(count)]
        path = write_json(tmp_path, records, name=f"{count}.json")
        with CaptureQueriesContext(connection) as queries:
            run_import(path)
        Exercise.objects.all().delete()
        return len(queries)

    # Bulk inserts split into a few batches; nothing is queried per record.
    assert queries_to_import(200) <= queries_to_import(5) + 10


# Export and round trip ---------------------------------------------------------


def test_round_trip_through_an_empty_database_is_byte_identical(
    fixtures_loaded, tmp_path
):
    run_import(
        write_json(
            tmp_path, [free_db_record(), free_db_record(id="Uebung", name="Übung")]
        ),
    )
    hip_thrust = make_exercise(
        name="Hip Thrust",
        slug="hip-thrust",
        aliases="Barbell hip thrust, Glute bridge",
        status=Status.DRAFT,
        source_id="elsewhere:7",
        explanation="Drive the hips **up**.\n\n- Squeeze\n- Hold",
    )
    add_role(hip_thrust, Muscle.objects.get(slug="gluteus-maximus"), note="lockout")
    add_role(
        hip_thrust, Muscle.objects.get(slug="quadriceps"), Role.SYNERGIST, position=0
    )
    add_benefit(hip_thrust, title="Ünïcode — fine", position=2)
    add_benefit(hip_thrust, title="Same position", position=2)
    make_exercise(name="Plank", slug="plank")  # published now, to the microsecond
    # Renamed twice: both earlier addresses redirect, also after a restore.
    hip_thrust.slug = "barbell-hip-thrust"
    hip_thrust.save()
    hip_thrust.slug = "hip-thrusts"
    hip_thrust.save()
    first = tmp_path / "first.json"
    call_command("export_exercises", "--output", str(first))

    Exercise.objects.all().delete()
    run_import(first)
    second = run_export()

    assert second == first.read_text(encoding="utf-8")
    restored = Exercise.objects.get(slug="hip-thrusts")
    assert sorted(restored.redirects.values_list("old_slug", flat=True)) == [
        "barbell-hip-thrust",
        "hip-thrust",
    ]
    assert second.endswith("}\n")
    assert "Ünïcode — fine" in second  # not \u-escaped


def article_with_everything():
    """Two pages with review, mistakes, references cited, and a variation."""
    squat = make_exercise(
        name="Barbell Back Squat",
        slug="barbell-back-squat",
        reviewed_on=datetime.date(2026, 12, 1),
        reviewed_by="Exercise Atlas editors",
    )
    goblet = make_exercise(name="Goblet Squat", slug="goblet-squat")
    emg = make_reference(
        authors="Smith J, Jones K", title="Squat EMG", year=2019, doi="10.1/emg"
    )
    book = make_reference(
        authors="Author A",
        title="A textbook",
        publication="Publisher",
        year=None,
        doi="",
        pmid="",
        url="https://example.org/book",
    )
    cite(squat, emg, position=2)
    cite(squat, book, position=1)
    add_benefit(squat, title="Strength").references.add(emg)
    add_mistake(squat, title="Knees cave in", position=1).references.add(book, emg)
    add_mistake(squat, title="Heels lift", position=2)
    add_variation(squat, goblet, "easier")
    return squat, goblet


def test_round_trip_keeps_review_mistakes_references_and_variations(
    muscles_loaded, tmp_path
):
    article_with_everything()
    first = tmp_path / "first.json"
    call_command("export_exercises", "--output", str(first))
    data = json.loads(first.read_text())
    [squat] = [r for r in data["exercises"] if r["slug"] == "barbell-back-squat"]
    assert data["version"] == 2
    assert squat["reviewed_on"] == "2026-12-01"
    assert squat["reviewed_by"] == "Exercise Atlas editors"
    assert [r["title"] for r in squat["references"]] == ["A textbook", "Squat EMG"]
    assert [(m["title"], m["cites"]) for m in squat["mistakes"]] == [
        ("Knees cave in", [1, 2]),
        ("Heels lift", []),
    ]
    assert squat["benefits"][0]["cites"] == [2]
    assert squat["variations"] == [
        {"exercise": "goblet-squat", "kind": "easier", "position": 0}
    ]

    Exercise.objects.all().delete()
    Reference.objects.all().delete()
    output = run_import(first)

    assert "created 2," in output.splitlines()[-1]
    assert run_export() == first.read_text(encoding="utf-8")
    restored = Exercise.objects.get(slug="goblet-squat")
    assert [(k.value, p.slug) for k, p in restored.variation_links()] == [
        ("harder", "barbell-back-squat")
    ]
    # Importing the same file again changes nothing.
    assert run_import(first).splitlines()[-1] == (
        "created 0, updated 0, unchanged 2, linked 0, skipped 0, failed 0"
    )


def test_a_restored_backup_remembers_merged_records(muscles_loaded, tmp_path):
    records = duplicate_records()
    duplicates = write_json(
        tmp_path,
        [{"merge": "Seated_Flat_Bench_Leg_Pull-In", "into": "Seated_Leg_Tucks"}],
        name="duplicates.json",
    )
    source = write_json(tmp_path, records)
    run_import(source, "--duplicates", str(duplicates))
    backup = tmp_path / "backup.json"
    call_command("export_exercises", "--output", str(backup))
    [kept] = [
        r
        for r in json.loads(backup.read_text())["exercises"]
        if r["slug"] == "seated-leg-tucks"
    ]
    merged_id = "free-exercise-db:Seated_Flat_Bench_Leg_Pull-In"
    assert kept["merged"] == {"seated-flat-bench-leg-pull-in": merged_id}

    Exercise.objects.all().delete()
    run_import(backup)
    assert run_export() == backup.read_text(encoding="utf-8")
    # free-exercise-db again, without the duplicates list: still not brought back.
    output = run_import(source, "--duplicates", "")
    assert "created 0," in output.splitlines()[-1]
    assert Exercise.objects.count() == 2


def test_a_reference_shared_by_two_records_is_one_row(muscles_loaded, tmp_path):
    shared = {
        "authors": "Smith J",
        "title": "Squat EMG",
        "publication": "",
        "year": 2019,
        "doi": "10.1/emg",
        "pmid": "",
        "url": "",
        "position": 1,
    }
    path = write_json(
        tmp_path,
        export_file(
            export_record(references=[shared]),
            export_record(slug="other", name="Other", references=[shared]),
            version=2,
        ),
    )
    run_import(path)
    assert Reference.objects.count() == 1
    assert Reference.objects.get().exercises.count() == 2


def test_version_1_file_leaves_mistakes_references_and_variations_alone(
    muscles_loaded, tmp_path
):
    squat, _ = article_with_everything()
    data = json.loads(run_export())
    for record in data["exercises"]:
        for key in ["mistakes", "references", "variations", "reviewed_on"]:
            del record[key]
        del record["reviewed_by"]
        for benefit in record["benefits"]:
            del benefit["cites"]
    data["version"] = 1
    run_import(write_json(tmp_path, data))
    squat.refresh_from_db()
    assert squat.mistakes.count() == 2
    assert len(squat.numbered_references()) == 2
    assert len(squat.variation_links()) == 1
    assert squat.reviewed_on == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"variations": [{"exercise": "nowhere", "kind": "easier"}]},
            'field "variations": "nowhere" is not an exercise of the file or the atlas',
        ),
        (
            {"variations": [{"exercise": "hip-thrust", "kind": "easier"}]},
            'field "variations[1].exercise": "hip-thrust" is this page',
        ),
        (
            {"variations": [{"exercise": "other", "kind": "much harder"}]},
            'field "variations[1].kind": unknown value "much harder"',
        ),
        (
            {"mistakes": [{"title": "T", "text": "x", "cites": [1]}]},
            'field "mistakes[1].cites": names a reference the record does not list',
        ),
        (
            {"references": [{"authors": "A", "title": "T", "doi": ""}]},
            'field "references[1]": needs a doi, a pmid or a url',
        ),
        ({"reviewed_on": "1 Dec 2026"}, 'field "reviewed_on": must be a date'),
    ],
)
def test_bad_article_content_fails_and_writes_nothing(
    muscles_loaded, tmp_path, overrides, expected
):
    path = write_json(
        tmp_path,
        export_file(
            export_record(**overrides), export_record(slug="other", name="Other")
        ),
    )
    assert_import_fails(path, expected)
    assert not Exercise.objects.exists()


def test_import_of_our_format_updates_exercises_matched_by_slug(
    fixtures_loaded, tmp_path
):
    data = json.loads(run_export())
    data["exercises"][0]["takeaway"] = "A new takeaway."
    data["exercises"][0]["benefits"].pop()

    output = run_import(write_json(tmp_path, data))

    assert output.splitlines()[-1] == (
        "created 0, updated 1, unchanged 0, linked 0, skipped 0, failed 0"
    )
    leg_kickbacks = Exercise.objects.get()
    assert leg_kickbacks.takeaway == "A new takeaway."
    assert leg_kickbacks.benefits.count() == 2


def test_generated_catalogue_imports(muscles_loaded, tmp_path):
    path = tmp_path / "catalogue.json"
    call_command("generate_catalogue", "--count", "40", "--output", str(path))
    again = io.StringIO()
    call_command("generate_catalogue", "--count", "40", stdout=again)
    other_seed = io.StringIO()
    call_command(
        "generate_catalogue", "--count", "40", "--seed", "2", stdout=other_seed
    )

    output = run_import(path)

    assert again.getvalue() == path.read_text(encoding="utf-8")
    assert other_seed.getvalue() != again.getvalue()
    assert output.splitlines()[-1] == (
        "created 40, updated 0, unchanged 0, linked 0, skipped 0, failed 0"
    )
    assert Exercise.objects.published().count() == 40
    for exercise in Exercise.objects.all():
        roles = [role.role for role in exercise.muscle_roles.all()]
        assert roles.count(Role.TARGET) == 1
        assert 1 <= roles.count(Role.SYNERGIST) <= 3
        assert roles.count(Role.STABILIZER) <= 2
        assert 2 <= exercise.benefits.count() <= 4
        assert 3 <= exercise.steps.count() <= 6
    assert run_export() == path.read_text(encoding="utf-8")


# The real free-exercise-db file ------------------------------------------------


def test_free_exercise_db_file_imports_without_failures(fixtures_loaded):
    if not FREE_EXERCISE_DB.exists():
        pytest.skip(f"free-exercise-db data not found at {FREE_EXERCISE_DB}")
    records = json.loads(FREE_EXERCISE_DB.read_text(encoding="utf-8"))
    assert len(records) == 873

    output = run_import(FREE_EXERCISE_DB)

    # Glute Kickback is the Leg Kickbacks article's source (its source_id), so
    # it is already there; the duplicates in fixtures/duplicates.json are merged.
    assert output.splitlines()[-1] == (
        "created 872, updated 0, unchanged 1, linked 0, skipped 0, failed 0"
    )
    duplicates = json.loads(
        (settings.BASE_DIR / "fixtures" / "duplicates.json").read_text()
    )
    assert output.count("merged: ") == len(duplicates) > 0
    assert Exercise.objects.count() == 873 - len(duplicates)
    assert Exercise.objects.filter(
        source_id__startswith="free-exercise-db:"
    ).count() == 873 - len(duplicates)
    assert ExerciseRedirect.objects.exclude(source_id=None).count() == len(duplicates)
    assert not Exercise.objects.published().exclude(slug="leg-kickbacks").exists()
    assert Exercise.objects.filter(slug="three-quarter-sit-up").exists()
    assert not Exercise.objects.filter(slug="34-sit-up").exists()

    output = run_import(FREE_EXERCISE_DB)
    assert output.splitlines()[-1] == (
        "created 0, updated 0, unchanged 873, linked 0, skipped 0, failed 0"
    )


def test_import_restores_redirects_and_refuses_conflicting_ones(
    fixtures_loaded, tmp_path, client
):
    data = json.loads(run_export())
    data["exercises"][0]["redirects"] = ["glute-kickbacks-old"]
    run_import(write_json(tmp_path, data))
    response = client.get("/exercises/glute-kickbacks-old/")
    assert response.status_code == 301
    assert response["Location"] == "/exercises/leg-kickbacks/"

    plank = make_exercise(name="Plank", slug="plank")
    before = database_state()
    data["exercises"][0]["redirects"] = ["plank"]
    with pytest.raises(CommandError) as error:
        run_import(write_json(tmp_path, data, name="conflict.json"))
    assert 'field "redirects"' in str(error.value)
    assert '"plank" is the address of the exercise "Plank"' in str(error.value)
    assert database_state() == before
    assert plank.redirects.count() == 0


def test_our_format_does_not_take_over_a_page_imported_from_elsewhere(
    fixtures_loaded, tmp_path
):
    run_import(write_json(tmp_path, [free_db_record()]))
    imported = Exercise.objects.get(source_id="free-exercise-db:Cable_Hip_Extension")
    data = json.loads(run_export())
    [record] = [r for r in data["exercises"] if r["slug"] == imported.slug]
    record["source_id"] = None
    record["summary"] = "A different exercise that happens to share the slug."
    before = database_state()
    with pytest.raises(CommandError) as error:
        run_import(write_json(tmp_path, data, name="ours.json"))
    assert f'field "slug": "{imported.slug}" is the exercise imported from' in str(
        error.value
    )
    assert database_state() == before


def test_our_format_does_not_take_over_a_slug_that_redirects_elsewhere(
    fixtures_loaded, tmp_path, client
):
    leg_kickbacks = Exercise.objects.get(slug="leg-kickbacks")
    leg_kickbacks.slug = "glute-kickbacks"
    leg_kickbacks.save()
    data = {
        "format": "exercise-atlas",
        "version": 1,
        "exercises": [{"name": "New", "slug": "leg-kickbacks", "summary": "New."}],
    }
    before = database_state()
    with pytest.raises(CommandError) as error:
        run_import(write_json(tmp_path, data), "--dry-run")
    assert 'field "slug": "leg-kickbacks" is an earlier address' in str(error.value)
    assert database_state() == before
    assert client.get("/exercises/leg-kickbacks/").status_code == 301
