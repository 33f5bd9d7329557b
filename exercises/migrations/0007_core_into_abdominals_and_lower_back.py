"""The "core" group is gone: its rows name Abdominals and Lower back instead.

For databases made before the three-level taxonomy. Each row that names core
becomes a row for Abdominals and one for Lower back, in the same role, with
the note "core" (unless the exercise already names that group); core's old
addresses, and /muscles/core/ itself, redirect to Abdominals. A database
without a core muscle (a fresh one) is left as it is. Frozen: no live code.
"""

from django.db import migrations

SPLIT_INTO = ["abdominals", "lower-back"]


def split_core(apps, schema_editor):
    Muscle = apps.get_model("exercises", "Muscle")
    MuscleRole = apps.get_model("exercises", "MuscleRole")
    MuscleRedirect = apps.get_model("exercises", "MuscleRedirect")
    core = Muscle.objects.filter(slug="core").first()
    groups = list(Muscle.objects.filter(slug__in=SPLIT_INTO).order_by("slug"))
    if core is None or len(groups) != len(SPLIT_INTO) or core.children.exists():
        return
    abdominals = next(g for g in groups if g.slug == "abdominals")
    for row in MuscleRole.objects.filter(muscle=core):
        for group in groups:
            if not MuscleRole.objects.filter(
                exercise_id=row.exercise_id, muscle=group
            ).exists():
                MuscleRole.objects.create(
                    exercise_id=row.exercise_id,
                    muscle=group,
                    role=row.role,
                    note=row.note or "core",
                    position=row.position,
                )
        row.delete()
    MuscleRedirect.objects.filter(muscle=core).update(muscle=abdominals)
    core.delete()
    MuscleRedirect.objects.update_or_create(
        old_slug="core", defaults={"muscle": abdominals}
    )


class Migration(migrations.Migration):
    dependencies = [("exercises", "0006_content_structure")]

    operations = [migrations.RunPython(split_core, migrations.RunPython.noop)]
