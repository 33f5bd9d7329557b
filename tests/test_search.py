"""Finding exercises: relevance order, typos, spellings, synonyms, "Did you mean".

Most cases run against the real free-exercise-db catalogue (873 names), imported
once for this module with the import command, as an operator would.
"""

import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from exercises.finder import Query, synonym_spellings
from exercises.management.commands.seed import FIXTURES, SYNONYM_FIXTURES
from exercises.models import (
    Exercise,
    ExerciseRedirect,
    Muscle,
    MuscleRedirect,
    SearchSynonym,
    Status,
)
from exercises.search import search_fields, search_words
from tests.factories import make_exercise
from tests.querycount import page_queries

LIST = reverse("exercises:exercise_list")
FREE_EXERCISE_DB = (
    settings.BASE_DIR.parent / "shared" / "data" / "free-exercise-db" / "exercises.json"
)


@pytest.fixture(scope="module")
def imported_catalogue(django_db_setup, django_db_blocker):
    """Muscles, synonyms and the 873 free-exercise-db exercises, published."""
    if not FREE_EXERCISE_DB.exists():
        pytest.skip(f"free-exercise-db data not found at {FREE_EXERCISE_DB}")
    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURES, *SYNONYM_FIXTURES, verbosity=0)
        call_command(
            "import_exercises", FREE_EXERCISE_DB, "--publish", stdout=io.StringIO()
        )
    yield
    # Committed outside the tests' transactions: leave the database empty again.
    with django_db_blocker.unblock():
        Exercise.objects.all().delete()
        ExerciseRedirect.objects.all().delete()
        MuscleRedirect.objects.all().delete()
        # Heads and parts, then muscles, then groups (a parent is protected).
        Muscle.objects.exclude(parent__parent=None).delete()
        Muscle.objects.exclude(parent=None).delete()
        Muscle.objects.all().delete()
        SearchSynonym.objects.all().delete()


@pytest.fixture
def catalogue(imported_catalogue, db):
    """The imported catalogue; what a test adds is rolled back after it."""


def search(client, query, **params):
    return client.get(LIST, {"q": query, **params})


def names(response):
    return [exercise.name for exercise in response.context["page"].object_list]


def all_names(client, query):
    """Every result, in order, across the pages."""
    found, page = [], 1
    while True:
        response = client.get(LIST, {"q": query, "page": page})
        found += names(response)
        if not response.context["page"].has_next():
            return found
        page += 1


def text(response):
    return " ".join(response.content.decode().split())


# How names become search fields, and queries become variants.


def test_search_fields_keep_names_first_and_add_joined_pairs():
    search_text, search_names = search_fields(
        "Push-Ups", "Press-up, Floor press", "A chest exercise."
    )
    assert (
        search_names == " push up | press up | floor press |# pushup pressup floorpress"
    )
    assert search_text.startswith(" push up press up floor press a chest exercise")
    assert " pushup" in search_text


def test_query_also_tries_adjacent_words_joined():
    assert Query("push up", synonyms={}).variants == [("push", "up"), ("pushup",)]


def test_synonym_spellings_replace_terms_of_one_or_more_words():
    table = {
        ("rdl",): [("romanian", "deadlift")],
        ("ohp",): [("overhead", "press"), ("shoulder", "press")],
        ("press", "up"): [("push", "up")],
    }
    assert synonym_spellings(("db", "rdl"), table) == [("db", "romanian", "deadlift")]
    assert synonym_spellings(("ohp",), table) == [
        ("overhead", "press"),
        ("shoulder", "press"),
    ]
    assert synonym_spellings(("press", "up", "wide"), table) == [("push", "up", "wide")]
    assert synonym_spellings(("squat",), table) == []


# Relevance order.


def test_results_rank_exact_name_prefix_alias_name_words_then_lead(client, db):
    make_exercise(name="Ankle Hop", summary="Springy, like a calf raise.")
    make_exercise(name="Seated Calf Raise", summary="Plain.")
    make_exercise(name="Heel Lift", aliases="Calf raise on a wall", summary="Plain.")
    make_exercise(name="Calf Raise on a Step", summary="Plain.")
    make_exercise(name="Calf Raise", summary="Plain.")
    make_exercise(name="Box Jump", summary="Ends like a calf raise.")

    assert names(search(client, "calf raises")) == [
        "Calf Raise",  # exact name (plural and case ignored)
        "Calf Raise on a Step",  # name starts with the query
        "Heel Lift",  # an alias starts with the query
        "Seated Calf Raise",  # every word in the name
        "Ankle Hop",  # only the lead: ties by name
        "Box Jump",
    ]


def test_hip_thrust_puts_barbell_hip_thrust_first(client, catalogue):
    # Alphabetically first, and it mentions a hip thrust in its lead only.
    make_exercise(
        name="Banded Glute Bridge", summary="A floor version of the hip thrust."
    )
    found = names(search(client, "hip thrust"))
    assert found == ["Barbell Hip Thrust", "Banded Glute Bridge"]


def test_exact_name_comes_before_longer_names(client, catalogue):
    found = names(search(client, "romanian deadlift"))
    assert found == ["Romanian Deadlift", "Romanian Deadlift from Deficit"]
    assert names(search(client, "push press"))[0] == "Push Press"


def test_reviewed_article_comes_before_unreviewed_pages_on_a_tie(client, db):
    # A made-up word: the module's imported catalogue may be in the database.
    make_exercise(name="Alpha Zornak", summary="Plain.")
    make_exercise(name="Walking Zornak", summary="Plain.", reviewed_on="2026-11-30")
    make_exercise(name="Zornak", summary="Plain.")

    found = names(search(client, "zornak"))
    assert found == ["Zornak", "Walking Zornak", "Alpha Zornak"]


# Typos and spellings.


def test_misspelt_squat_finds_the_squats(client, catalogue):
    response = search(client, "sqaut")
    squats = all_names(client, "squat")
    assert len(squats) > 40
    assert all_names(client, "sqaut") == squats
    assert "Showing results for “squat”" in text(response)
    assert f"{len(squats)} exercises matching “squat”" in text(response)


def test_dumbell_finds_dumbbell_exercises(client, catalogue):
    found = all_names(client, "dumbell")
    assert len(found) > 80
    assert found == all_names(client, "dumbbell")
    found = all_names(client, "dumbell curls")
    assert "Dumbbell Bicep Curl" in found
    assert found == all_names(client, "dumbbell curl")


@pytest.mark.parametrize("spelling", ["push up", "push-up", "Push-Ups", "PUSHUPS"])
def test_pushup_spellings_find_the_same_pages(client, catalogue, spelling):
    def named_pushup(found):
        return [n for n in found if "pushup" in "".join(search_words(n))]

    pushups = named_pushup(all_names(client, "pushup"))
    assert {"Pushups", "Push-Up Wide", "Clock Push-Up", "Plyo Kettlebell Pushups"} <= (
        set(pushups)
    )
    # The same push-up pages, in the same order, ahead of anything else (two
    # separate words may also match a lead: "Step Ups ... a pushing exercise").
    found = all_names(client, spelling)
    assert found[: len(pushups)] == pushups


def test_correct_words_are_not_corrected(client, catalogue):
    # Both words are in our names, just never together.
    response = search(client, "zottman squat")
    assert names(response) == []
    assert "Showing results for" not in text(response)


# Abbreviations and synonyms, from the editable list.


@pytest.mark.parametrize(
    ("query", "same_as"),
    [
        ("RDL", "romanian deadlift"),
        ("OHP", "shoulder press"),
        ("abs", "abdominals"),
        ("DB curl", "dumbbell curl"),
        ("BB row", "barbell row"),
        ("KB swing", "kettlebell swing"),
        ("press-ups", "push-ups"),
    ],
)
def test_abbreviations_and_synonyms_find_what_they_stand_for(
    client, catalogue, query, same_as
):
    expected = all_names(client, same_as)
    assert expected
    assert set(expected) <= set(all_names(client, query))


def test_abs_finds_abdominal_exercises(client, catalogue):
    found = all_names(client, "abs")
    assert {"Ab Roller", "Cable Crunch", "Plank"} <= set(found)


def test_synonyms_are_data_editors_can_add(client, catalogue):
    assert names(search(client, "popeye")) == []
    SearchSynonym.objects.create(term="Popeye", meaning="Zottman curl")
    assert names(search(client, "popeye")) == ["Zottman Curl", "Zottman Preacher Curl"]


def test_editor_adds_a_synonym_in_the_admin_and_search_uses_it_at_once(
    client, fixtures_loaded, django_user_model
):
    make_exercise(name="Jefferson Curl", summary="Plain.")
    assert names(search(client, "JC")) == []  # and the page may now be cached
    user = django_user_model.objects.create_user("writer", is_staff=True)
    # The Editors group's synonym permissions (migration 0008; tested there), given
    # directly: a live-server test's flush may have removed the group itself.
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_searchsynonym", "change_searchsynonym"]
        )
    )
    editor = Client()
    editor.force_login(user)

    response = editor.post(
        reverse("admin:exercises_searchsynonym_add"),
        {"term": "JC", "meaning": "Jefferson curl"},
    )

    assert response.status_code == 302
    assert names(search(client, "JC")) == ["Jefferson Curl"]


def test_synonym_term_of_too_many_words_is_refused(db):
    with pytest.raises(ValidationError) as error:
        SearchSynonym(term="one two three four", meaning="squat").full_clean()
    assert "term" in error.value.message_dict


# When nothing matches.


def test_nothing_found_offers_the_closest_names(client, catalogue):
    response = search(client, "cable hip thrust")
    assert names(response) == []
    suggestions = response.context["suggestions"]
    assert suggestions[0] == (
        "Barbell Hip Thrust",
        reverse("exercises:exercise_detail", args=["barbell-hip-thrust"]),
    )
    page = text(response)
    assert "Did you mean <a href=" in page
    assert f'<a href="{suggestions[0][1]}">Barbell Hip Thrust</a>' in page


def test_nonsense_gets_no_suggestions(client, catalogue):
    response = search(client, "qqqqqq")
    assert names(response) == []
    assert response.context["suggestions"] == []
    assert "Did you mean" not in text(response)


def test_search_respects_the_filters_when_correcting(client, catalogue):
    everywhere = all_names(client, "sqaut")
    with_barbell = names(search(client, "sqaut", equipment="barbell"))
    assert with_barbell
    assert len(with_barbell) < len(everywhere)
    assert all(
        Exercise.objects.get(name=name).equipment == "barbell" for name in with_barbell
    )


def test_a_search_reads_the_index_once_per_content_version(client, catalogue):
    with page_queries() as first:
        search(client, "squat")
    # The muscles for the filters, then the search index (the exercises, then
    # the synonyms), then the page's rows.
    assert len(first) == 4
    with page_queries() as unfiltered:
        response = search(client, "hip thrust")
    assert response.status_code == 200
    assert len(unfiltered) == 2
    # Filtered: also the keys of the filtered exercises.
    with page_queries() as filtered:
        response = search(client, "hip thrust", muscle="glutes")
    assert response.status_code == 200
    assert len(filtered) == 3


def test_a_search_sees_an_edit_on_its_next_request(client, catalogue):
    assert "Zercher Lunge" not in names(search(client, "zercher"))
    exercise = Exercise.objects.get(name="Barbell Lunge")
    exercise.name = "Zercher Lunge"
    exercise.save()
    assert names(search(client, "zercher"))[0] == "Zercher Lunge"
    exercise.status = Status.DRAFT
    exercise.save()
    assert "Zercher Lunge" not in names(search(client, "zercher lunge"))


# The search box in the header, and the folded filters.


@pytest.mark.parametrize(
    "url",
    [
        reverse("exercises:home"),
        LIST,
        reverse("exercises:exercise_detail", args=["leg-kickbacks"]),
        reverse("exercises:muscle_list"),
        reverse("exercises:muscle_detail", args=["glutes"]),
        reverse("exercises:roles"),
        "/exercises/no-such-exercise/",
    ],
)
def test_every_page_has_the_search_box_in_its_header(client, fixtures_loaded, url):
    page = text(client.get(url))
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert (
        f'<form class="site-search" method="get" action="{LIST}" role="search" '
        'aria-label="Site">'
    ) in header
    assert '<label class="visually-hidden" for="site-search-q">Search exercises' in (
        header
    )
    assert '<input type="search" name="q" id="site-search-q"' in header


def test_filters_are_folded_unless_one_is_in_use(client, fixtures_loaded):
    assert '<details class="filter-fields">' in text(client.get(LIST))
    assert '<details class="filter-fields">' in text(client.get(LIST, {"q": "kick"}))
    in_use = text(client.get(LIST, {"muscle": "glutes"}))
    assert '<details class="filter-fields" open>' in in_use
    assert "Filters (1 in use)" in in_use
    in_error = text(client.get(LIST, {"role": "prime-mover"}))
    assert '<details class="filter-fields" open>' in in_error
