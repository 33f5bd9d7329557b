"""The "Editors" group, and deleting muscles that are still in use."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from exercises.models import (
    Benefit,
    Exercise,
    ExerciseRedirect,
    Muscle,
    SearchSynonym,
)
from tests.factories import (
    add_benefit,
    add_role,
    make_exercise,
    make_muscle,
    new_exercise_form,
)

pytestmark = pytest.mark.django_db


def unchanged_form_data(response):
    """What the admin change form posts back when nothing is edited."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:
                data[field.html_name] = value
    return data


def test_editor_adds_an_exercise(editor_client, fixtures_loaded):
    response = editor_client.post(
        reverse("admin:exercises_exercise_add"), new_exercise_form()
    )
    assert response.status_code == 302
    assert Exercise.objects.filter(slug="hip-thrust").exists()


def test_editor_changes_an_exercise_and_removes_an_inline_row(editor_client):
    exercise = make_exercise(name="Squat")
    add_role(exercise, make_muscle())
    kept = add_benefit(exercise, title="Kept", position=0)
    removed = add_benefit(exercise, title="Removed", position=1)
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])

    response = editor_client.get(url)
    assert response.status_code == 200
    data = unchanged_form_data(response)
    data["name"] = "Back squat"
    index = next(i for i in range(2) if data[f"benefits-{i}-id"] == removed.pk)
    data[f"benefits-{index}-DELETE"] = "on"

    response = editor_client.post(url, data)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.name == "Back squat"
    assert list(Benefit.objects.filter(exercise=exercise)) == [kept]


def test_editor_adds_and_changes_a_muscle(editor_client):
    group = make_muscle(name="Legs", slug="legs")
    response = editor_client.post(
        reverse("admin:exercises_muscle_add"),
        {"name": "Calves", "slug": "calves", "parent": group.pk, "function": ""},
    )
    assert response.status_code == 302
    calves = Muscle.objects.get(slug="calves")

    url = reverse("admin:exercises_muscle_change", args=[calves.pk])
    data = unchanged_form_data(editor_client.get(url))
    data["function"] = "ankle plantar flexion"
    assert editor_client.post(url, data).status_code == 302
    calves.refresh_from_db()
    assert calves.function == "ankle plantar flexion"


def test_editor_uses_autocomplete_history_and_preview(editor_client):
    exercise = make_exercise()
    make_muscle(name="Soleus")
    autocomplete = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "sol",
            "app_label": "exercises",
            "model_name": "musclerole",
            "field_name": "muscle",
        },
    )
    assert [r["text"] for r in autocomplete.json()["results"]] == ["Soleus"]
    history = reverse("admin:exercises_exercise_history", args=[exercise.pk])
    assert editor_client.get(history).status_code == 200
    preview = editor_client.post("/markdownx/markdownify/", {"content": "*hi*"})
    assert preview.content == b"<p><em>hi</em></p>"


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
        "admin:auth_group_add",
    ],
)
def test_editor_cannot_manage_accounts(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editor_cannot_delete_muscles_or_exercises(editor_client):
    muscle = make_muscle()
    exercise = make_exercise()
    for url in [
        reverse("admin:exercises_muscle_delete", args=[muscle.pk]),
        reverse("admin:exercises_exercise_delete", args=[exercise.pk]),
    ]:
        assert editor_client.get(url).status_code == 403
        assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Muscle.objects.filter(pk=muscle.pk).exists()
    assert Exercise.objects.filter(pk=exercise.pk).exists()


def test_deleting_a_muscle_in_use_is_refused_with_a_message(staff_client):
    muscle = make_muscle(name="Soleus")
    add_role(make_exercise(name="Calf raise"), muscle)
    url = reverse("admin:exercises_muscle_delete", args=[muscle.pk])

    for response in [staff_client.get(url), staff_client.post(url, {"post": "yes"})]:
        assert response.status_code == 200
        page = response.content.decode()
        assert "Cannot delete muscle" in page
        assert "would require deleting the following protected related" in page
        assert "Calf raise" in page
    assert Muscle.objects.filter(pk=muscle.pk).exists()


def test_deleting_a_group_with_muscles_is_refused_with_a_message(staff_client):
    group = make_muscle(name="Calves")
    make_muscle(name="Soleus", parent=group)
    url = reverse("admin:exercises_muscle_delete", args=[group.pk])

    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete muscle" in response.content.decode()
    assert "Soleus" in response.content.decode()
    assert Muscle.objects.filter(pk=group.pk).exists()


def test_bulk_delete_of_muscles_in_use_is_refused_with_a_message(staff_client):
    used = make_muscle(name="Soleus")
    add_role(make_exercise(name="Calf raise"), used)
    group = make_muscle(name="Calves")
    make_muscle(name="Gastrocnemius", parent=group)
    unused = make_muscle(name="Tibialis")
    selected = [used.pk, group.pk, unused.pk]
    url = reverse("admin:exercises_muscle_changelist")

    for confirmed in [{}, {"post": "yes"}]:
        response = staff_client.post(
            url,
            {
                "action": "delete_selected",
                helpers.ACTION_CHECKBOX_NAME: selected,
                **confirmed,
            },
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Cannot delete muscles" in page
        assert "Calf raise" in page and "Gastrocnemius" in page
    assert Muscle.objects.filter(pk__in=selected).count() == 3


def test_editor_can_free_a_slug_by_deleting_its_redirect(editor_client):
    exercise = make_exercise(slug="old-name")
    exercise.slug = "new-name"
    exercise.save()
    redirect = ExerciseRedirect.objects.get(old_slug="old-name")
    url = reverse("admin:exercises_exerciseredirect_delete", args=[redirect.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 302
    assert not ExerciseRedirect.objects.exists()


def test_editor_keeps_the_search_synonyms(editor_client):
    add = reverse("admin:exercises_searchsynonym_add")
    response = editor_client.post(add, {"term": "JC", "meaning": "Jefferson curl"})
    assert response.status_code == 302
    synonym = SearchSynonym.objects.get(term="JC")
    delete = reverse("admin:exercises_searchsynonym_delete", args=[synonym.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not SearchSynonym.objects.exists()
