import contextlib
import gzip
import io
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from unittest import mock

import brotli
import pytest
import redis
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.db.models.signals import post_delete, post_save
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from exercises.cache import (
    RedisCache,
    bump_content_version,
    content_version,
    pages,
    query_of,
    uses_redis,
)
from exercises.models import Exercise, Muscle, MuscleRole, Role, SearchSynonym, Status
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
    "/muscles/abdominals/",
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
    # (seed's import reports the duplicates it merged, whatever the verbosity.)
    out = run_django(
        "import io\n"
        "call_command('migrate', verbosity=0)\n"
        "call_command('seed', verbosity=0, stdout=io.StringIO())\n"
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
        "Exercise.objects.filter(slug='leg-kickbacks').update(name='Bulk Kicks')\n"
        "print('Bulk Kicks' in page())\n"
        "exercise = Exercise.objects.get(slug='leg-kickbacks')\n"
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


# Compressed pages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept_encoding", "encoding"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
def test_pages_are_sent_compressed_as_the_reader_accepts(
    reader, fixtures_loaded, accept_encoding, encoding
):
    plain = reader.get(EXERCISE_PAGE).content
    for _ in range(2):  # the miss and the hit
        response = reader.get(
            EXERCISE_PAGE, headers={"accept-encoding": accept_encoding}
        )
        assert response.status_code == 200
        assert response.get("Content-Encoding") == encoding
        assert "Accept-Encoding" in response["Vary"]
        assert int(response["Content-Length"]) == len(response.content)
        body = response.content
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        assert body == plain
        if encoding:
            assert len(response.content) < len(plain) / 2


def test_each_encoding_has_its_own_etag_and_answers_304_to_it(reader, fixtures_loaded):
    etags = {}
    for coding in ["br", "gzip", "identity"]:
        response = reader.get(EXERCISE_PAGE, headers={"accept-encoding": coding})
        etags[coding] = response["ETag"]
    assert len(set(etags.values())) == 3
    for coding, etag in etags.items():
        response, queries = queries_for(
            reader, EXERCISE_PAGE, accept_encoding=coding, if_none_match=etag
        )
        assert response.status_code == 304, coding
        assert response["ETag"] == etag
        assert queries == 0
    # Another encoding's tag is another representation: the page is sent.
    response = reader.get(
        EXERCISE_PAGE, headers={"accept-encoding": "gzip", "if-none-match": etags["br"]}
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"


def test_head_with_if_none_match_is_304_like_get(reader, fixtures_loaded):
    # A HEAD that misses the cache, then one that hits it.
    etag = reader.head(EXERCISE_PAGE)["ETag"]
    assert (
        reader.head(EXERCISE_PAGE, headers={"if-none-match": etag}).status_code == 304
    )
    reader.get(EXERCISE_PAGE)
    response = reader.head(EXERCISE_PAGE, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_sitemap_is_cached_and_compressed(reader, fixtures_loaded):
    first = reader.get("/sitemap.xml", headers={"accept-encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip"
    assert b"/exercises/leg-kickbacks/" in gzip.decompress(first.content)
    response, queries = queries_for(reader, "/sitemap.xml", accept_encoding="br")
    assert response["Content-Encoding"] == "br"
    assert queries == 0


# What is cached --------------------------------------------------------------


def test_query_strings_the_view_does_not_read_share_the_page(reader, fixtures_loaded):
    reader.get(EXERCISE_PAGE)
    reader.get("/exercises/?q=kickback")
    for url in [
        f"{EXERCISE_PAGE}?a=1",
        f"{EXERCISE_PAGE}?utm_source=x&b=2",
        "/exercises/?q=kickback&a=1",
        "/exercises/?junk=1&q=kickback",
    ]:
        response, queries = queries_for(reader, url)
        assert response.status_code == 200, url
        assert queries == 0, url
    assert len(pages.local) == 2


def test_only_views_marked_cacheable_are_cached(reader, fixtures_loaded):
    for url in ["/admin/login/", "/healthz"]:
        reader.get(url)
        _, queries = queries_for(reader, url)
        assert not pages.local, url


# Each public page, and the query-string parameters its view reads.
MARKED_VIEWS = {
    "/": [],
    "/exercises/": [
        "q",
        "page",
        "muscle",
        "exact",
        "role",
        "mechanics",
        "equipment",
        "level",
        "force",
        "category",
    ],
    EXERCISE_PAGE: [],
    "/muscles/": [],
    "/muscles/glutes/": [],
    "/roles/": [],
    "/feed/": [],
    "/print.css": [],
    "/robots.txt": [],
    "/sitemap.xml": ["p"],
}


@pytest.mark.parametrize("path", MARKED_VIEWS)
def test_public_views_are_marked_with_exactly_the_query_they_read(path):
    assert query_of(resolve(path).func) == frozenset(MARKED_VIEWS[path])


def test_print_stylesheet_is_cached(reader):
    reader.get("/print.css")
    response = reader.get("/print.css")
    assert response.status_code == 200
    assert response.has_header("ETag")  # set by the page cache
    assert "http://testserver" in response.content.decode()
    assert len(pages.local) == 1


def test_link_preview_cards_keep_their_own_caching(reader, fixtures_loaded):
    html = reader.get(EXERCISE_PAGE).content.decode()
    start = html.index('property="og:image" content="') + len(
        'property="og:image" content="'
    )
    card = html[start : html.index('"', start)].removeprefix("http://testserver")
    assert query_of(resolve(card).func) is None
    stored = len(pages.local)
    for _ in range(2):
        response = reader.get(card)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        # Not the page cache's no-cache: the address changes with the card.
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(pages.local) == stored


def test_saving_a_search_synonym_makes_cached_pages_stale(reader, fixtures_loaded):
    fill_cache(reader, ["/exercises/?q=kickback"], "Leg Kickbacks")
    before = content_version()
    SearchSynonym.objects.create(term="LK", meaning="leg kickbacks")
    assert content_version() != before


def test_page_cache_middleware_comes_first():
    assert settings.MIDDLEWARE[0] == "exercises.cache.PageCacheMiddleware"


def test_other_apps_models_keep_djangos_fast_delete():
    for model in [Session, Permission, LogEntry]:
        assert not post_delete.has_listeners(model), model
        assert not post_save.has_listeners(model) or model is not Session
    assert post_delete.has_listeners(Exercise)
    assert post_save.has_listeners(MuscleRole)


def test_deleting_sessions_is_one_query(django_user_model):
    for number in range(3):
        Client().force_login(django_user_model.objects.create_user(f"u{number}"))
    with CaptureQueriesContext(connection) as captured:
        Session.objects.all().delete()
    assert len(captured) == 1


def test_an_import_invalidates_once_not_per_row(fixtures_loaded, tmp_path):
    path = tmp_path / "export.json"
    make_exercise(name="Second", slug="second")
    make_exercise(name="Third", slug="third")
    call_command("export_exercises", output=str(path), verbosity=0)
    data = json.loads(path.read_text())
    for record in data["exercises"]:
        record["summary"] += " Changed."
    path.write_text(json.dumps(data))
    content_version()
    with mock.patch("exercises.cache.uuid.uuid4", wraps=uuid.uuid4) as new_version:
        call_command("import_exercises", str(path), verbosity=0)
    assert Exercise.objects.filter(summary__endswith=" Changed.").count() == 3
    assert new_version.call_count == 1


# A failing cache ---------------------------------------------------------------

UNREACHABLE_REDIS = {
    **settings.CACHES,
    "default": {
        "BACKEND": "exercises.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    },
}


def test_an_admin_save_with_redis_down_keeps_the_edit(
    reader, staff_client, fixtures_loaded, caplog
):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        edit_exercise_in_admin(staff_client, name="Saved Without Redis")
        assert_shows(reader, [EXERCISE_PAGE], "Saved Without Redis")
    assert Exercise.objects.get(slug="leg-kickbacks").name == "Saved Without Redis"
    assert "Page cache unavailable" in caplog.text


def test_an_import_with_redis_down_finishes(fixtures_loaded, tmp_path):
    path = tmp_path / "export.json"
    call_command("export_exercises", output=str(path), verbosity=0)
    data = json.loads(path.read_text())
    data["exercises"][0]["summary"] = "Imported without Redis."
    path.write_text(json.dumps(data))
    with override_settings(CACHES=UNREACHABLE_REDIS):
        call_command("import_exercises", str(path), verbosity=0)
    assert Exercise.objects.get().summary == "Imported without Redis."


@pytest.fixture
def frozen_redis():
    """A server that accepts connections and never answers, as a stopped Redis.

    Yields its CACHES setting and the list of connections it accepted.
    """
    accepted = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(100)
        server.settimeout(0.1)

        def accept():
            while server.fileno() != -1:
                with contextlib.suppress(OSError):
                    accepted.append(server.accept()[0])

        threading.Thread(target=accept, daemon=True).start()
        port = server.getsockname()[1]
        yield (
            {
                **settings.CACHES,
                "default": {
                    "BACKEND": "exercises.cache.RedisCache",
                    "LOCATION": f"redis://127.0.0.1:{port}/0",
                    "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
                },
            },
            accepted,
        )
    for connection_ in accepted:
        connection_.close()


def test_a_frozen_redis_is_asked_once_then_left_alone(
    reader, staff_client, fixtures_loaded, frozen_redis
):
    caches_setting, accepted = frozen_redis
    with override_settings(CACHES=caches_setting):
        started = time.monotonic()
        assert reader.get(EXERCISE_PAGE).status_code == 200
        assert time.monotonic() - started >= 0.3  # waited out the timeout once
        asked = len(accepted)
        assert asked >= 1
        for _ in range(5):
            assert reader.get(EXERCISE_PAGE).status_code == 200
        edit_exercise_in_admin(staff_client, name="Saved While Frozen")
        assert_shows(reader, [EXERCISE_PAGE], "Saved While Frozen")
        # The breaker was open: nobody connected to the frozen server again.
        assert len(accepted) == asked


@pytest.fixture
def stopped_test_redis():
    """Stops the Redis server at REDIS_URL, and starts it again afterwards."""
    server = redis.Redis.from_url(os.environ["REDIS_URL"])
    port = server.connection_pool.connection_kwargs["port"]
    with contextlib.suppress(redis.ConnectionError):
        server.shutdown(nosave=True)
    yield
    subprocess.run(
        ["redis-server", "--port", str(port), "--daemonize", "yes"]
        + ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with contextlib.suppress(redis.ConnectionError):
            server.ping()
            break
        time.sleep(0.1)


@pytest.mark.skipif(
    not os.environ.get("STOP_TEST_REDIS"),
    reason="stops the Redis server at REDIS_URL: .ci/run sets STOP_TEST_REDIS=1",
)
def test_stopping_the_test_redis_loses_no_admin_edit(
    reader, staff_client, fixtures_loaded, request
):
    assert uses_redis()
    fill_cache(reader, [EXERCISE_PAGE], "Leg Kickbacks")
    request.getfixturevalue("stopped_test_redis")
    edit_exercise_in_admin(staff_client, name="Saved After Redis Stopped")
    assert_shows(reader, [EXERCISE_PAGE], "Saved After Redis Stopped")
    assert Exercise.objects.get(slug="leg-kickbacks").name == (
        "Saved After Redis Stopped"
    )


# Several processes without Redis ---------------------------------------------

# A process serving pages from its own memory, told what to do on stdin.
WORKER = """
import sys
import django
django.setup()
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from exercises.models import Exercise
client = Client()
exercise = None
for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    if command == "get":
        with CaptureQueriesContext(connection) as captured:
            response = client.get(argument)
        renamed = "Renamed Kicks" in response.content.decode()
        print(response.status_code, len(captured), int(renamed), flush=True)
    else:
        # The page the test reads, among the seeded catalogue's.
        if exercise is None:
            exercise = Exercise.objects.get(slug="leg-kickbacks")
        setattr(exercise, command, argument)
        exercise.save()
        print("saved", flush=True)
"""


# Lower case: the query shown on the page is not the name it looks for.
SEARCH_RENAMED = "/exercises/?q=renamed+kicks"


def no_redis_env(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    env.pop("REDIS_URL", None)
    return env


class Worker:
    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().split()
        assert answer, f"worker died on {line!r}"
        return answer

    def get(self, path):
        status, queries, renamed = map(int, self.ask(f"get {path}"))
        return status, queries, renamed

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_without_redis_no_process_serves_a_page_older_than_the_last_save(tmp_path):
    env = no_redis_env(tmp_path)
    run_django("call_command('migrate', verbosity=0)\n", env)
    run_django("call_command('seed', verbosity=0)\n", env)
    editor, other = Worker(env), Worker(env)
    try:
        for worker in (editor, other):
            status, queries, _ = worker.get(EXERCISE_PAGE)
            assert status == 200
            assert queries > 1
            # Cached now: only the content version is read.
            assert worker.get(EXERCISE_PAGE) == (200, 1, 0)
            # Each process keeps its search index too.
            assert worker.get(SEARCH_RENAMED)[::2] == (200, 0)

        assert editor.ask("name Renamed Kicks") == ["saved"]
        for worker in (other, editor):
            status, queries, renamed = worker.get(EXERCISE_PAGE)
            assert (status, renamed) == (200, 1)
            assert queries > 1
            assert worker.get(SEARCH_RENAMED)[::2] == (200, 1)

        assert editor.ask("slug donkey-kicks") == ["saved"]
        for _ in range(3):  # every time, in every process
            for worker in (other, editor):
                assert worker.get(EXERCISE_PAGE)[0] == 301
                assert worker.get("/exercises/donkey-kicks/")[0] == 200
    finally:
        editor.close()
        other.close()


def test_admin_sign_in_works_without_createcachetable(tmp_path):
    env = no_redis_env(tmp_path)
    out = run_django(
        "call_command('migrate', verbosity=0)\n"
        "client = Client(raise_request_exception=False)\n"
        "response = client.post('/admin/login/', {'username': 'boss', "
        "'password': 'wrong'})\n"
        "print(response.status_code)\n",
        env,
    )
    assert out.split() == ["200"]


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the shared-cache test needs a Redis server",
)
def test_with_redis_an_edit_reaches_another_process_within_a_second(tmp_path):
    env = {**no_redis_env(tmp_path), "REDIS_URL": os.environ["REDIS_URL"]}
    run_django("call_command('migrate', verbosity=0)\n", env)
    run_django("call_command('seed', verbosity=0)\n", env)
    editor, other = Worker(env), Worker(env)
    try:
        for worker in (editor, other):
            worker.get(EXERCISE_PAGE)
            assert worker.get(EXERCISE_PAGE) == (200, 0, 0)  # from memory
        assert editor.ask("name Renamed Kicks") == ["saved"]
        assert editor.get(EXERCISE_PAGE)[2] == 1  # at once in the editor's own
        started = time.monotonic()
        while other.get(EXERCISE_PAGE)[2] != 1:
            assert time.monotonic() - started < 1.0
            time.sleep(0.02)
    finally:
        editor.close()
        other.close()


# Hits answered before Django's handler ----------------------------


def wsgi_get(path, **environ):
    """Call config.wsgi.application as gunicorn would."""
    from config.wsgi import application

    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.partition("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    started = []
    # As Django's test client does: closing "old" connections would end the
    # test's transaction.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        with CaptureQueriesContext(connection) as captured:
            chunks = application(
                {**base, **environ}, lambda status, headers: started.append(headers)
            )
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    return started[0], body, len(page_queries(captured))


def django_unreachable():
    return mock.patch(
        "django.core.handlers.wsgi.WSGIHandler.__call__",
        side_effect=AssertionError("reached Django"),
    )


def test_a_hit_before_django_sends_what_django_sent(fixtures_loaded):
    with django_unreachable(), pytest.raises(AssertionError):
        wsgi_get(EXERCISE_PAGE)  # the first time, Django renders it
    first_headers, first_body, first_queries = wsgi_get(EXERCISE_PAGE)
    assert first_queries > 0
    with django_unreachable():
        headers, body, queries = wsgi_get(
            f"{EXERCISE_PAGE}?utm_source=x", HTTP_ACCEPT_ENCODING="gzip"
        )
        sent = dict(headers)
        assert queries == 0
        assert gzip.decompress(body) == first_body
        assert sent["Content-Encoding"] == "gzip"
        policy = dict(first_headers)["Content-Security-Policy"]
        assert sent["Content-Security-Policy"] == policy
        headers, body, _ = wsgi_get(
            EXERCISE_PAGE, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=sent["ETag"]
        )
        assert body == b""
        assert dict(headers)["ETag"] == sent["ETag"]


def test_before_django_sessions_https_and_edits_are_respected(
    fixtures_loaded, staff_client
):
    wsgi_get(EXERCISE_PAGE)
    assert wsgi_get(EXERCISE_PAGE)[2] == 0
    # A session cookie, or another scheme, goes to Django.
    cookie = f"{settings.SESSION_COOKIE_NAME}={staff_client.session.session_key}"
    headers, body, queries = wsgi_get(EXERCISE_PAGE, HTTP_COOKIE=cookie)
    assert queries > 0
    assert "private" in dict(headers)["Cache-Control"]
    _, _, queries = wsgi_get(EXERCISE_PAGE, **{"wsgi.url_scheme": "https"})
    assert queries > 0
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    exercise.name = "Edited Kicks"
    exercise.save()
    assert b"Edited Kicks" in wsgi_get(EXERCISE_PAGE)[1]
