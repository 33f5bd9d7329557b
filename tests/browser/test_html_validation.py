"""The W3C Nu validator (vnu.jar) finds no HTML error on any public page."""

import json
import subprocess

import pytest

from tests.browser.pages import PUBLIC_PAGES, expected_status

pytestmark = pytest.mark.browser


def test_public_pages_are_valid_html(client, fixtures_loaded, vnu_command, tmp_path):
    files = []
    for name, url in PUBLIC_PAGES.items():
        response = client.get(url())
        assert response.status_code == expected_status(name), name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    # One run for all pages: the JVM takes seconds to start.
    result = subprocess.run(
        [*vnu_command, "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout, f"vnu did not run: {result.stderr}"
    errors, warnings = [], []
    for message in json.loads(result.stdout)["messages"]:
        page = message.get("url", "").rsplit("/", 1)[-1]
        text = f"{page}:{message.get('lastLine', '?')}: {message['message']}"
        text += f"\n    {message.get('extract', '').strip()}"
        if message["type"] in {"error", "non-document-error"}:
            errors.append(text)
        elif message.get("subType") == "warning":
            warnings.append(text)
    # Warnings are shown with -rP (or when the test fails), but do not fail it.
    print("vnu warnings:", *warnings, sep="\n")
    assert not errors, "vnu errors:\n" + "\n".join(errors)
