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
    Role,
    Status,
    Step,
)

from .factories import add_benefit, add_role, free_db_record, make_exercise

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
        "A beginner Olympic weightlifting exercise for the glutes, "
        "done with no equipment."
    )
    assert roles_of(exercise) == [
        ("glutes", Role.TARGET, 1),
        ("hamstrings", Role.SYNERGIST, 2),
        ("lower-back", Role.SYNERGIST, 3),
    ]
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
    assert exercise.summary == "A beginner strength exercise for the glutes."


def test_publish_flag_publishes_new_exercises(muscles_loaded, tmp_path):
    run_import(write_json(tmp_path, [free_db_record()]), "--publish")

    exercise = Exercise.objects.get()
    assert exercise.status == Status.PUBLISHED
    assert exercise.published is not None


def test_muscle_both_primary_and_secondary_is_a_target_only(muscles_loaded, tmp_path):
    record = free_db_record(
        primaryMuscles=["glutes", "glutes"],
        secondaryMuscles=["glutes", "hamstrings", "hamstrings"],
    )
    run_import(write_json(tmp_path, [record]))

    assert roles_of(Exercise.objects.get()) == [
        ("glutes", Role.TARGET, 1),
        ("hamstrings", Role.SYNERGIST, 2),
    ]


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
        ("glutes", Role.TARGET, 1),
        ("hamstrings", Role.SYNERGIST, 2),
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
    for prefix in ["muscle_roles", "benefits", "steps"]:
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


def test_glute_kickback_is_linked_to_leg_kickbacks_not_added(fixtures_loaded, tmp_path):
    leg_kickbacks = Exercise.objects.get(slug="leg-kickbacks")
    page_before = database_state()
    record = free_db_record(
        id="Glute_Kickback",
        name="Glute Kickback",
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
    assert Exercise.objects.count() == 1
    leg_kickbacks.refresh_from_db()
    assert leg_kickbacks.source_id == "free-exercise-db:Glute_Kickback"
    # Nothing but the source id changed.
    expected = page_before[0].replace(
        '"source_id": null', '"source_id": "free-exercise-db:Glute_Kickback"'
    )
    assert database_state() == (expected, page_before[1])

    # Now matched by its source id, the hand-written page still wins.
    output = run_import(write_json(tmp_path, [{**record, "level": "expert"}]))
    assert output.splitlines()[-1] == (
        "created 0, updated 0, unchanged 1, linked 0, skipped 0, failed 0"
    )
    assert database_state() == (expected, page_before[1])


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
        write_json(tmp_path, export_file(export_record(), version=2)),
        '"version" is 2; this importer reads version 1.',
    )


# Dry run and output ------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(fixtures_loaded, tmp_path):
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

    # Glute Kickback is linked to the Leg Kickbacks article from the fixtures.
    assert output.splitlines()[-1] == (
        "created 872, updated 0, unchanged 0, linked 1, skipped 0, failed 0"
    )
    assert Exercise.objects.count() == 873
    assert Exercise.objects.filter(
        source_id__startswith="free-exercise-db:"
    ).count() == (873)
    assert not Exercise.objects.published().exclude(slug="leg-kickbacks").exists()

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
    imported = Exercise.objects.get(source_id__startswith="free-exercise-db:")
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
