"""Layout in a real browser: small and wide screens, and print."""

import pytest
from django.urls import reverse

from tests.browser.pages import PUBLIC_PAGES, visit

pytestmark = pytest.mark.browser

# Elements whose right edge passes the viewport, outside any element that clips
# or scrolls its overflow (a wide table in a scrolling wrapper is fine).
OVERFLOWING_ELEMENTS = """
() => {
  const width = document.documentElement.clientWidth;
  const clipped = (element) => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      if (parent === document.body || parent === document.documentElement) break;
      if (getComputedStyle(parent).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.right > width + 0.5 && !clipped(element);
    })
    .map((element) => {
      const name = element.tagName.toLowerCase()
        + (element.id ? "#" + element.id : "")
        + [...element.classList].map((c) => "." + c).join("");
      const right = Math.round(element.getBoundingClientRect().right);
      return `${name} ends at ${right}px: ${element.textContent.trim().slice(0, 60)}`;
    });
}
"""


@pytest.mark.parametrize("width", [375, 1280])
def test_public_pages_fit_the_screen_without_sideways_scrolling(page, site, width):
    page.set_viewport_size({"width": width, "height": 800})
    overflows = {}
    for name in PUBLIC_PAGES:
        visit(page, site, name)
        scroll_width, client_width = page.evaluate(
            "[document.documentElement.scrollWidth,"
            " document.documentElement.clientWidth]"
        )
        elements = page.evaluate(OVERFLOWING_ELEMENTS)
        if scroll_width > client_width or elements:
            overflows[name] = [f"page is {scroll_width}px wide", *elements]

    assert overflows == {}


def test_printed_page_hides_the_navigation_and_shows_link_targets(page, site):
    page.goto(site + reverse("exercises:exercise_detail", args=["leg-kickbacks"]))
    navigation = page.get_by_role("navigation", name="Main")
    muscle_link = page.locator("main").get_by_role("link", name="Gluteus maximus")
    assert navigation.is_visible()
    assert muscle_link_after(muscle_link) == "none"

    page.emulate_media(media="print")

    assert navigation.is_hidden()
    # In full: print.css gives the site's address.
    assert muscle_link_after(muscle_link) == f'" ({site}/muscles/gluteus-maximus/)"'


def muscle_link_after(link):
    return link.evaluate("(a) => getComputedStyle(a, '::after').content")
