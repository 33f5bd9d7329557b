import re
import unicodedata

from django.contrib.auth.management import create_permissions
from django.db import migrations, models


# Frozen copies of exercises.search as it was when this migration was written:
# later changes to search must not change what this step does.
def search_words(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [singular(word) for word in re.findall(r"\w+", plain)]


def singular(word):
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def spaced(words):
    return "".join(f" {word}" for word in words)


def joined_pairs(words):
    return [singular(first + second) for first, second in zip(words, words[1:])]


def search_fields(name, aliases, summary):
    names = [search_words(name)]
    names += [search_words(alias) for alias in aliases.split(",") if alias.strip()]
    pairs = [pair for words in names for pair in joined_pairs(words)]
    all_name_words = [word for words in names for word in words]
    search_text = spaced(all_name_words + search_words(summary) + pairs)
    search_names = "".join(f"{spaced(words)} |" for words in names)
    return search_text, f"{search_names}#{spaced(pairs)}"


def rebuild_search_fields(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    exercises = Exercise.objects.using(schema_editor.connection.alias)
    for exercise in exercises.all().iterator():
        exercise.search_text, exercise.search_names = search_fields(
            exercise.name, exercise.aliases, exercise.summary
        )
        exercise.save(update_fields=["search_text", "search_names"])


def let_editors_edit_synonyms(apps, schema_editor):
    using = schema_editor.connection.alias
    # As in 0003: on a new database the permissions do not exist yet.
    app_config = apps.get_app_config("exercises")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="exercises",
        codename__in=[
            f"{action}_searchsynonym" for action in ["add", "change", "delete", "view"]
        ],
    )
    assert permissions.count() == 4
    group, _ = Group.objects.using(using).get_or_create(name="Editors")
    group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("exercises", "0007_core_into_abdominals_and_lower_back"),
    ]

    operations = [
        migrations.AddField(
            model_name="exercise",
            name="search_names",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Name and aliases as search_words(), for ranking results; "
                "set on save.",
            ),
        ),
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "term",
                    models.CharField(
                        help_text='What readers type, e.g. "RDL" or "abs".',
                        max_length=60,
                    ),
                ),
                (
                    "meaning",
                    models.CharField(
                        help_text='What it stands for, e.g. "Romanian deadlift" or '
                        '"abdominals". A term may have several meanings: results '
                        "for each are shown.",
                        max_length=100,
                    ),
                ),
            ],
            options={
                "ordering": ["term", "meaning"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("term", "meaning"), name="unique_search_synonym"
                    )
                ],
            },
        ),
        # Search text now holds joined word pairs too ("pushup" for "Push-Up").
        migrations.RunPython(rebuild_search_fields, migrations.RunPython.noop),
        migrations.RunPython(let_editors_edit_synonyms, migrations.RunPython.noop),
    ]
