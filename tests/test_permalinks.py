"""Renamed exercises and muscles keep their old addresses as 301 redirects."""

import pytest
from django.test import Client
from django.urls import reverse

from exercises.models import Exercise, ExerciseRedirect, Muscle, Status
from tests.factories import make_exercise, make_muscle, new_exercise_form

pytestmark = pytest.mark.django_db


def rename(instance, slug):
    instance.slug = slug
    instance.save()


def test_every_earlier_slug_of_an_exercise_answers_301(client):
    exercise = make_exercise(slug="kickbacks")
    rename(exercise, "glute-kickbacks")
    rename(exercise, "leg-kickbacks")
    for old in ["kickbacks", "glute-kickbacks"]:
        response = client.get(f"/exercises/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/exercises/leg-kickbacks/"
    assert client.get("/exercises/leg-kickbacks/").status_code == 200


def test_renaming_back_to_an_old_slug_drops_that_redirect(client):
    exercise = make_exercise(slug="first")
    rename(exercise, "second")
    rename(exercise, "first")
    assert client.get("/exercises/first/").status_code == 200
    assert client.get("/exercises/second/")["Location"] == "/exercises/first/"
    assert list(ExerciseRedirect.objects.values_list("old_slug", flat=True)) == [
        "second"
    ]


def test_old_slug_of_a_draft_is_404_for_readers_and_301_for_staff(staff_client):
    exercise = make_exercise(slug="old", status=Status.DRAFT)
    rename(exercise, "new")
    assert Client().get("/exercises/old/").status_code == 404
    assert staff_client.get("/exercises/old/").status_code == 301


def test_renamed_muscle_answers_301(client):
    muscle = make_muscle(slug="butt")
    rename(muscle, "bottom")
    rename(muscle, "glutes")
    for old in ["butt", "bottom"]:
        response = client.get(f"/muscles/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/muscles/glutes/"


def test_admin_rename_keeps_the_old_address(staff_client, client, fixtures_loaded):
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    form = new_exercise_form(
        name="Leg Kickbacks",
        slug="glute-kickbacks",
        **{
            "muscle_roles-TOTAL_FORMS": "0",
            "benefits-TOTAL_FORMS": "0",
        },
    )
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    assert staff_client.post(url, form).status_code == 302
    response = client.get("/exercises/leg-kickbacks/")
    assert response.status_code == 301
    assert response["Location"] == "/exercises/glute-kickbacks/"


def test_admin_tells_the_editor_when_a_new_slug_still_redirects(
    staff_client, fixtures_loaded
):
    rename(Exercise.objects.get(slug="leg-kickbacks"), "glute-kickbacks")
    form = new_exercise_form(name="Leg Kickbacks Two", slug="leg-kickbacks")
    response = staff_client.post(reverse("admin:exercises_exercise_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert "still redirects" in errors[0]
    assert not Exercise.objects.filter(name="Leg Kickbacks Two").exists()


def test_muscle_admin_refuses_a_slug_that_still_redirects(staff_client, db):
    group = make_muscle(name="Glutes", slug="glutes")
    rename(group, "gluteals")
    response = staff_client.post(
        reverse("admin:exercises_muscle_add"),
        {"name": "Other", "slug": "glutes", "function": "", "description": ""},
    )
    assert response.status_code == 200
    assert "still redirects" in response.context["adminform"].form.errors["slug"][0]
    assert Muscle.objects.count() == 1
