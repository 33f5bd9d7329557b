"""An editor changes an exercise in the admin, and readers see the change.

The page fixture fails the test on any console error or CSP violation, so this
also proves the admin's scripts (markdownx, select2, inlines) run under the
site's Content Security Policy.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from exercises.models import Exercise, Role

pytestmark = pytest.mark.browser

PASSWORD = "editor-password"

# A DataTransfer holding a small PNG drawn on a canvas, as a file dragged from
# the desktop would bring.
PNG_DATA_TRANSFER = """
async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 12;
  canvas.height = 8;
  const context = canvas.getContext("2d");
  context.fillStyle = "#8a3b00";
  context.fillRect(0, 0, 12, 8);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], "diagram.png", { type: "image/png" }));
  return transfer;
}
"""


def log_in(page, user):
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def editor(django_user_model, site):
    return django_user_model.objects.create_user(
        "editor", password=PASSWORD, is_staff=True, is_superuser=True
    )


def test_editor_edits_an_exercise_in_the_admin_and_readers_see_it(
    new_page, site, editor
):
    exercise = Exercise.objects.get(slug="leg-kickbacks")
    public_url = site + exercise.get_absolute_url()
    reader = new_page()
    reader.goto(public_url)  # The page is now in the page cache too.
    # Leg Kickbacks names the hip abductors nowhere; the editor adds them.
    abductors = reader.get_by_role("row", name=re.compile("^Abductors"))
    expect(abductors).to_have_count(0)

    page = new_page()
    change_url = site + reverse("admin:exercises_exercise_change", args=[exercise.pk])
    page.goto(change_url)  # The admin asks to log in first.
    with page.expect_response(change_url) as change_form:
        log_in(page, editor)
    # What the test proves about CSP holds only while the admin sends one.
    policy = change_form.value.header_value("content-security-policy")
    assert "script-src 'self'" in policy

    # The preview follows the typing, rendered by the server.
    explanation = page.locator("#id_explanation")
    preview = page.locator("#id_explanation ~ .markdownx-preview")
    # markdownx renders the saved text once the page has loaded; wait for that
    # first answer, so it cannot land after the one for the typing below.
    expect(preview.locator("p").first).to_be_visible(timeout=20_000)
    explanation.fill("Kick **higher** than the hip.\n\n")
    # A list: every <strong> of the preview, so the article's own bold text,
    # shown until the new preview arrives, is waited out rather than an error.
    expect(preview.locator("strong")).to_have_text(["higher"])

    # An image dropped on the editor is uploaded and its Markdown inserted.
    explanation.press("End")
    explanation.dispatch_event(
        "drop", {"dataTransfer": page.evaluate_handle(PNG_DATA_TRANSFER)}
    )
    expect(explanation).to_have_value(re.compile(r"!\[\]\(/media/uploads/[^)]+\.png\)"))
    expect(preview.locator("img")).to_have_count(1)

    # A new muscle role, in a row added with "Add another", its muscle picked
    # through the autocomplete.
    rows = int(page.locator("#id_muscle_roles-TOTAL_FORMS").input_value())
    page.get_by_role("button", name="Add another Muscle role").click()
    row = page.locator(f"#muscle_roles-{rows}")
    row.locator(".field-muscle").get_by_role("combobox").click()
    page.locator(".select2-dropdown .select2-search__field").fill("abduct")
    page.get_by_role("option", name="Abductors", exact=True).click()
    row.locator("select[name$='-role']").select_option(Role.STABILIZER)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    reader.goto(public_url)
    explanation_section = reader.locator("#explanation")
    expect(explanation_section.locator("strong")).to_have_text("higher")
    image = explanation_section.locator("img")
    expect(image).to_have_attribute("src", re.compile(r"^/media/uploads/.+\.png$"))
    assert image.evaluate("(img) => img.complete && img.naturalWidth") == 12
    expect(abductors).to_contain_text("Stabilizer")
