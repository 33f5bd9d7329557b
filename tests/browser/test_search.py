"""Searching and filtering exercises through the form on /exercises/."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from exercises.models import Muscle, Role
from tests.factories import add_role, make_exercise

pytestmark = pytest.mark.browser


@pytest.fixture
def push_up(site):
    exercise = make_exercise(name="Push-up", slug="push-up", summary="A chest press.")
    add_role(exercise, Muscle.objects.get(slug="chest"), Role.TARGET)
    return exercise


def query(page):
    return parse_qs(urlsplit(page.url).query)


def list_form(page):
    return page.get_by_role("search", name="Exercises")


def test_reader_searches_exercises_with_the_form(page, site, push_up):
    page.goto(site + reverse("exercises:exercise_list"))
    results = page.locator(".exercise-list").get_by_role("link")
    expect(results).to_have_text(["Leg Kickbacks", "Push-up"])

    form = list_form(page)
    form.get_by_role("searchbox", name="Search").fill("kick")
    form.get_by_role("button", name="Search").click()

    page.wait_for_url("**/exercises/?*")
    assert query(page)["q"] == ["kick"]
    expect(results).to_have_text(["Leg Kickbacks"])
    expect(form.get_by_role("searchbox", name="Search")).to_have_value("kick")


def test_reader_filters_exercises_by_muscle_with_the_form(page, site, push_up):
    page.goto(site + reverse("exercises:exercise_list"))
    form = list_form(page)
    expect(form.get_by_label("Muscle")).to_be_hidden()

    form.get_by_text("Filters", exact=True).click()
    form.get_by_label("Muscle").select_option(label="Chest")
    form.get_by_role("button", name="Apply filters").click()

    page.wait_for_url("**/exercises/?*")
    assert query(page)["muscle"] == ["chest"]
    expect(page.locator(".exercise-list").get_by_role("link")).to_have_text(["Push-up"])
    # Open while a filter is in use.
    expect(form.get_by_label("Muscle")).to_have_value("chest")


def test_reader_searches_from_the_header_of_any_page(page, site, push_up):
    make_exercise(name="Barbell Squat", slug="barbell-squat", summary="Legs.")
    make_exercise(name="Goblet Squat", slug="goblet-squat", summary="Legs.")
    page.goto(site + reverse("exercises:muscle_detail", args=["glutes"]))

    header_search = page.get_by_role("search", name="Site")
    header_search.get_by_role("searchbox", name="Search exercises").fill("sqaut")
    header_search.get_by_role("searchbox").press("Enter")

    page.wait_for_url("**/exercises/?*")
    assert query(page)["q"] == ["sqaut"]
    expect(page.locator(".exercise-list").get_by_role("link")).to_have_text(
        ["Barbell Squat", "Goblet Squat"]
    )
    expect(page.get_by_text("Showing results for “squat”")).to_be_visible()


def test_first_results_show_above_the_fold_at_375_px(page, site):
    for n in range(30):
        make_exercise(name=f"Squat {n:02d}", summary="A squat for the legs.")
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(site + reverse("exercises:exercise_list") + "?q=squat")

    expect(page.get_by_role("search", name="Site")).to_be_visible()
    results = page.locator(".exercise-list > li")
    for index in range(2):
        box = results.nth(index).bounding_box()
        assert box["y"] + box["height"] <= 667, f"result {index + 1} at {box}"
    # The filters wait behind their disclosure.
    expect(page.get_by_label("Muscle")).to_be_hidden()
