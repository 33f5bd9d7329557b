"""axe-core finds no accessibility problem on any public page, light or dark."""

import pytest

from tests.browser.pages import PUBLIC_PAGES, visit

pytestmark = pytest.mark.browser


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


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
