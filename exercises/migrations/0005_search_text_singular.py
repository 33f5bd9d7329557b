import re
import unicodedata

from django.db import migrations, models


# Frozen copies of exercises.search.search_words() and singular() as they were
# when this migration was written: later changes to search must not change
# what this step does.
def search_words(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [singular(word) for word in re.findall(r"\w+", plain)]


def singular(word):
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


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
