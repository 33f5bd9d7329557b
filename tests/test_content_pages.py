"""What exercise and muscle pages claim: roles as reviewed or as the source gave
them, the muscle tree, stretches, mistakes, variations, references, licences."""

import datetime
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from exercises.management.commands.seed import FIXTURES
from exercises.models import Category, Muscle, Role, Status, VariationKind
from exercises.roles import ROLE_DEFINITIONS
from tests.factories import (
    add_benefit,
    add_mistake,
    add_role,
    add_step,
    add_variation,
    cite,
    make_exercise,
    make_reference,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxonomy(db):
    call_command("loaddata", *FIXTURES, verbosity=0)
    return {m.slug: m for m in Muscle.objects.all()}


def text_of(response):
    """The visible text of a page's main element, whitespace collapsed."""
    assert response.status_code == 200
    main = response.content.decode().split('<main id="main">')[1].split("</main>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def section(response, section_id):
    html = response.content.decode()
    match = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    return match.group(0) if match else None


def role_counts(response, section_key="own"):
    """{role value: (count in heading, exercise names)} of a muscle page section."""
    sections = response.context[section_key]
    if section_key == "own":
        sections = [sections]
    return [
        {
            group["role"].value: (
                group["count"],
                [e["name"] for e in group["exercises"]],
            )
            for group in s["groups"]
        }
        for s in sections
    ]


# The taxonomy ----------------------------------------------------------------


def test_taxonomy_has_three_levels_with_functions_and_descriptions(taxonomy):
    groups = [m for m in taxonomy.values() if m.parent_id is None]
    muscles = [m for m in taxonomy.values() if m.parent and m.parent.parent_id is None]
    heads = [m for m in taxonomy.values() if m.parent and m.parent.parent_id]
    assert len(groups) == 22
    assert len(muscles) >= 45
    assert len(heads) >= 15
    for muscle in taxonomy.values():
        assert muscle.function, muscle.slug
        assert muscle.description, muscle.slug
        muscle.full_clean()
    assert "core" not in taxonomy
    for new_group in [
        "hip-flexors",
        "tibialis-anterior",
        "rotator-cuff",
        "obliques",
        "serratus-anterior",
    ]:
        assert taxonomy[new_group].parent is None


def test_functions_name_every_main_action(taxonomy):
    assert "external rotation" in taxonomy["gluteus-maximus"].function
    assert "hip flexion" in taxonomy["rectus-femoris"].function
    assert taxonomy["gluteus-minimus"].function != taxonomy["gluteus-medius"].function
    assert "hip" not in taxonomy["biceps-femoris-short-head"].function.replace(
        "no action at the hip", ""
    )


def test_overlapping_groups_say_where_the_muscles_are(taxonomy):
    assert "Glutes" in taxonomy["abductors"].description
    assert "Traps" in taxonomy["middle-back"].description
    assert "core" in taxonomy["abdominals"].description


def test_old_core_address_redirects_to_abdominals(client, taxonomy):
    response = client.get("/muscles/core/")
    assert response.status_code == 301
    assert response["Location"] == "/muscles/abdominals/"


# Muscle pages and filters follow the tree -------------------------------------


@pytest.fixture
def glute_exercises(taxonomy):
    t = taxonomy
    minimus = make_exercise(name="Side-Lying Abduction")
    add_role(minimus, t["gluteus-minimus"], Role.TARGET)
    maximus = make_exercise(name="Hip Thrust")
    add_role(maximus, t["gluteus-maximus"], Role.TARGET)
    group_primary = make_exercise(name="Imported Bridge", source_id="Bridge")
    add_role(group_primary, t["glutes"], Role.PRIMARY)
    group_secondary = make_exercise(name="Imported Squat", source_id="Squat")
    add_role(group_secondary, t["quadriceps"], Role.PRIMARY)
    add_role(group_secondary, t["glutes"], Role.SECONDARY)
    draft = make_exercise(name="Draft Clam", status=Status.DRAFT)
    add_role(draft, t["gluteus-minimus"], Role.TARGET)
    return t


def test_group_page_counts_its_muscles_rows(client, glute_exercises):
    response = client.get("/muscles/glutes/")
    assert role_counts(response) == [
        {
            "target": (2, ["Hip Thrust", "Side-Lying Abduction"]),
            "primary": (1, ["Imported Bridge"]),
            "secondary": (1, ["Imported Squat"]),
        }
    ]
    assert response.context["whole"] == []
    text = text_of(response)
    assert "Target in 2 exercises" in text
    assert "Primary (source) in 1 exercise" in text
    assert "Draft Clam" not in text


def test_muscle_page_shows_group_rows_apart(client, glute_exercises):
    response = client.get("/muscles/gluteus-minimus/")
    # Its own rows: only the exercise that names the gluteus minimus.
    assert role_counts(response) == [{"target": (1, ["Side-Lying Abduction"])}]
    # Rows that name only the whole group, apart and said to be so.
    assert role_counts(response, "whole") == [
        {
            "primary": (1, ["Imported Bridge"]),
            "secondary": (1, ["Imported Squat"]),
        }
    ]
    text = text_of(response)
    assert "Exercises that name only the whole Glutes group" in text
    assert "Hip Thrust" not in text


def test_head_page_leaves_out_its_muscles_other_rows(client, taxonomy):
    t = taxonomy
    front = make_exercise(name="Front Raise")
    add_role(front, t["anterior-deltoid"], Role.TARGET)
    rear = make_exercise(name="Rear Delt Fly")
    add_role(rear, t["posterior-deltoid"], Role.TARGET)
    whole_deltoid = make_exercise(name="Overhead Press")
    add_role(whole_deltoid, t["deltoid"], Role.SYNERGIST)
    imported = make_exercise(name="Imported Press", source_id="Press")
    add_role(imported, t["shoulders"], Role.PRIMARY)

    head = client.get("/muscles/anterior-deltoid/")
    assert role_counts(head) == [{"target": (1, ["Front Raise"])}]
    assert role_counts(head, "whole") == [
        {"synergist": (1, ["Overhead Press"])},
        {"primary": (1, ["Imported Press"])},
    ]
    assert "Rear Delt Fly" not in text_of(head)

    muscle = client.get("/muscles/deltoid/")
    assert role_counts(muscle) == [
        {
            "target": (2, ["Front Raise", "Rear Delt Fly"]),
            "synergist": (1, ["Overhead Press"]),
        }
    ]


def filtered_names(client, query):
    response = client.get(reverse("exercises:exercise_list") + query)
    return sorted(e.name for e in response.context["page"].object_list)


def test_muscle_filter_means_that_muscle_and_its_parts_not_its_group(
    client, glute_exercises
):
    assert filtered_names(client, "?muscle=gluteus-minimus") == ["Side-Lying Abduction"]
    assert filtered_names(client, "?muscle=glutes") == [
        "Hip Thrust",
        "Imported Bridge",
        "Imported Squat",
        "Side-Lying Abduction",
    ]
    assert filtered_names(client, "?muscle=glutes&exact=on") == [
        "Imported Bridge",
        "Imported Squat",
    ]
    # A reviewed role is not the source's: "target" does not find "primary".
    assert filtered_names(client, "?muscle=glutes&role=target") == [
        "Hip Thrust",
        "Side-Lying Abduction",
    ]
    assert filtered_names(client, "?role=primary") == [
        "Imported Bridge",
        "Imported Squat",
    ]


def test_counts_on_muscle_pages_agree_with_their_links(client, taxonomy):
    t = taxonomy
    for n in range(23):
        add_role(make_exercise(name=f"Bridge {n:02}"), t["glutes"], Role.SECONDARY)
    add_role(make_exercise(name="Clam"), t["gluteus-minimus"], Role.SYNERGIST)
    for slug in ["glutes", "gluteus-minimus"]:
        response = client.get(f"/muscles/{slug}/")
        for key in ["own", "whole"]:
            sections = response.context[key]
            for s in [sections] if key == "own" else sections:
                for group in s["groups"]:
                    listed = client.get(group["all_url"])
                    assert listed.context["page"].paginator.count == group["count"]
    glutes = client.get("/muscles/glutes/")
    assert "All 23 exercises" in text_of(glutes)


# Exercise pages ---------------------------------------------------------------


def test_unreviewed_imported_page_shows_the_sources_roles(client, taxonomy):
    exercise = make_exercise(
        name="Barbell Squat", source_id="Barbell_Squat", explanation="", takeaway=""
    )
    add_role(exercise, taxonomy["quadriceps"], Role.PRIMARY)
    add_role(exercise, taxonomy["lower-back"], Role.SECONDARY, position=1)
    add_step(exercise, text="Stand under the bar.")
    response = client.get(exercise.get_absolute_url())
    text = text_of(response)
    assert "Not yet reviewed" in text
    assert "Roles from free-exercise-db (Unlicense), not yet reviewed" in text
    assert "Primary (source)" in text
    assert "Secondary (source)" in text
    assert "Synergist" not in text
    assert "Reviewed on" not in text
    # The source names the group, not the muscles in it: nothing more is claimed.
    muscles = section(response, "muscles")
    assert "Muscles worked" in muscles and "Muscles targeted" not in muscles
    terms = re.search(r"<dl.*?</dl>", muscles, re.S).group(0)
    assert "Quadriceps" in terms and "Rectus femoris" not in terms
    assert "<title>Quadriceps (rectus femoris): primary (source)</title>" in muscles
    steps = section(response, "how-to")
    assert "free-exercise-db" in steps and "Unlicense" in steps


def test_reviewed_page_shows_its_date_and_the_five_roles(client, taxonomy):
    exercise = make_exercise(
        name="Back Squat",
        source_id="Barbell_Squat",
        reviewed_on=datetime.date(2026, 12, 1),
        reviewed_by="Exercise Atlas editors",
    )
    for position, (slug, role) in enumerate(
        [
            ("gluteus-maximus", Role.TARGET),
            ("adductor-magnus", Role.SYNERGIST),
            ("erector-spinae", Role.STABILIZER),
            ("biceps-femoris-long-head", Role.DYNAMIC_STABILIZER),
            ("rectus-abdominis", Role.ANTAGONIST_STABILIZER),
        ]
    ):
        add_role(exercise, taxonomy[slug], role, position=position)
    text = text_of(client.get(exercise.get_absolute_url()))
    assert "Reviewed on 1 December 2026 by Exercise Atlas editors" in text
    assert "Not yet reviewed" not in text
    assert "not yet reviewed" not in text
    for label in [
        "Target",
        "Synergist",
        "Stabilizer",
        "Dynamic stabilizer",
        "Antagonist stabilizer",
    ]:
        assert label in text
    assert "(source)" not in text
    assert "Muscles targeted" in text


def test_stretch_page_says_muscles_stretched(client, taxonomy):
    stretch = make_exercise(name="Hamstring Stretch", category=Category.STRETCHING)
    add_role(stretch, taxonomy["hamstrings"], Role.PRIMARY)
    text = text_of(client.get(stretch.get_absolute_url()))
    assert "Muscles stretched" in text
    assert "Muscles targeted" not in text


def test_mistakes_variations_and_references_sections(client):
    squat = make_exercise(name="Back Squat")
    goblet = make_exercise(name="Goblet Squat")
    front = make_exercise(name="Front Squat")
    add_variation(squat, goblet, VariationKind.EASIER)
    add_variation(squat, front, VariationKind.ALTERNATIVE, position=1)
    first, second = make_reference(title="First study"), make_reference(title="Other")
    cite(squat, first, position=0)
    cite(squat, second, position=1)
    add_mistake(squat, title="Knees cave in", position=0).references.add(second)
    add_mistake(squat, title="Heels lift", position=1)
    add_benefit(squat, title="Strong legs").references.add(first)

    response = client.get(squat.get_absolute_url())
    mistakes = section(response, "mistakes")
    assert mistakes.index("Knees cave in") < mistakes.index("Heels lift")
    assert "<ol" in mistakes
    assert 'href="#ref-2"' in mistakes
    assert 'href="#ref-1"' in section(response, "benefits")
    references = section(response, "references")
    assert 'id="ref-1"' in references and "First study" in references
    assert 'id="ref-2"' in references and "Other" in references
    assert "https://doi.org/" in references
    variations = section(response, "variations")
    assert "Goblet Squat" in variations and "Front Squat" in variations

    # Shown on the other page too, inversely for easier and harder.
    goblet_variations = section(client.get(goblet.get_absolute_url()), "variations")
    assert "Harder" in goblet_variations and "Back Squat" in goblet_variations
    front_variations = section(client.get(front.get_absolute_url()), "variations")
    assert "Alternatives" in front_variations and "Back Squat" in front_variations


def test_empty_sections_are_not_rendered(client):
    response = client.get(make_exercise().get_absolute_url())
    for section_id in ["mistakes", "variations", "references", "how-to", "muscles"]:
        assert section(response, section_id) is None, section_id


def test_related_exercises_leave_out_the_variations(client, taxonomy):
    squat = make_exercise(name="Back Squat")
    goblet = make_exercise(name="Goblet Squat")
    lunge = make_exercise(name="Lunge")
    for exercise in (squat, goblet, lunge):
        add_role(exercise, taxonomy["quadriceps"], Role.TARGET)
    add_variation(squat, goblet, VariationKind.EASIER)
    related = section(client.get(squat.get_absolute_url()), "related")
    assert "Lunge" in related
    assert "Goblet Squat" not in related


# Licences, the role glossary and editing ---------------------------------------


def test_footer_states_the_text_licence(client):
    response = client.get(reverse("exercises:home"))
    html = response.content.decode()
    assert "CC BY-SA 4.0" in html
    assert 'href="https://creativecommons.org/licenses/by-sa/4.0/"' in html


def test_roles_page_defines_each_role_with_an_example_and_a_source(client):
    response = client.get(reverse("exercises:roles"))
    html = unescape(response.content.decode())
    assert "https://exrx.net/Kinesiology/Glossary" in html
    for role in Role:
        assert f'id="{role.value}"' in html
        assert ROLE_DEFINITIONS[role].split(".")[0] in html
    assert html.count("Example:") == len(Role)
    # Target is not "the muscle that shortens": stretches and holds count too.
    assert "shortens under load" not in html
    assert "in a stretch it is the muscle being lengthened" in html


def test_staff_see_edit_links_and_cached_pages_keep_none(
    client, staff_client, taxonomy, settings
):
    settings.PAGE_CACHE_SECONDS = 60
    exercise = make_exercise()
    muscle = taxonomy["glutes"]
    anonymous = client.get(exercise.get_absolute_url()).content.decode()
    assert "edit-link" not in anonymous
    staff = staff_client.get(exercise.get_absolute_url()).content.decode()
    assert f"/admin/exercises/exercise/{exercise.pk}/change/" in staff
    staff_muscle = staff_client.get(muscle.get_absolute_url()).content.decode()
    assert f"/admin/exercises/muscle/{muscle.pk}/change/" in staff_muscle
    # The cached page anonymous readers get still has no edit link.
    assert "edit-link" not in client.get(exercise.get_absolute_url()).content.decode()
    assert "edit-link" not in client.get(muscle.get_absolute_url()).content.decode()


def test_reviewed_articles_lead_the_home_page_list_and_feed(client):
    for name in ["Air Squat", "Box Jump", "Crunch"]:
        make_exercise(name=name)
    make_exercise(name="Zottman Curl", reviewed_on=datetime.date(2026, 12, 1))
    listed = client.get(reverse("exercises:exercise_list"))
    assert [e.name for e in listed.context["page"].object_list][0] == "Zottman Curl"
    assert "Reviewed" in section_text(listed, "Zottman Curl")
    home = client.get(reverse("exercises:home"))
    assert home.context["articles"][0].name == "Zottman Curl"
    feed = client.get(reverse("exercises:feed")).content.decode()
    assert feed.index("Zottman Curl") < feed.index("Crunch")


def section_text(response, name):
    html = response.content.decode()
    start = html.index(name)
    return html[start : html.index("</li>", start)]


def test_json_ld_states_the_licence_and_the_source(client):
    imported = make_exercise(name="Imported Row", source_id="free-exercise-db:Row")
    html = client.get(imported.get_absolute_url()).content.decode()
    assert '"license": "https://creativecommons.org/licenses/by-sa/4.0/"' in html
    assert '"license": "https://unlicense.org/"' in html
    own = client.get(make_exercise(name="Own Row").get_absolute_url()).content
    assert b"unlicense" not in own
