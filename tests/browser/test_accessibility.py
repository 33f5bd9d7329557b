"""axe-core finds no accessibility problem on any public page, light or dark."""

import pytest

from tests.browser.pages import PUBLIC_PAGES, describe, visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(page, site, axe_source, name, color_scheme):
    page.emulate_media(color_scheme=color_scheme)
    visit(page, site, name)
    # Evaluated rather than added as a <script>, which the site's CSP refuses.
    page.evaluate(axe_source)

    violations = page.evaluate("axe.run()")["violations"]

    message = f"axe on {name} ({color_scheme}):\n{describe(violations)}"
    assert violations == [], message
