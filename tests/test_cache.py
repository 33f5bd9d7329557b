import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises.cache import RedisCache, bump_content_version, uses_redis
from exercises.models import Exercise, Muscle, Role, Status
from tests.factories import make_exercise

pytestmark = pytest.mark.django_db

EXERCISE_PAGE = "/exercises/leg-kickbacks/"
# Every page that shows Leg Kickbacks or a muscle it works.
PAGES_WITH_LEG_KICKBACKS = [
    EXERCISE_PAGE,
    "/exercises/",
    "/",
    "/muscles/glutes/",
    "/muscles/gluteus-maximus/",
    "/muscles/hamstrings/",
    "/muscles/calves/",
    "/muscles/core/",
]


@pytest.fixture
def reader():
    """An anonymous reader, separate from the staff_client's session."""
    return Client()


def is_version_read(query):
    # Without Redis every request reads the content version from the database.
    return "page_cache_version" in query["sql"]


def page_queries(captured):
    """The queries a request made, besides reading the content version."""
    return [query for query in captured if not is_version_read(query)]


def queries_for(client, url, method="get", **headers):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, headers=headers)
    return response, len(page_queries(captured))


def change_form_data(staff_client, url):
    """What the admin change form at url posts back when nothing is changed."""
    context = staff_client.get(url).context
    forms = [context["adminform"].form]
    data = {}
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        forms += formset.initial_forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


def inline_prefix(data, inline, field, value):
    """The prefix of the inline form whose field has value, e.g. "benefits-1"."""
    for key, current in data.items():
        in_inline = key.startswith(f"{inline}-") and key.endswith(f"-{field}")
        if in_inline and str(current) == str(value):
            return key.removesuffix(f"-{field}")
    raise AssertionError(f"No {inline} form with {field}={value!r}")


def edit_exercise_in_admin(staff_client, **changes):
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    data = change_form_data(staff_client, url)
    data.update(changes)
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def fill_cache(client, pages, expected):
    for page in pages:
        content = client.get(page).content.decode()
        assert expected in content, page


def assert_shows(client, pages, expected):
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert expected in response.content.decode(), page


def test_second_get_of_a_page_comes_from_the_cache(reader, fixtures_loaded):
    for url in [*PAGES_WITH_LEG_KICKBACKS, "/muscles/", "/feed/"]:
        first, first_queries = queries_for(reader, url)
        assert first.status_code == 200, url
        assert first_queries > 0, url
        second, second_queries = queries_for(reader, url)
        assert second_queries == 0, url
        assert second.content == first.content, url
        assert second["Content-Type"] == first["Content-Type"], url


def test_cached_page_reads_nothing_but_the_content_version(reader, fixtures_loaded):
    reader.get(EXERCISE_PAGE)
    with CaptureQueriesContext(connection) as captured:
        assert reader.get(EXERCISE_PAGE).status_code == 200
    # One indexed read of one row without Redis; none with it.
    assert len(captured) == (0 if uses_redis() else 1)
    assert all(is_version_read(query) for query in captured)


def test_head_is_answered_from_the_cached_get(reader, fixtures_loaded):
    reader.head(EXERCISE_PAGE)
    _, queries = queries_for(reader, EXERCISE_PAGE)
    assert queries > 0  # the HEAD left nothing in the cache
    response, queries = queries_for(reader, EXERCISE_PAGE, method="head")
    assert queries == 0
    assert response.status_code == 200
    assert response.content == b""


def test_query_strings_are_separate_pages(reader, fixtures_loaded):
    assert "Leg Kickbacks" in reader.get("/exercises/?q=kickback").content.decode()
    miss = reader.get("/exercises/?q=no-such-exercise").content.decode()
    assert "Leg Kickbacks" not in miss
    assert "Leg Kickbacks" in reader.get("/exercises/?q=kickback").content.decode()


def test_public_pages_are_revalidated_by_browsers(reader, fixtures_loaded):
    for response in [reader.get(EXERCISE_PAGE), reader.get(EXERCISE_PAGE)]:
        assert response["Cache-Control"] == "no-cache"
        assert response["ETag"]


def test_conditional_get_with_the_etag_is_304(reader, fixtures_loaded):
    etag = reader.get(EXERCISE_PAGE)["ETag"]
    response, queries = queries_for(reader, EXERCISE_PAGE, if_none_match=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert queries == 0
    assert response["ETag"] == etag


def test_etag_of_a_page_rendered_again_is_the_same(reader, fixtures_loaded):
    etag = reader.get(EXERCISE_PAGE)["ETag"]
    bump_content_version()
    response = reader.get(EXERCISE_PAGE, headers={"if-none-match": etag})
    assert response.status_code == 304


def test_old_etag_gets_the_new_page_after_an_edit(reader, fixtures_loaded):
    etag = reader.get(EXERCISE_PAGE)["ETag"]
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    exercise.summary = "A changed summary."
    exercise.save()
    response = reader.get(EXERCISE_PAGE, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "A changed summary." in response.content.decode()


def test_renaming_an_exercise_in_the_admin_shows_on_every_page_at_once(
    reader, staff_client, fixtures_loaded
):
    fill_cache(reader, PAGES_WITH_LEG_KICKBACKS, "Leg Kickbacks")
    edit_exercise_in_admin(staff_client, name="Donkey Kicks")
    assert_shows(reader, PAGES_WITH_LEG_KICKBACKS, "Donkey Kicks")


def test_unpublishing_in_the_admin_removes_the_exercise_at_once(
    reader, staff_client, fixtures_loaded
):
    fill_cache(reader, PAGES_WITH_LEG_KICKBACKS, "Leg Kickbacks")
    edit_exercise_in_admin(staff_client, status=Status.DRAFT)
    assert reader.get(EXERCISE_PAGE).status_code == 404
    for page in PAGES_WITH_LEG_KICKBACKS[1:]:
        assert "Leg Kickbacks" not in reader.get(page).content.decode(), page


def test_editing_a_muscle_in_the_admin_shows_on_every_page_at_once(
    reader, staff_client, fixtures_loaded
):
    pages = [
        "/muscles/glutes/",
        "/muscles/gluteus-maximus/",
        "/muscles/",
        "/",
        EXERCISE_PAGE,
        "/exercises/",
    ]
    fill_cache(reader, pages, "Glutes")
    glutes = Muscle.objects.get(slug="glutes")
    url = reverse("admin:exercises_muscle_change", args=[glutes.pk])
    data = change_form_data(staff_client, url)
    data["name"] = "Buttock muscles"
    assert staff_client.post(url, data).status_code == 302
    assert_shows(reader, pages, "Buttock muscles")


def test_changing_a_role_in_the_admin_shows_on_both_pages_at_once(
    reader, staff_client, fixtures_loaded
):
    fill_cache(reader, ["/muscles/hamstrings/"], 'id="stabilizer"')
    fill_cache(reader, [EXERCISE_PAGE], "Hamstrings")
    assert "role-synergist" not in reader.get(EXERCISE_PAGE).content.decode()
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    data = change_form_data(staff_client, url)
    hamstrings = Muscle.objects.get(slug="hamstrings")
    prefix = inline_prefix(data, "muscle_roles", "muscle", hamstrings.pk)
    data[f"{prefix}-role"] = Role.SYNERGIST
    assert staff_client.post(url, data).status_code == 302
    assert_shows(reader, ["/muscles/hamstrings/"], 'id="synergist"')
    assert_shows(reader, [EXERCISE_PAGE], "role-synergist")


def test_removing_a_role_in_the_admin_shows_at_once(
    reader, staff_client, fixtures_loaded
):
    fill_cache(reader, ["/muscles/calves/"], "Leg Kickbacks")
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    data = change_form_data(staff_client, url)
    calves = Muscle.objects.get(slug="calves")
    data[f"{inline_prefix(data, 'muscle_roles', 'muscle', calves.pk)}-DELETE"] = "on"
    assert staff_client.post(url, data).status_code == 302
    assert "Leg Kickbacks" not in reader.get("/muscles/calves/").content.decode()


def test_editing_a_benefit_in_the_admin_shows_at_once(
    reader, staff_client, fixtures_loaded
):
    fill_cache(reader, [EXERCISE_PAGE], "Improved stability")
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    data = change_form_data(staff_client, url)
    prefix = inline_prefix(data, "benefits", "title", "Improved stability")
    data[f"{prefix}-title"] = "Steadier hips"
    assert staff_client.post(url, data).status_code == 302
    page = reader.get(EXERCISE_PAGE).content.decode()
    assert "Steadier hips" in page
    assert "Improved stability" not in page


def test_bulk_updates_show_once_the_content_version_is_bumped(reader, fixtures_loaded):
    fill_cache(reader, [EXERCISE_PAGE], "Leg Kickbacks")
    # QuerySet.update() sends no signal, so the page stays cached until a bump.
    Exercise.objects.filter(slug="leg-kickbacks").update(name="Bulk Kicks")
    assert "Bulk Kicks" not in reader.get(EXERCISE_PAGE).content.decode()
    bump_content_version()
    assert "Bulk Kicks" in reader.get(EXERCISE_PAGE).content.decode()


def test_migrate_on_a_release_empties_the_page_cache(reader, fixtures_loaded):
    fill_cache(reader, [EXERCISE_PAGE], "Leg Kickbacks")
    Exercise.objects.filter(slug="leg-kickbacks").update(name="New Release Kicks")
    call_command("migrate", verbosity=0)
    assert "New Release Kicks" in reader.get(EXERCISE_PAGE).content.decode()


def test_staff_neither_read_nor_fill_the_cache(reader, staff_client, fixtures_loaded):
    _, queries = queries_for(staff_client, EXERCISE_PAGE)
    assert queries > 0
    # Staff's visit left nothing for the reader.
    _, queries = queries_for(reader, EXERCISE_PAGE)
    assert queries > 0
    Exercise.objects.filter(slug="leg-kickbacks").update(name="Not Yet Bumped")
    assert "Leg Kickbacks" in reader.get(EXERCISE_PAGE).content.decode()
    response = staff_client.get(EXERCISE_PAGE)
    assert "Not Yet Bumped" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_a_draft_preview_never_reaches_anonymous_readers(
    reader, staff_client, fixtures_loaded
):
    draft = make_exercise(name="Secret Draft", status=Status.DRAFT)
    url = draft.get_absolute_url()
    for _ in range(2):
        response = staff_client.get(url)
        assert response.status_code == 200
        assert "Draft: only editors can see this page." in response.content.decode()
    assert reader.get(url).status_code == 404
    assert reader.get(url).status_code == 404


def test_logged_in_readers_bypass_the_cache(reader, fixtures_loaded, django_user_model):
    member = Client()
    member.force_login(django_user_model.objects.create_user("member"))
    reader.get(EXERCISE_PAGE)
    _, queries = queries_for(member, EXERCISE_PAGE)
    assert queries > 0


def test_admin_pages_are_not_cached(staff_client, fixtures_loaded):
    url = reverse("admin:exercises_exercise_changelist")
    staff_client.get(url)
    _, queries = queries_for(staff_client, url)
    assert queries > 0


def test_health_check_answers_ok_and_is_never_cached(reader):
    response = reader.get(reverse("healthz"))
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]
    assert reader.head(reverse("healthz")).status_code == 200


def test_page_cache_can_be_turned_off(reader, fixtures_loaded, settings):
    settings.PAGE_CACHE_SECONDS = 0
    reader.get(EXERCISE_PAGE)
    _, queries = queries_for(reader, EXERCISE_PAGE)
    assert queries > 0


def test_pages_still_render_when_the_cache_is_down(reader, fixtures_loaded, caplog):
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        for url in [EXERCISE_PAGE, "/exercises/", "/muscles/glutes/"]:
            assert reader.get(url).status_code == 200, url
    assert "Page cache unavailable" in caplog.text


def test_redis_cache_reuses_one_client_per_server():
    backend = RedisCache("redis://127.0.0.1:1/0", {})
    client = backend._cache.get_client(write=True)
    assert backend._cache.get_client(write=True) is client
    assert backend._cache.get_client() is client


# Two processes sharing Redis. pytest's test database is invisible to other
# processes, so both sides are subprocesses on a SQLite file of their own.
SUBPROCESS_PRELUDE = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client, override_settings
from exercises.models import Exercise
def page():
    return Client().get("/exercises/leg-kickbacks/").content.decode()
"""


def run_django(code, env):
    result = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_PRELUDE + code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the shared-cache test needs a Redis server",
)
def test_processes_sharing_redis_see_each_others_invalidations(
    tmp_path, reader, fixtures_loaded
):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    # Process one: an empty database with the fixtures; it caches the page.
    out = run_django(
        "call_command('migrate', verbosity=0)\n"
        "call_command('seed', verbosity=0)\n"
        "print('Leg Kickbacks' in page())\n",
        env,
    )
    assert out.split() == ["True"]
    # This process gets that page from Redis without a query.
    assert queries_for(reader, EXERCISE_PAGE)[1] == 0

    # Process two reads the cached page too: a bulk update sends no signal, so
    # it gets the cached page, not its database. Then a save through the ORM
    # invalidates the page for every process.
    out = run_django(
        "Exercise.objects.update(name='Bulk Kicks')\n"
        "print('Bulk Kicks' in page())\n"
        "exercise = Exercise.objects.get()\n"
        "exercise.name = 'Saved Kicks'\n"
        "exercise.save()\n",
        env,
    )
    assert out.split() == ["False"]

    # Process three renders the changed page; this process gets it from Redis.
    out = run_django("print('Saved Kicks' in page())\n", env)
    assert out.split() == ["True"]
    response, queries = queries_for(reader, EXERCISE_PAGE)
    assert queries == 0
    assert "Saved Kicks" in response.content.decode()
