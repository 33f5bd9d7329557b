"""The body map: which muscle each drawn region shows, and which regions light up.

The drawing is exercises/bodymap.json (made by scripts/bodymap_from_rbh.py from
react-body-highlighter's MIT-licensed polygons): a front and a back view, each a
set of named regions. A region shows the first muscle of its REGION_MUSCLES
entry that exists in the database, so the map works with whatever part of the
taxonomy is loaded; a region with none is drawn as plain body.

A region lights for a role row (or a muscle page) naming its muscle, one of its
ancestors (a group lights all its muscles) or one of its descendants that the
view does not draw on its own (a head lights its muscle where the heads are not
drawn apart). A region showing a group because its own muscle is missing thus
does not light for a sibling muscle that has its own region.
"""

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.html import format_html_join

from .models import Muscle, Role

DRAWING = Path(__file__).with_name("bodymap.json")

# Region -> muscle slugs to show, most specific first.
REGION_MUSCLES = {
    "pectoralis-major": ["pectoralis-major", "chest"],
    "external-oblique": ["external-oblique", "obliques"],
    "rectus-abdominis": ["rectus-abdominis", "abdominals"],
    "biceps-brachii": ["biceps-brachii", "biceps"],
    "triceps-brachii": ["triceps-brachii", "triceps"],
    "sternocleidomastoid": ["sternocleidomastoid", "neck"],
    "anterior-deltoid": ["anterior-deltoid", "deltoid", "shoulders"],
    "posterior-deltoid": ["posterior-deltoid", "deltoid", "shoulders"],
    "adductors": ["adductors"],
    "adductor-magnus": ["adductor-magnus", "adductors"],
    "rectus-femoris": ["rectus-femoris", "quadriceps"],
    "vastus-medialis": ["vastus-medialis", "quadriceps"],
    "vastus-lateralis": ["vastus-lateralis", "quadriceps"],
    "tibialis-anterior": ["tibialis-anterior"],
    "gastrocnemius": ["gastrocnemius", "calves"],
    "gastrocnemius-medial-head": [
        "gastrocnemius-medial-head",
        "gastrocnemius",
        "calves",
    ],
    "gastrocnemius-lateral-head": [
        "gastrocnemius-lateral-head",
        "gastrocnemius",
        "calves",
    ],
    "soleus": ["soleus", "calves"],
    "brachioradialis": ["brachioradialis", "forearms"],
    "wrist-flexors": ["wrist-flexors", "forearms"],
    "wrist-extensors": ["wrist-extensors", "forearms"],
    "trapezius": ["trapezius", "traps"],
    "latissimus-dorsi": ["latissimus-dorsi", "lats"],
    "erector-spinae": ["erector-spinae", "lower-back"],
    "gluteus-maximus": ["gluteus-maximus", "glutes"],
    "gluteus-medius": ["gluteus-medius", "glutes"],
    "tensor-fasciae-latae": ["tensor-fasciae-latae", "abductors"],
    "iliopsoas": ["iliopsoas", "hip-flexors"],
    "biceps-femoris": ["biceps-femoris", "hamstrings"],
    "semitendinosus": ["semitendinosus", "hamstrings"],
}

VIEWS = [("front", "Front"), ("back", "Back")]
# Each view's figure is 100 units wide and at most 220 high; names shown on
# hover and focus sit below it.
VIEW_WIDTH = 100
VIEW_GAP = 12
FIGURE_TOP = 14
FIGURE_HEIGHT = 222
NAME_Y = FIGURE_TOP + FIGURE_HEIGHT + 10
WIDTH = 2 * VIEW_WIDTH + VIEW_GAP
HEIGHT = NAME_Y + 4


@cache
def drawing():
    return json.loads(DRAWING.read_text())["views"]


@cache
def drawing_version():
    """Changes with the drawing, so that cards keyed by content are redrawn."""
    return hashlib.sha256(DRAWING.read_bytes()).hexdigest()[:12]


def polygons_markup(polygons, attributes=""):
    """<polygon> elements; one call rather than a template loop per polygon."""
    return format_html_join(
        "", f'<polygon{attributes} points="{{}}"/>', ((p,) for p in polygons)
    )


@dataclass
class Area:
    """One muscle's polygons in one view."""

    muscle: Muscle
    polygons: list = field(default_factory=list)
    role: str = ""
    lit: bool = False
    # The muscle the lighting row names: the drawn muscle, or a group or
    # muscle it belongs to (then the title says both, claiming no more).
    named: Muscle | None = None

    @property
    def role_label(self):
        return Role(self.role).label if self.role else ""

    @property
    def shapes(self):
        return polygons_markup(self.polygons)


@dataclass
class View:
    name: str
    label: str
    x: int
    areas: list
    plain: list

    @property
    def plain_shapes(self):
        return polygons_markup(self.plain, ' class="bodymap-plain"')

    @property
    def transform(self):
        return f"translate({self.x} {FIGURE_TOP})"

    @property
    def label_x(self):
        return self.x + VIEW_WIDTH / 2

    @property
    def name_x(self):
        """Names shown on hover and focus are centred under both views."""
        return WIDTH / 2 - self.x


@dataclass
class BodyMap:
    views: list
    # Highlighted muscles that no region shows.
    not_drawn: list
    # Roles present on the map, in vocabulary order.
    roles: list
    width: int = WIDTH
    height: int = HEIGHT
    name_y: int = NAME_Y

    @property
    def lit_slugs(self):
        return sorted(
            {area.muscle.slug for view in self.views for area in view.areas if area.lit}
        )

    def signature(self):
        """What is drawn, for cache keys: (view, muscle, role or lit) triples."""
        return sorted(
            (view.name, area.muscle.slug, area.role or ("lit" if area.lit else ""))
            for view in self.views
            for area in view.areas
        )


class Taxonomy:
    """All muscles by id and slug, with the ids of their ancestors: one query."""

    def __init__(self):
        muscles = list(Muscle.objects.only("name", "slug", "parent_id"))
        self.by_id = {muscle.pk: muscle for muscle in muscles}
        self.by_slug = {muscle.slug: muscle for muscle in muscles}
        self.ancestors = {muscle.pk: self.ancestor_ids(muscle) for muscle in muscles}

    def ancestor_ids(self, muscle):
        found = []
        parent_id = muscle.parent_id
        while parent_id in self.by_id and parent_id not in found:
            found.append(parent_id)
            parent_id = self.by_id[parent_id].parent_id
        return found

    def lights(self, named, shown, drawn):
        """Whether a row naming muscle id `named` lights the area showing `shown`.

        It does when it names that muscle, one of its groups, or a part of it
        that no other area of the view (`drawn`, muscle ids) shows more
        closely: the gastrocnemius lights for its medial head in the front
        view, which has no heads, but not in the back view, which has.
        """
        if named == shown or named in self.ancestors[shown]:
            return True
        below = [named, *self.ancestors[named]]
        if shown not in below:
            return False
        return not any(pk in drawn for pk in below[: below.index(shown)])

    def region_muscle(self, region):
        for slug in REGION_MUSCLES.get(region, []):
            if slug in self.by_slug:
                return self.by_slug[slug]
        return None


@cache
def region_corners():
    """{(view, region): (tenth of its top, its left)}, for sorting areas."""
    corners = {}
    for view, regions in drawing().items():
        for region, polygons in regions.items():
            points = [
                [float(n) for n in pair.split(",")]
                for polygon in polygons
                for pair in polygon.split()
            ]
            top = round(min(y for _, y in points) / 10)
            corners[view, region] = (top, min(x for x, _ in points))
    return corners


def build(highlights=None, taxonomy=None):
    """The map with highlights: {muscle id: role value, or "" for plain lit}.

    Several rows may light one region; it shows the first role in vocabulary
    order (target before synergist...).
    """
    highlights = highlights or {}
    taxonomy = taxonomy or Taxonomy()
    order = {role: position for position, role in enumerate(Role.values)}
    views = []
    drawn_for = set()
    for index, (name, label) in enumerate(VIEWS):
        areas = {}
        corners = {}
        plain = []
        for region, polygons in drawing()[name].items():
            muscle = taxonomy.region_muscle(region)
            if muscle is None:
                plain.extend(polygons)
                continue
            area = areas.setdefault(muscle.pk, Area(muscle))
            area.polygons.extend(polygons)
            corner = region_corners()[name, region]
            corners[muscle.pk] = min(corners.get(muscle.pk, corner), corner)
        for area in areas.values():
            lighting = [
                (order.get(role, len(order)), role, muscle_id)
                for muscle_id, role in highlights.items()
                if muscle_id in taxonomy.by_id
                and taxonomy.lights(muscle_id, area.muscle.pk, areas)
            ]
            if lighting:
                area.lit = True
                _, area.role, named_id = min(lighting)
                area.named = taxonomy.by_id[named_id]
                drawn_for.update(muscle_id for _, _, muscle_id in lighting)
        x = index * (VIEW_WIDTH + VIEW_GAP)
        # Head to foot, then left to right: the order of the keyboard's Tab.
        sorted_areas = sorted(areas.values(), key=lambda a: corners[a.muscle.pk])
        views.append(View(name, label, x, sorted_areas, plain))
    not_drawn = [
        taxonomy.by_id[muscle_id]
        for muscle_id in highlights
        if muscle_id not in drawn_for and muscle_id in taxonomy.by_id
    ]
    roles = sorted(
        {role for role in highlights.values() if role},
        key=lambda role: order.get(role, len(order)),
    )
    return BodyMap(views, not_drawn, [Role(role) for role in roles])


def for_roles(rows):
    """An exercise's map: each muscle in its role."""
    highlights = {}
    for row in rows:
        highlights.setdefault(row.muscle_id, row.role)
    return build(highlights)


def for_muscle(muscle):
    """A muscle page's map: that muscle lit."""
    return build({muscle.pk: ""})


def for_navigation():
    """The /muscles/ map: nothing lit, every region a link."""
    return build()
