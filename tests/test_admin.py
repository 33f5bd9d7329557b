import pytest
from django.urls import reverse

from exercises.models import Exercise, Muscle, Role
from tests.factories import new_exercise_form

pytestmark = pytest.mark.django_db


def test_editor_creates_and_publishes_an_exercise_in_the_admin(
    staff_client, client, fixtures_loaded
):
    response = staff_client.post(
        reverse("admin:exercises_exercise_add"), new_exercise_form()
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise = Exercise.objects.get(slug="hip-thrust")
    assert exercise.is_published and exercise.published is not None
    assert [(r.muscle.slug, r.role) for r in exercise.muscle_roles.all()] == [
        ("glutes", Role.TARGET),
        ("hamstrings", Role.SYNERGIST),
    ]
    assert [b.title for b in exercise.benefits.all()] == [
        "Stronger lockout",
        "Glute size",
    ]

    page = client.get("/exercises/hip-thrust/").content.decode()
    assert "<strong>up</strong>" in page
    assert "Builds strength at the top of the hip extension." in page
    for muscle_page in [
        "/muscles/glutes/",
        "/muscles/hamstrings/",
        "/muscles/gluteus-maximus/",
    ]:
        assert "Hip Thrust" in client.get(muscle_page).content.decode(), muscle_page
    assert "Hip Thrust" in client.get("/exercises/").content.decode()


def test_admin_refuses_a_muscle_listed_twice_with_a_field_error(
    staff_client, fixtures_loaded
):
    glutes = Muscle.objects.get(slug="glutes")
    form = new_exercise_form(**{"muscle_roles-1-muscle": str(glutes.pk)})
    response = staff_client.post(reverse("admin:exercises_exercise_add"), form)
    assert response.status_code == 200
    assert "Please correct the duplicate data for muscle" in (response.content.decode())
    assert not Exercise.objects.filter(slug="hip-thrust").exists()


def test_admin_refuses_a_taken_slug(staff_client, fixtures_loaded):
    form = new_exercise_form(slug="leg-kickbacks")
    response = staff_client.post(reverse("admin:exercises_exercise_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "slug" in errors
    assert Exercise.objects.count() == 1


def test_xss_in_every_markdown_field_comes_out_inert(
    staff_client, client, fixtures_loaded
):
    attack = (
        "<script>alert(1)</script>"
        '<img src=x onerror="alert(2)">'
        "[a](javascript:alert(3))"
    )
    form = new_exercise_form(explanation=attack, takeaway=attack)
    assert (
        staff_client.post(reverse("admin:exercises_exercise_add"), form).status_code
        == 302
    )
    Muscle.objects.filter(slug="glutes").update(description=attack)
    for url in [
        "/exercises/hip-thrust/",
        "/muscles/glutes/",
        "/exercises/leg-kickbacks/",
    ]:
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "onerror" not in page
        assert "javascript:" not in page


def test_exercise_change_form_has_markdown_editor_inlines_and_autocomplete(
    staff_client, fixtures_loaded
):
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    page = staff_client.get(
        reverse("admin:exercises_exercise_change", args=[exercise.pk])
    ).content.decode()
    assert 'class="markdownx"' in page
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in page
    assert "muscle_roles-TOTAL_FORMS" in page
    assert "benefits-TOTAL_FORMS" in page
    assert "admin-autocomplete" in page
    assert "prepopulated_fields" in page or "data-prepopulated-fields" in page
    assert "View on site" in page


def test_muscle_autocomplete_finds_muscles(staff_client, fixtures_loaded):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "glut",
            "app_label": "exercises",
            "model_name": "musclerole",
            "field_name": "muscle",
        },
    )
    names = [r["text"] for r in response.json()["results"]]
    assert "Glutes" in names and "Gluteus maximus" in names


@pytest.mark.parametrize(
    "query",
    [
        {"status__exact": "published"},
        {"muscle_roles__role": "stabilizer"},
        {"group": "glutes"},
        {"group": "gluteus-maximus"},
        {"q": "glute"},
    ],
)
def test_exercise_list_in_admin_filters_and_searches(
    staff_client, fixtures_loaded, query
):
    response = staff_client.get(reverse("admin:exercises_exercise_changelist"), query)
    assert response.status_code == 200
    result = [e.name for e in response.context["cl"].result_list]
    expected = [] if query.get("group") == "gluteus-maximus" else ["Leg Kickbacks"]
    assert result == expected


def test_view_on_site_reaches_the_public_page(staff_client, fixtures_loaded):
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    response = staff_client.get(exercise.get_absolute_url())
    assert response.status_code == 200
