import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises.models import Exercise, Muscle, Role, Status
from tests.factories import add_benefit, add_role, make_exercise, make_muscle

pytestmark = pytest.mark.django_db


def public_urls():
    urls = [
        reverse("exercises:home"),
        reverse("exercises:exercise_list"),
        reverse("exercises:muscle_list"),
        reverse("exercises:roles"),
    ]
    urls += [e.get_absolute_url() for e in Exercise.objects.published()]
    urls += [m.get_absolute_url() for m in Muscle.objects.all()]
    return urls


def test_every_page_renders_with_the_fixtures(client, fixtures_loaded):
    urls = public_urls()
    assert len(urls) > 20
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1>" in response.content, url


def test_leg_kickbacks_page_shows_the_whole_article(client, fixtures_loaded):
    response = client.get("/exercises/leg-kickbacks/")
    assert response.status_code == 200
    text = response.content.decode()
    for fact in [
        "<h1>Leg Kickbacks</h1>",
        "Glute kickbacks",
        "designed to target and strengthen the muscles of the glutes",
        "extends the leg backward",
        "Gluteus maximus",
        "Hip extension",
        "The largest of the gluteal muscles",
        "Gluteus medius",
        "Located on the outer surface of the pelvis",
        "Gluteus minimus",
        "The smallest of the gluteal muscles",
        "Hip abduction and stabilization",
        "Glute strength and development",
        "Improved stability",
        "Targeted isolation",
        "valuable tool for isolating and strengthening the glutes",
    ]:
        # Case apart: a fact may open a sentence on one page, end one on another.
        assert fact.lower() in text.lower(), fact
    assert "provided reference" not in text
    assert "gl gluteal" not in text


def test_leg_kickbacks_role_table_puts_the_target_first(client, fixtures_loaded):
    response = client.get("/exercises/leg-kickbacks/")
    rows = [
        (row.muscle.name, row.role, row.note)
        for _, group in response.context["roles_by_role"]
        for row in group
    ]
    assert rows == [
        ("Glutes", Role.TARGET, "isolation"),
        ("Hamstrings", Role.STABILIZER, ""),
        ("Calves", Role.STABILIZER, ""),
        ("Abdominals", Role.STABILIZER, "core"),
        ("Lower back", Role.STABILIZER, "core"),
    ]


def test_muscle_page_lists_exercises_by_role(client, fixtures_loaded):
    text = client.get("/muscles/glutes/").content.decode()
    assert "Gluteus maximus" in text
    assert 'href="/exercises/leg-kickbacks/"' in text
    assert 'href="/roles/#target"' in text
    assert "Leg Kickbacks" in client.get("/muscles/gluteus-medius/").content.decode()
    calves = client.get("/muscles/calves/").content.decode()
    assert 'href="/roles/#stabilizer"' in calves
    assert "Leg Kickbacks" in calves


def test_draft_exercise_is_404_for_anonymous_readers(client):
    draft = make_exercise(status=Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert (
        draft.name
        not in client.get(reverse("exercises:exercise_list")).content.decode()
    )


def test_staff_can_preview_a_draft(staff_client):
    draft = make_exercise(status=Status.DRAFT)
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft: only editors can see this page." in response.content.decode()


def test_draft_exercises_are_not_listed_on_muscle_pages(client):
    muscle = make_muscle()
    add_role(make_exercise(name="Draft Squat", status=Status.DRAFT), muscle)
    assert "Draft Squat" not in client.get(muscle.get_absolute_url()).content.decode()


def test_unknown_slugs_are_404(client, fixtures_loaded):
    assert client.get("/exercises/no-such-exercise/").status_code == 404
    assert client.get("/muscles/no-such-muscle/").status_code == 404


def test_public_pages_refuse_post(client, fixtures_loaded):
    assert client.post("/exercises/leg-kickbacks/").status_code == 405


def exercise_with_rows(count):
    group = make_muscle()
    exercise = make_exercise()
    for i in range(count):
        muscle = make_muscle(parent=group)
        add_role(exercise, muscle, list(Role)[i % len(Role)], position=i)
        add_benefit(exercise, title=f"Benefit {i}", position=i)
    add_role(exercise, group, Role.TARGET)
    return exercise, group


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # Not the page cache's content version, read from the database without Redis.
    return len([query for query in queries if "page_cache_version" not in query["sql"]])


@pytest.mark.parametrize("page", ["exercise", "muscle", "group"])
def test_pages_run_the_same_number_of_queries_for_1_and_20_rows(client, page):
    counts = []
    for rows in (1, 20):
        exercise, group = exercise_with_rows(rows)
        url = {
            "exercise": exercise.get_absolute_url(),
            "group": group.get_absolute_url(),
            "muscle": group.children.first().get_absolute_url(),
        }[page]
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1]
    # Exercise page: 12 (the exercise, roles, their muscles' children, steps,
    # benefits and mistakes with their references, variations both ways,
    # references, related, the body map's taxonomy). Muscle pages: the muscle,
    # its muscles and their parts, then one query for its own rows and one for
    # each larger whole, and the body map's taxonomy.
    assert counts[0] <= {"exercise": 12, "muscle": 6, "group": 5}[page]


def test_list_pages_run_a_constant_number_of_queries(client):
    for _ in range(3):
        exercise_with_rows(2)
    first = [
        count_queries(client, reverse(n))
        for n in ("exercises:exercise_list", "exercises:muscle_list", "exercises:home")
    ]
    for _ in range(20):
        exercise_with_rows(2)
    second = [
        count_queries(client, reverse(n))
        for n in ("exercises:exercise_list", "exercises:muscle_list", "exercises:home")
    ]
    assert first == second


def test_public_pages_answer_head_for_uptime_checks(client, fixtures_loaded):
    for url in ["/", "/exercises/", "/exercises/leg-kickbacks/", "/muscles/glutes/"]:
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""
