"""The body map in a real browser: pages, colour schemes, widths, keyboard, print."""

import json
import subprocess

import pytest
from django.urls import reverse

from exercises.models import Role
from tests.browser.pages import describe, visit
from tests.factories import add_role, make_exercise, make_muscle

pytestmark = pytest.mark.browser

MAP_PAGES = ["exercise", "muscle", "muscle-list", "home"]

# The map's box, and the fill of a lit and of a plain region.
MAP_FACTS = """
() => {
  const svg = document.querySelector("svg.bodymap-figure");
  const box = svg.getBoundingClientRect();
  const fill = (selector) => {
    const polygon = svg.querySelector(selector);
    return polygon ? getComputedStyle(polygon).fill : null;
  };
  return {
    left: box.left, right: box.right, width: box.width, height: box.height,
    viewport: document.documentElement.clientWidth,
    lit: fill(".lit polygon"),
    plain: fill(".bodymap-plain"),
    regions: svg.querySelectorAll(".bodymap-area").length,
  };
}
"""


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("name", MAP_PAGES)
def test_map_shows_and_passes_axe(page, site, axe_source, name, color_scheme, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=color_scheme)
    visit(page, site, name)

    facts = page.evaluate(MAP_FACTS)

    assert facts["regions"] >= 15
    assert facts["width"] > 200 and facts["height"] > 230
    assert facts["left"] >= 0 and facts["right"] <= facts["viewport"]
    if name in ("exercise", "muscle"):
        # Leg Kickbacks and the Glutes page light the glutes.
        assert facts["lit"] and facts["lit"] != facts["plain"]
    page.evaluate(axe_source)
    violations = page.evaluate("axe.run()")["violations"]
    assert violations == [], describe(violations)


def test_role_colours_follow_the_colour_scheme(page, site):
    colours = {}
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        visit(page, site, "exercise")
        colours[scheme] = page.evaluate(
            "getComputedStyle(document.querySelector('.bodymap .ink-target')).fill"
        )
    assert colours["light"] != colours["dark"]


def test_keyboard_moves_through_the_map_and_names_each_region(page, site):
    page.goto(site + reverse("exercises:muscle_list"))
    regions = page.locator("svg.bodymap-figure a")
    count = regions.count()
    assert count >= 15

    # Tab from the top of the page until the map is reached.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('svg') !== null"):
            break
    visited = []
    for index in range(count):
        focused = page.evaluate(
            """() => {
              const link = document.activeElement;
              const name = link.querySelector(".bodymap-name");
              return {
                href: link.getAttribute("href"),
                title: link.querySelector("title").textContent,
                nameShown: getComputedStyle(name).visibility === "visible",
                name: name.textContent,
                fill: getComputedStyle(link.querySelector("polygon")).fill,
              };
            }"""
        )
        assert focused["href"] == regions.nth(index).get_attribute("href")
        assert focused["nameShown"] and focused["name"] == focused["title"]
        visited.append(focused)
        page.keyboard.press("Tab")
    # The focused region is drawn in the focus colour, unlike the others.
    unfocused = regions.first.evaluate(
        "(a) => getComputedStyle(a.querySelector('polygon')).fill"
    )
    assert visited[0]["fill"] != unfocused
    assert len({v["href"] for v in visited}) >= 15

    # Enter follows the focused region's link.
    regions.first.focus()
    href = regions.first.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(site + href)
    assert page.locator("h1").text_content() == visited[0]["title"]


def test_hovering_a_region_names_it(page, site):
    page.goto(site + reverse("exercises:muscle_list"))
    maximus = reverse("exercises:muscle_detail", args=["gluteus-maximus"])
    region = page.locator(f'svg.bodymap-figure a[href="{maximus}"]')
    name = region.locator(".bodymap-name")
    assert not name.is_visible()
    region.locator("polygon").first.hover()
    assert name.is_visible()


def test_printout_shows_its_address_and_links_in_full(page, site):
    url = site + reverse("exercises:exercise_detail", args=["leg-kickbacks"])
    page.goto(url)
    address = page.locator(".print-address")
    assert address.is_hidden()

    page.emulate_media(media="print", color_scheme="dark")

    assert address.is_visible()
    assert address.text_content() == url
    link = page.locator("table.roles").get_by_role("link", name="Glutes")
    after = link.evaluate("(a) => getComputedStyle(a, '::after').content")
    assert after == f'" ({site}/muscles/glutes/)"'
    # Role labels link to the glossary on every row: not printed.
    role = page.locator("table.roles a.role").first
    assert role.evaluate("(a) => getComputedStyle(a, '::after').content") == "none"
    # Black on white whatever the screen's scheme; roles told apart by pattern.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.bodymap .ink-target')).fill"
    ) in ("rgb(0, 0, 0)", "#000")
    assert page.locator("svg.bodymap-figure").is_visible()


def test_maps_with_every_role_are_valid_html(client, db, vnu_command, tmp_path):
    group = make_muscle(name="Calves", slug="calves")
    gastrocnemius = make_muscle(
        name="Gastrocnemius", slug="gastrocnemius", parent=group
    )
    head = make_muscle(
        name="Gastrocnemius (medial head)",
        slug="gastrocnemius-medial-head",
        parent=gastrocnemius,
    )
    exercise = make_exercise(name="Every Role", slug="every-role")
    for position, (slug, role) in enumerate(
        [
            ("quadriceps", Role.TARGET),
            ("gluteus-maximus", Role.SYNERGIST),
            ("erector-spinae", Role.STABILIZER),
            ("hamstrings", Role.DYNAMIC_STABILIZER),
            ("rectus-abdominis", Role.ANTAGONIST_STABILIZER),
        ]
    ):
        muscle = make_muscle(name=slug.replace("-", " ").capitalize(), slug=slug)
        add_role(exercise, muscle, role, position=position)
    add_role(exercise, head, Role.SYNERGIST, position=9)
    urls = [
        exercise.get_absolute_url(),
        head.get_absolute_url(),
        reverse("exercises:muscle_list"),
        reverse("exercises:home"),
    ]
    files = []
    for number, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code == 200
        assert b'class="bodymap-figure"' in response.content
        path = tmp_path / f"page-{number}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    result = subprocess.run(
        [*vnu_command, "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] in {"error", "non-document-error"}
    ]
    assert not errors, "\n".join(errors)
