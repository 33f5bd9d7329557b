"""Real-browser checks: Debian's Chromium, driven by Playwright, on the live server.

The tools come from outside Python: Chromium from apt, Java for the HTML
validator, axe-core and vnu-jar from npm. Where one is missing the tests that
need it are skipped, except under REQUIRE_BROWSER_TESTS=1 (set by .ci/run), where
they fail.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop in the main thread, and Django then
# refuses database access from the (synchronous) test code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules/axe-core/axe.min.js"
VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
HOW_TO_ENABLE = (
    "to run the browser tests: apt-get install chromium default-jre-headless, "
    "then npm ci"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # The machine has no network: without these Chromium keeps calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require(present, what):
    """Skip when a tool is missing, or fail when CI requires the browser tests."""
    if present:
        return
    message = f"{what} is missing; {HOW_TO_ENABLE}"
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def axe_source():
    require(AXE.exists(), f"axe-core ({AXE.relative_to(ROOT)})")
    return AXE.read_text()


@pytest.fixture(scope="session")
def vnu_command():
    java = shutil.which("java")
    require(java, "Java (java on PATH)")
    require(VNU.exists(), f"vnu-jar ({VNU.relative_to(ROOT)})")
    return [java, "-jar", str(VNU)]


@pytest.fixture
def site(live_server, fixtures_loaded):
    """The live server, with the fixtures in its (transactional) database."""
    return live_server


# Reported through console.error, so the console listener below sees it too.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    `CSP violation: ${event.effectiveDirective} blocked ` +
    `${event.blockedURI || "inline code"} in ${event.sourceFile}:${event.lineNumber}`
  );
}, true);
"""


class BrowserErrors:
    """Console errors, uncaught exceptions and CSP violations seen by a page."""

    def __init__(self, page):
        self.messages = []
        # The main document of a page expected to answer 404 logs a console
        # error of its own; requests to these URLs are not counted.
        self.expected_failures = set()
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.messages.append(f"{error}"))

    def on_console(self, message):
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and (
            where in self.expected_failures
            # Chromium asks for it by itself on admin pages, which link no icon.
            or where.endswith("/favicon.ico")
        ):
            return
        self.messages.append(f"{message.text} ({where})")


@pytest.fixture
def new_page(new_context):
    """Opens pages that fail the test on any console error or CSP violation."""
    pages = []

    def open_page(**context_args):
        page = new_context(**context_args).new_page()
        page.errors = BrowserErrors(page)
        pages.append(page)
        return page

    yield open_page
    errors = [message for page in pages for message in page.errors.messages]
    assert not errors, "Errors in the browser:\n" + "\n".join(errors)


@pytest.fixture
def page(new_page):
    return new_page()
