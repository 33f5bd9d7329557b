from django.db import migrations, models

from exercises.models import search_words


def rebuild_search_text(apps, schema_editor):
    # The same text as Exercise.build_search_text(), which migrations cannot call.
    Exercise = apps.get_model("exercises", "Exercise")
    for exercise in Exercise.objects.all().iterator():
        words = search_words(f"{exercise.name} {exercise.aliases} {exercise.summary}")
        exercise.search_text = "".join(f" {word}" for word in words)
        exercise.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0004_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exercise",
            name="search_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Name, aliases and summary as search_words(), each word "
                "after a space; set on save.",
            ),
        ),
        migrations.RunPython(rebuild_search_text, migrations.RunPython.noop),
    ]
