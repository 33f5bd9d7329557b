import pytest

from exercises.models import Role, Status
from tests.factories import add_role, make_exercise, make_muscle

pytestmark = pytest.mark.django_db


def related_names(client, exercise):
    response = client.get(exercise.get_absolute_url())
    return [item["name"] for item in response.context["related"]]


def test_related_exercises_rank_same_role_overlap_first(client):
    glutes, hams, core = make_muscle(), make_muscle(), make_muscle()
    kickback = make_exercise(name="Kickback")
    add_role(kickback, glutes, Role.TARGET)
    add_role(kickback, hams, Role.STABILIZER)
    add_role(kickback, core, Role.STABILIZER)

    # Same muscles, other roles: 3 x 1 = 3.
    deadlift = make_exercise(name="Deadlift")
    add_role(deadlift, glutes, Role.SYNERGIST)
    add_role(deadlift, hams, Role.TARGET)
    add_role(deadlift, core, Role.DYNAMIC_STABILIZER)
    # One muscle in the same role: 3.  Plus one in another role: 4.
    bridge = make_exercise(name="Bridge")
    add_role(bridge, glutes, Role.TARGET)
    add_role(bridge, hams, Role.SYNERGIST)
    # One muscle in another role: 1.
    plank = make_exercise(name="Plank")
    add_role(plank, core, Role.TARGET)
    # No overlap, and a draft with full overlap: neither is listed.
    add_role(make_exercise(name="Curl"), make_muscle(), Role.TARGET)
    draft = make_exercise(name="Draft Kickback", status=Status.DRAFT)
    add_role(draft, glutes, Role.TARGET)

    assert related_names(client, kickback) == ["Bridge", "Deadlift", "Plank"]


def test_page_without_roles_has_no_related_section(client):
    lonely = make_exercise()
    assert related_names(client, lonely) == []
    assert 'id="related"' not in client.get(lonely.get_absolute_url()).content.decode()


def test_muscle_page_links_to_the_full_filtered_list(client, settings):
    group = make_muscle(name="Legs", slug="legs")
    for i in range(25):
        add_role(make_exercise(name=f"Squat {i:02d}"), group, Role.TARGET)
    response = client.get("/muscles/legs/")
    html = response.content.decode()
    [target] = response.context["own"]["groups"]
    assert len(target["exercises"]) == 20
    assert target["count"] == 25
    assert 'href="/exercises/?muscle=legs&amp;role=target"' in html
    assert "All 25 exercises with Legs as target" in html
