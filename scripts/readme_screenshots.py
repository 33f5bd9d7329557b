"""Take the README's screenshots (docs/screenshots/) from a running site.

    make run                                     # in one terminal
    .venv/bin/python scripts/readme_screenshots.py [http://127.0.0.1:8000]

Uses Playwright with Debian's Chromium, as the browser tests do. Run it again
after a change that shows on these pages, look at the pictures, commit them.
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EXERCISE = "/exercises/leg-kickbacks/"

# name: (path, viewport width, height, colour scheme, element scrolled to the top)
SHOTS = {
    "exercise-light": (EXERCISE, 1280, 900, "light", None),
    "exercise-dark": (EXERCISE, 1280, 900, "dark", None),
    "exercise-map-light": (EXERCISE, 1280, 900, "light", "#muscles"),
    "exercise-map-dark": (EXERCISE, 1280, 900, "dark", "#muscles"),
    "exercise-map-375": (EXERCISE, 375, 812, "light", "#muscles"),
    "home-1280": ("/", 1280, 900, "light", None),
    "home-375-dark": ("/", 375, 812, "dark", None),
}


def scroll_to(page, selector):
    page.evaluate(
        "(selector) => window.scrollTo(0,"
        " document.querySelector(selector).getBoundingClientRect().top"
        " + window.scrollY - 8)",
        selector,
    )


def main(site):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        for name, (path, width, height, scheme, selector) in SHOTS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.emulate_media(color_scheme=scheme)
            page.goto(site + path)
            if selector:
                scroll_to(page, selector)
            page.screenshot(path=OUTPUT / f"{name}.png", animations="disabled")
            page.close()

        # /muscles/ with one region focused from the keyboard: its name shows.
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(site + "/muscles/")
        regions = page.locator("svg.bodymap-figure a")
        regions.first.focus()
        for _ in range(min(5, regions.count() - 1)):
            page.keyboard.press("Tab")
        page.screenshot(path=OUTPUT / "muscles-keyboard.png")
        page.close()

        # The printout, as the browser lays it out for paper.
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        page.emulate_media(media="print")
        page.goto(site + EXERCISE)
        page.screenshot(path=OUTPUT / "exercise-print.png", full_page=True)
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
        print(f"{EXERCISE} prints on {pages} A4 page(s)")
        page.close()
        browser.close()
    for file in sorted(OUTPUT.iterdir()):
        print(f"{file.relative_to(ROOT)}: {file.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
