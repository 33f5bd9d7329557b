"""The body map: which regions light up, and where the map appears."""

import re

import pytest
from django.urls import reverse

from exercises import bodymap
from exercises.models import Role
from tests.factories import add_role, make_exercise, make_muscle

pytestmark = pytest.mark.django_db


def calves():
    """The calves of the taxonomy: group, muscles and heads."""
    group = make_muscle(name="Calves", slug="calves")
    gastrocnemius = make_muscle(
        name="Gastrocnemius", slug="gastrocnemius", parent=group
    )
    muscles = {
        "calves": group,
        "gastrocnemius": gastrocnemius,
        "soleus": make_muscle(name="Soleus", slug="soleus", parent=group),
    }
    for side in ["medial", "lateral"]:
        slug = f"gastrocnemius-{side}-head"
        muscles[slug] = make_muscle(
            name=f"Gastrocnemius ({side} head)", slug=slug, parent=gastrocnemius
        )
    return muscles


def lit(drawn_map):
    """{(view, muscle slug): role or "lit"} for the lit areas."""
    return {
        (view.name, area.muscle.slug): area.role or "lit"
        for view in drawn_map.views
        for area in view.areas
        if area.lit
    }


def test_a_head_lights_its_own_region_and_its_muscle_but_not_the_other_head():
    muscles = calves()
    exercise = make_exercise()
    add_role(exercise, muscles["gastrocnemius-medial-head"], Role.TARGET)

    drawn = bodymap.for_roles(exercise.muscle_roles.all())

    assert lit(drawn) == {
        ("back", "gastrocnemius-medial-head"): "target",
        # The front view draws the gastrocnemius as a whole.
        ("front", "gastrocnemius"): "target",
    }


def test_a_group_lights_every_region_of_its_muscles():
    muscles = calves()
    exercise = make_exercise()
    add_role(exercise, muscles["calves"], Role.STABILIZER)

    drawn = bodymap.for_roles(exercise.muscle_roles.all())

    assert lit(drawn) == {
        ("front", "gastrocnemius"): "stabilizer",
        ("back", "gastrocnemius-medial-head"): "stabilizer",
        ("back", "gastrocnemius-lateral-head"): "stabilizer",
        ("back", "soleus"): "stabilizer",
    }
    assert drawn.roles == [Role.STABILIZER]


def test_a_region_shows_the_first_role_in_vocabulary_order():
    glutes = make_muscle(name="Glutes", slug="glutes")
    maximus = make_muscle(name="Gluteus maximus", slug="gluteus-maximus", parent=glutes)
    exercise = make_exercise()
    add_role(exercise, glutes, Role.STABILIZER, position=1)
    add_role(exercise, maximus, Role.TARGET, position=2)

    drawn = bodymap.for_roles(exercise.muscle_roles.all())

    assert lit(drawn) == {
        ("back", "gluteus-maximus"): "target",
        # The gluteus medius region, showing the group: no medius here.
        ("back", "glutes"): "stabilizer",
    }


def test_a_region_showing_the_group_does_not_light_for_a_drawn_sibling():
    glutes = make_muscle(name="Glutes", slug="glutes")
    maximus = make_muscle(name="Gluteus maximus", slug="gluteus-maximus", parent=glutes)
    exercise = make_exercise()
    add_role(exercise, maximus, Role.TARGET)

    drawn = bodymap.for_roles(exercise.muscle_roles.all())

    # The gluteus medius region shows Glutes (no medius in the database) and
    # stays unlit: the maximus has its own region.
    assert ("back", "glutes") in {
        (view.name, area.muscle.slug) for view in drawn.views for area in view.areas
    }
    assert lit(drawn) == {("back", "gluteus-maximus"): "target"}


def test_regions_fall_back_to_the_group_and_ignore_slugs_not_in_the_database():
    # Only the group exists: every hamstring region shows it, as one area.
    hamstrings = make_muscle(name="Hamstrings", slug="hamstrings")

    drawn = bodymap.for_navigation()

    areas = {
        (view.name, area.muscle.slug): len(area.polygons)
        for view in drawn.views
        for area in view.areas
    }
    assert areas == {("back", "hamstrings"): 4}
    assert hamstrings.slug in {a.muscle.slug for v in drawn.views for a in v.areas}
    # The rest of the body is drawn, but is no link.
    assert all(view.plain for view in drawn.views)


def test_a_muscle_without_a_region_is_named_under_the_map(client):
    rhomboids = make_muscle(name="Rhomboids", slug="rhomboids")
    glutes = make_muscle(name="Glutes", slug="glutes")
    exercise = make_exercise(slug="row")
    add_role(exercise, glutes, Role.TARGET)
    add_role(exercise, rhomboids, Role.SYNERGIST)

    html = client.get(exercise.get_absolute_url()).content.decode()

    assert "Not drawn on the map: Rhomboids." in html
    # The legend still names the synergist role, which only the table shows.
    legend = html.split('class="bodymap-legend"')[1].split("</ul>")[0]
    assert f'href="{reverse("exercises:roles")}#synergist"' in legend


def test_exercise_page_map_is_an_image_whose_text_alternative_is_the_table(client):
    glutes = make_muscle(name="Glutes", slug="glutes")
    hamstrings = make_muscle(name="Hamstrings", slug="hamstrings")
    exercise = make_exercise(name="Hip Thrust", slug="hip-thrust")
    add_role(exercise, glutes, Role.TARGET)
    add_role(exercise, hamstrings, Role.SYNERGIST)

    html = client.get(exercise.get_absolute_url()).content.decode()

    svg = html.split('<svg class="bodymap-figure"')[1].split("</svg>")[0]
    label = re.search(r'role="img" aria-label="([^"]+)"', svg).group(1)
    assert "Hip Thrust" in label and "table below" in label
    # A title per region, naming the muscle and its role.
    assert "<title>Glutes: target</title>" in svg
    assert "<title>Hamstrings: synergist</title>" in svg
    assert 'class="bodymap-area lit role-target"' in svg
    # Colour plus pattern: each role fills from its own pattern.
    assert '<pattern id="bodymap-synergist"' in svg
    legend = html.split('class="bodymap-legend"')[1].split("</ul>")[0]
    roles_url = reverse("exercises:roles")
    assert re.findall(r'href="([^"]+)">([^<]+)</a>', legend) == [
        (f"{roles_url}#target", "Target"),
        (f"{roles_url}#synergist", "Synergist"),
    ]
    # The role labels in the table carry the same role classes.
    table = html.split('<table class="roles">')[1]
    assert 'class="role role-target"' in table
    assert 'class="role role-synergist"' in table


def test_muscle_page_map_highlights_that_muscle(client):
    glutes = make_muscle(name="Glutes", slug="glutes")
    make_muscle(name="Gluteus maximus", slug="gluteus-maximus", parent=glutes)
    make_muscle(name="Hamstrings", slug="hamstrings")

    html = client.get(glutes.get_absolute_url()).content.decode()

    svg = html.split('<svg class="bodymap-figure"')[1].split("</svg>")[0]
    assert 'role="img"' in svg
    lit_titles = re.findall(r'class="bodymap-area lit">\s*<title>([^<]+)', svg)
    # The maximus, and the medius region (showing the group: no medius here).
    assert sorted(lit_titles) == ["Glutes", "Gluteus maximus"]
    assert "Glutes on the body, front and back." in html


def test_muscle_list_map_links_every_drawn_muscle_to_its_page(client):
    glutes = make_muscle(name="Glutes", slug="glutes")
    maximus = make_muscle(name="Gluteus maximus", slug="gluteus-maximus", parent=glutes)
    calf = calves()

    html = client.get(reverse("exercises:muscle_list")).content.decode()

    svg = html.split('<svg class="bodymap-figure"')[1].split("</svg>")[0]
    links = re.findall(r'<a class="bodymap-area" href="([^"]+)">\s*<title>([^<]+)', svg)
    assert (maximus.get_absolute_url(), "Gluteus maximus") in links
    assert (calf["soleus"].get_absolute_url(), "Soleus") in links
    # One link per muscle and view, however many polygons: the front view
    # draws the gastrocnemius twice (left and right leg), the back its heads.
    gastrocnemius = (calf["gastrocnemius"].get_absolute_url(), "Gastrocnemius")
    assert links.count(gastrocnemius) == 1
    assert len(links) == len(set(links))
    # Named on hover and focus, for sighted keyboard users too.
    assert '<text class="bodymap-name"' in svg
    assert 'aria-labelledby="bodymap-caption"' in svg


def test_map_costs_one_query_for_the_taxonomy(django_assert_num_queries):
    calves()
    with django_assert_num_queries(1):
        bodymap.for_navigation()


def test_home_page_leads_with_search_then_the_map_then_articles(client):
    make_muscle(name="Glutes", slug="glutes")
    make_exercise(name="Hip Thrust")

    html = client.get(reverse("exercises:home")).content.decode()

    main = html.split('<main id="main">')[1]
    search = main.index('role="search"')
    body_map = main.index('<svg class="bodymap-figure"')
    articles = main.index('<h2 id="articles">')
    assert search < body_map < articles
    assert 'href="/muscles/glutes/"' in main[body_map:articles]
    assert "Hip Thrust" in main[articles:]
