"""Screenshots of an exercise page for the README, light and dark."""

import pytest
from django.urls import reverse

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_exercise_page_screenshot(page, site, color_scheme):
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.emulate_media(color_scheme=color_scheme)
    page.goto(site + reverse("exercises:exercise_detail", args=["leg-kickbacks"]))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"exercise-{color_scheme}.png"
    # The top of the page: the README shows the article's start, not its length.
    page.screenshot(path=path, full_page=False, animations="disabled")

    assert path.stat().st_size < 400_000
