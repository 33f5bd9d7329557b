from django.contrib.auth.management import create_permissions
from django.db import migrations

# Editors write and publish content. They may remove a muscle role, benefit or
# step row from an exercise, but not delete exercises or muscles, and nothing
# outside this app (users, groups).
EDITOR_PERMISSIONS = {
    "exercise": ["add", "change", "view"],
    "muscle": ["add", "change", "view"],
    "musclerole": ["add", "change", "view", "delete"],
    "benefit": ["add", "change", "view", "delete"],
    "step": ["add", "change", "view", "delete"],
    # Made by renaming a slug. Editors see why an old slug is taken, and may
    # delete the redirect to reuse it, as the slug's error message tells them.
    "exerciseredirect": ["view", "delete"],
    "muscleredirect": ["view", "delete"],
}


def create_editors_group(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally created after the whole migrate run; on a new
    # database they do not exist yet, so create this app's now.
    app_config = apps.get_app_config("exercises")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=using)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}"
        for model, actions in EDITOR_PERMISSIONS.items()
        for action in actions
    ]
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="exercises", codename__in=codenames
    )
    assert permissions.count() == len(codenames)
    group, _ = Group.objects.using(using).get_or_create(name="Editors")
    group.permissions.add(*permissions)


def delete_editors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name="Editors"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("exercises", "0002_search_and_redirects"),
    ]

    operations = [
        migrations.RunPython(create_editors_group, delete_editors_group),
    ]
