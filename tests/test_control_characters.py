"""Control characters are refused where text comes in; the feed survives old ones.

Tabs and line breaks (LF, and the CR LF that browsers send) are allowed.
"""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from exercises.models import Exercise, Muscle
from tests.factories import free_db_record, make_exercise, new_exercise_form

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(client):
    response = client.get(reverse("exercises:feed"))
    assert response.status_code == 200
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_feed_sends_a_plain_text_summary_as_text(client):
    make_exercise(summary="Hips up. <img src=x onerror=alert(1)> & <b>more</b>")
    (entry,) = feed_entries(client)
    summary = entry.find(f"{ATOM}summary")
    # type="html": the reader parses the text as HTML, so markup must arrive
    # escaped and show as the characters typed.
    assert summary.get("type") == "html"
    assert summary.text == (
        "Hips up. &lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;more&lt;/b&gt;"
    )


def test_feed_leaves_out_control_characters_already_stored(client):
    exercise = make_exercise()
    # As saved before they were refused.
    Exercise.objects.filter(pk=exercise.pk).update(
        name="Hip\x0bThrust", summary="Hips\x01 up\x1b."
    )
    (entry,) = feed_entries(client)
    assert entry.find(f"{ATOM}title").text == "HipThrust"
    assert entry.find(f"{ATOM}summary").text == "Hips up."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Hip\x0bThrust"),
        ("summary", "Hips\x01 up."),
        ("aliases", "Thrust\x1b"),
        ("explanation", "Drive \x07the hips up."),
        ("takeaway", "Strong\x7f."),
        ("benefits-0-text", "Builds\x0c strength."),
        ("muscle_roles-0-note", "hip\x85extension"),
    ],
)
def test_admin_refuses_control_characters_in_any_text(
    staff_client, fixtures_loaded, field, value
):
    response = staff_client.post(
        reverse("admin:exercises_exercise_add"), new_exercise_form(**{field: value})
    )
    assert response.status_code == 200
    assert "only tabs and line breaks are allowed" in response.content.decode()
    assert not Exercise.objects.filter(slug="hip-thrust").exists()


def test_admin_refuses_control_characters_in_a_muscle(staff_client):
    response = staff_client.post(
        reverse("admin:exercises_muscle_add"),
        {"name": "Glu\x0btes", "slug": "glutes", "description": ""},
    )
    assert "name" in response.context["adminform"].form.errors
    assert not Muscle.objects.exists()


def test_tabs_and_line_breaks_are_kept(staff_client, fixtures_loaded):
    explanation = "Drive the hips up.\r\n\r\n\tThen lower them."
    response = staff_client.post(
        reverse("admin:exercises_exercise_add"),
        new_exercise_form(explanation=explanation),
    )
    assert response.status_code == 302
    assert Exercise.objects.get(slug="hip-thrust").explanation == explanation


def import_file(tmp_path, data):
    path = tmp_path / "exercises.json"
    path.write_text(json.dumps(data))
    call_command("import_exercises", str(path))


@pytest.fixture
def muscles_loaded(db):
    call_command("loaddata", "fixtures/muscles.json", verbosity=0)


def test_importer_names_the_record_and_field_with_a_control_character(
    tmp_path, muscles_loaded
):
    record = {
        "name": "Hip Thrust",
        "slug": "hip-thrust",
        "summary": "Hips up.",
        "status": "published",
        "muscles": [{"muscle": "glutes", "role": "target", "note": "hip\x0bext"}],
    }
    data = {"format": "exercise-atlas", "version": 1, "exercises": [record]}
    with pytest.raises(CommandError) as error:
        import_file(tmp_path, data)
    assert (
        'record 1 (slug "hip-thrust"), field "muscles[1].note": contains the '
        "control character U+000B at character 4"
    ) in str(error.value)
    assert not Exercise.objects.exists()


def test_importer_refuses_control_characters_in_free_exercise_db_steps(
    tmp_path, muscles_loaded
):
    record = free_db_record(instructions=["Stand.", "Kick\x07 back."])
    with pytest.raises(CommandError, match=r'field "instructions\[2\]": contains'):
        import_file(tmp_path, [record])
    assert not Exercise.objects.exists()


def test_importer_refuses_hostile_markdown(tmp_path, muscles_loaded):
    record = {
        "name": "Hip Thrust",
        "slug": "hip-thrust",
        "summary": "Hips up.",
        "explanation": "**" * 1000 + "x" + "**" * 1000,
    }
    data = {"format": "exercise-atlas", "version": 1, "exercises": [record]}
    with pytest.raises(CommandError, match='field "explanation": Line 1 has more'):
        import_file(tmp_path, data)
    assert not Exercise.objects.exists()
