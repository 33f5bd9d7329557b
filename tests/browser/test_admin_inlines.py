"""The exercise change form: draggable inline rows, its width, under our CSP.

The page fixture fails a test on any console error or CSP violation, so these
also prove django-admin-sortable2's script runs under the site's policy.
"""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from exercises.models import Muscle, MuscleRole, Role
from tests.factories import add_role, make_exercise

pytestmark = pytest.mark.browser

PASSWORD = "editor-password"
# Set to a path to keep the 1280 px screenshot, e.g. to look at it.
SCREENSHOT = os.environ.get("ADMIN_SCREENSHOT")


@pytest.fixture
def editor_page(new_page, site, django_user_model):
    django_user_model.objects.create_user(
        "editor", password=PASSWORD, is_staff=True, is_superuser=True
    )
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(site + reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


@pytest.fixture
def exercise(site):
    """A page with three role rows, the longest note a reviewed page might have."""
    page = make_exercise(name="Cable Hip Extension", slug="cable-hip-extension")
    for position, (slug, role, note) in enumerate(
        [
            ("gluteus-maximus", Role.TARGET, "hip extension, hardest at the top"),
            ("biceps-femoris-long-head", Role.SYNERGIST, "hip extension"),
            ("erector-spinae", Role.STABILIZER, "keeps the lower back still"),
        ],
        start=1,
    ):
        add_role(
            page, Muscle.objects.get(slug=slug), role, note=note, position=position
        )
    return page


def change_url(site, exercise):
    return site + reverse("admin:exercises_exercise_change", args=[exercise.pk])


def test_role_table_fits_a_1280_px_window(editor_page, site, exercise):
    editor_page.goto(change_url(site, exercise))
    table = editor_page.locator("#muscle_roles-group table")
    expect(table).to_be_visible()
    if SCREENSHOT:
        editor_page.locator("#muscle_roles-group").screenshot(path=SCREENSHOT)
        editor_page.screenshot(path=SCREENSHOT + ".full.png", full_page=True)
    widths = editor_page.evaluate(
        """() => {
          const group = document.querySelector("#muscle_roles-group");
          const wrapper = group.querySelector(".tabular") || group;
          return {
            page: document.documentElement.scrollWidth,
            window: window.innerWidth,
            table: group.querySelector("table").getBoundingClientRect().right,
            wrapperScroll: wrapper.scrollWidth,
            wrapperClient: wrapper.clientWidth,
          };
        }"""
    )
    assert widths["page"] <= widths["window"], widths
    assert widths["table"] <= widths["window"], widths
    assert widths["wrapperScroll"] <= widths["wrapperClient"], widths


def test_roles_are_reordered_by_dragging(editor_page, site, exercise):
    before = list(exercise.muscle_roles.values_list("muscle__name", flat=True))
    assert len(before) >= 2
    editor_page.goto(change_url(site, exercise))
    rows = editor_page.locator("#muscle_roles-group tbody tr.has_original")
    # Drag the second row above the first by its handle.
    rows.nth(1).locator("td.original p").drag_to(rows.nth(0).locator("td.original p"))
    editor_page.get_by_role("button", name="Save", exact=True).click()
    expect(editor_page.locator(".messagelist")).to_contain_text(
        "was changed successfully"
    )
    after = list(exercise.muscle_roles.values_list("muscle__name", flat=True))
    assert after == [before[1], before[0], *before[2:]]


def test_a_row_added_with_add_another_gets_the_next_free_position(
    editor_page, site, exercise
):
    last = max(exercise.muscle_roles.values_list("position", flat=True))
    editor_page.goto(change_url(site, exercise))
    rows = int(editor_page.locator("#id_muscle_roles-TOTAL_FORMS").input_value())
    editor_page.get_by_role("button", name="Add another Muscle role").click()
    row = editor_page.locator(f"#muscle_roles-{rows}")
    row.locator(".field-muscle").get_by_role("combobox").click()
    editor_page.locator(".select2-dropdown .select2-search__field").fill("quadriceps")
    editor_page.get_by_role("option", name="Quadriceps", exact=True).click()
    row.locator("select[name$='-role']").select_option(Role.SYNERGIST)
    # A mistake row too: plain text fields, which work in added rows.
    mistakes = int(editor_page.locator("#id_mistakes-TOTAL_FORMS").input_value())
    editor_page.get_by_role("button", name="Add another Mistake").click()
    mistake = editor_page.locator(f"#mistakes-{mistakes}")
    mistake.locator("input[name$='-title']").fill("Arching the lower back")
    mistake.locator("textarea[name$='-text']").fill("Keep the trunk still.")
    editor_page.get_by_role("button", name="Save", exact=True).click()
    expect(editor_page.locator(".messagelist")).to_contain_text(
        "was changed successfully"
    )
    quadriceps = MuscleRole.objects.get(
        exercise=exercise, muscle=Muscle.objects.get(slug="quadriceps")
    )
    assert quadriceps.position > last
    assert quadriceps.role == Role.SYNERGIST
    assert [m.title for m in exercise.mistakes.all()] == ["Arching the lower back"]
