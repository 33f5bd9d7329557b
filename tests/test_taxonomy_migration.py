"""Migration 0007: a database made before the three-level taxonomy loses "core"."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The lead may renumber them at merge; the test follows the names.
BEFORE = ("exercises", "0006_content_structure")
CORE_SPLIT = ("exercises", "0007_core_into_abdominals_and_lower_back")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_core_rows_become_abdominals_and_lower_back_rows():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps
        Muscle = old.get_model("exercises", "Muscle")
        Exercise = old.get_model("exercises", "Exercise")
        MuscleRole = old.get_model("exercises", "MuscleRole")
        MuscleRedirect = old.get_model("exercises", "MuscleRedirect")
        core = Muscle.objects.create(name="Core", slug="core")
        abdominals = Muscle.objects.create(name="Abdominals", slug="abdominals")
        Muscle.objects.create(name="Lower back", slug="lower-back")
        MuscleRedirect.objects.create(old_slug="trunk", muscle=core)
        kickback = Exercise.objects.create(name="Kickback", slug="kickback")
        MuscleRole.objects.create(
            exercise=kickback, muscle=core, role="stabilizer", position=4
        )
        crunch = Exercise.objects.create(name="Crunch", slug="crunch")
        MuscleRole.objects.create(exercise=crunch, muscle=abdominals, role="target")
        MuscleRole.objects.create(
            exercise=crunch, muscle=core, role="synergist", note="bracing"
        )

        executor = MigrationExecutor(connection)
        executor.migrate([CORE_SPLIT])
        new = executor.loader.project_state([CORE_SPLIT]).apps
        rows = new.get_model("exercises", "MuscleRole").objects.order_by(
            "exercise__slug", "muscle__slug"
        )
        assert [
            (r.exercise.slug, r.muscle.slug, r.role, r.note, r.position) for r in rows
        ] == [
            # The crunch already named the abdominals: that row stays as it was.
            ("crunch", "abdominals", "target", "", 0),
            ("crunch", "lower-back", "synergist", "bracing", 0),
            ("kickback", "abdominals", "stabilizer", "core", 4),
            ("kickback", "lower-back", "stabilizer", "core", 4),
        ]
        muscles = new.get_model("exercises", "Muscle").objects
        assert not muscles.filter(slug="core").exists()
        redirects = new.get_model("exercises", "MuscleRedirect").objects
        assert {(r.old_slug, r.muscle.slug) for r in redirects.all()} == {
            ("core", "abdominals"),
            ("trunk", "abdominals"),
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
