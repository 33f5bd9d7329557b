"""Search, filters and pagination of /exercises/."""

import pytest
from django.urls import reverse

from exercises.models import Equipment, Mechanics, Role, Status
from tests.factories import add_role, make_exercise, make_muscle
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db

LIST = reverse("exercises:exercise_list")


def names(response):
    return [exercise.name for exercise in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query",
    ["glute kickback", "Glute Kickbacks", "LEG KICKBACK", "kickback", "isolation"],
)
def test_search_finds_leg_kickbacks_by_name_alias_and_summary(
    client, fixtures_loaded, query
):
    response = client.get(LIST, {"q": query})
    assert names(response) == ["Leg Kickbacks"]
    assert "1 exercise matching" in response.content.decode()


def test_search_ignores_accents_both_ways(client, db):
    make_exercise(name="Développé couché", summary="A French bench press.")
    assert names(client.get(LIST, {"q": "developpe"})) == ["Développé couché"]
    make_exercise(name="Pullover", summary="Plain.")
    assert names(client.get(LIST, {"q": "pullóver"})) == ["Pullover"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("bench presses", "Bench Press"),
        ("bench press", "Bench Press"),
        ("flies", "Dumbbell Fly"),
        ("fly", "Dumbbell Fly"),
        ("crunch", "Cable Crunches"),
        ("crunches", "Cable Crunches"),
        ("kick", "Leg Kickbacks"),
    ],
)
def test_search_matches_singulars_plurals_and_word_starts(
    client, fixtures_loaded, query, found
):
    for name in ["Bench Press", "Dumbbell Fly", "Cable Crunches"]:
        make_exercise(name=name, summary="Plain.")
    assert names(client.get(LIST, {"q": query})) == [found]


def test_search_matches_words_from_their_start(client, db):
    make_exercise(name="Medicine Ball Throw", summary="Plain.")
    make_exercise(name="Seated Row", summary="Plain.")
    assert names(client.get(LIST, {"q": "row"})) == ["Seated Row"]


def test_search_needs_every_word(client, fixtures_loaded):
    assert names(client.get(LIST, {"q": "glute squat"})) == []


def test_search_leaves_out_drafts(client, db):
    make_exercise(name="Secret Squat", status=Status.DRAFT)
    assert names(client.get(LIST, {"q": "secret squat"})) == []


def test_filters_by_group_muscle_role_and_attributes(client, db):
    legs = make_muscle(name="Legs", slug="legs")
    quads = make_muscle(name="Quads", slug="quads", parent=legs)
    back = make_muscle(name="Back", slug="back")
    squat = make_exercise(
        name="Squat", mechanics=Mechanics.COMPOUND, equipment=Equipment.BARBELL
    )
    add_role(squat, quads, Role.TARGET)
    add_role(squat, back, Role.STABILIZER)
    extension = make_exercise(
        name="Leg Extension", mechanics=Mechanics.ISOLATION, equipment=Equipment.MACHINE
    )
    add_role(extension, quads, Role.TARGET)
    air_squat = make_exercise(name="Air Squat", equipment=Equipment.BODY_ONLY)
    add_role(air_squat, legs, Role.TARGET)

    assert names(client.get(LIST, {"muscle": "legs"})) == [
        "Air Squat",
        "Leg Extension",
        "Squat",
    ]
    # A muscle's filter finds the exercises that name it, not those that name
    # only its group (issue 8: "quads" must not silently mean "legs").
    assert names(client.get(LIST, {"muscle": "quads"})) == [
        "Leg Extension",
        "Squat",
    ]
    assert names(client.get(LIST, {"muscle": "legs", "exact": "on"})) == ["Air Squat"]
    assert names(client.get(LIST, {"muscle": "back", "role": "stabilizer"})) == [
        "Squat"
    ]
    assert names(client.get(LIST, {"muscle": "back", "role": "target"})) == []
    assert names(client.get(LIST, {"mechanics": "isolation"})) == ["Leg Extension"]
    assert names(client.get(LIST, {"equipment": "body-only"})) == ["Air Squat"]
    response = client.get(LIST, {"muscle": "legs", "equipment": "barbell"})
    assert names(response) == ["Squat"]
    assert "1 exercise with muscle: Legs, equipment: Barbell." in " ".join(
        response.content.decode().split()
    )


def test_filter_form_offers_groups_muscles_roles_and_attributes(
    client, fixtures_loaded
):
    page = client.get(LIST).content.decode()
    for option in [
        '<option value="glutes">Glutes</option>',
        '<optgroup label="Muscles in Glutes">',
        '<option value="gluteus-maximus">Gluteus maximus</option>',
        '<option value="dynamic_stabilizer">Dynamic stabilizer</option>',
        '<option value="body-only">No equipment (body only)</option>',
        '<option value="isolation">Isolation</option>',
    ]:
        assert option in page, option


def test_results_are_paginated_and_links_keep_the_filters(client, db):
    for i in range(45):
        make_exercise(name=f"Curl {i:02d}", mechanics=Mechanics.ISOLATION)
    response = client.get(LIST, {"q": "curl", "mechanics": "isolation", "page": 2})
    assert len(response.context["page"].object_list) == 20
    assert names(response)[0] == "Curl 20"
    page = response.content.decode()
    assert "45 exercises matching" in page
    assert 'href="?q=curl&amp;mechanics=isolation&amp;page=3"' in page
    assert 'href="?q=curl&amp;mechanics=isolation&amp;page=1"' in page


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "99999"},
        {"page": "1e9"},
        {"q": "x" * 10_000},
        {"q": "\x00"},
        {"q": "%ff%fe"},
        {"muscle": "no-such-muscle"},
        {"role": "prime-mover"},
        {"equipment": "<script>"},
        {"mechanics": ["isolation", "compound", "junk"]},
        {"q": ["kick", "squat"], "page": ["1", "2"]},
    ],
)
def test_junk_in_the_query_string_gives_a_normal_page(client, fixtures_loaded, query):
    response = client.get(LIST, query)
    assert response.status_code == 200
    assert "<h1>Exercises</h1>" in response.content.decode()


def test_unknown_filter_value_is_reported_and_ignored(client, fixtures_loaded):
    response = client.get(LIST, {"muscle": "no-such-muscle"})
    assert "Select a valid choice" in response.content.decode()
    assert names(response) == ["Leg Kickbacks"]


def test_list_queries_stay_constant_with_filters(client, fixtures_loaded):
    # The first search after a change also reads the search index (2 queries).
    client.get(LIST, {"q": "leg"})
    counts = []
    for filters in [
        {"muscle": "glutes"},
        {"muscle": "glutes", "role": "target", "level": "beginner"},
    ]:
        with page_queries() as queries:
            response = client.get(LIST, {"q": "kick", **filters})
        assert response.status_code == 200
        counts.append(len(queries))
    # The muscles for the form, the filtered keys, the page's rows.
    assert counts == [3, 3]
