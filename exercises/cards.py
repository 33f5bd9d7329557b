"""Link-preview cards: the 1200×630 PNG behind a page's og:image.

A card shows the page's name, its lead and the body map, drawn with Pillow from
the same polygons as the page's SVG. Its address carries a digest of what it
draws, so a changed page gets a new address (chat apps cache previews by URL)
and the old address redirects to the new one. Drawn cards are kept in the
cache under that digest.
"""

import hashlib
import io
import json
from functools import cache as memoize
from pathlib import Path

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw, ImageFont

from . import bodymap
from .models import Exercise, Muscle, MuscleRole
from .seo import absolute_url

# Part of every digest, with the body map's own version: change it when the
# drawing code below changes.
CARD_VERSION = 1
WIDTH, HEIGHT = 1200, 630
# Drawn at twice the size, then scaled down: Pillow's polygons have no
# anti-aliasing of their own.
SCALE = 2
CACHE_SECONDS = 30 * 24 * 60 * 60

BACKGROUND = "#ffffff"
TEXT = "#1b1d21"
MUTED = "#4f5661"
BODY = "#c9ced6"
EDGE = "#ffffff"
ACCENT = "#8a3b00"
# The light theme's role colours (static/css/site.css), and the same patterns.
ROLE_COLOURS = {
    "target": "#c2410c",
    "synergist": "#1d4ed8",
    "stabilizer": "#047857",
    "dynamic_stabilizer": "#7e22ce",
    "antagonist_stabilizer": "#8a5a00",
    "primary": "#be123c",
    "secondary": "#0369a1",
}
ROLE_PATTERNS = {
    "target": "solid",
    "synergist": "stripes",
    "stabilizer": "dots",
    "dynamic_stabilizer": "grid",
    "antagonist_stabilizer": "bars",
    "primary": "solid",
    "secondary": "back-stripes",
}

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]


@memoize
def font(size, bold=False):
    """DejaVu Sans where the system has it, else Pillow's own font."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return ImageFont.truetype(str(directory / name), size * SCALE)
    return ImageFont.load_default(size * SCALE)


def digest(title, lead, drawn_map):
    content = [
        CARD_VERSION,
        bodymap.drawing_version(),
        title,
        lead,
        drawn_map.signature(),
    ]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def response(title, lead, drawn_map, kind):
    """The PNG, from the cache or drawn now."""
    key = f"card:{digest(title, lead, drawn_map)}"
    png = cache.get(key)
    if png is None:
        png = draw(title, lead, drawn_map, kind)
        cache.set(key, png, CACHE_SECONDS)
    answer = HttpResponse(png, content_type="image/png")
    # The address changes with the content: it never needs revalidating.
    answer["Cache-Control"] = f"public, max-age={365 * 24 * 60 * 60}, immutable"
    return answer


def pattern_tile(role, size):
    """A full-size image of the role's pattern, pasted through polygon masks."""
    colour = ROLE_COLOURS.get(role, ACCENT)
    tile = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(tile)
    kind = ROLE_PATTERNS.get(role, "solid")
    step = 9 * SCALE
    width, height = size
    if kind == "solid":
        draw.rectangle((0, 0, width, height), fill=colour)
    elif kind in ("stripes", "back-stripes", "grid"):
        for offset in range(-height, width + height, step):
            # Stripes rising to the right as on the page; falling ones for
            # "back-stripes"; both for the grid.
            if kind in ("stripes", "grid"):
                draw.line(
                    (offset + height, 0, offset, height), fill=colour, width=3 * SCALE
                )
            if kind in ("back-stripes", "grid"):
                draw.line(
                    (offset, 0, offset + height, height), fill=colour, width=3 * SCALE
                )
    elif kind == "dots":
        radius = 2 * SCALE
        for x in range(0, width, step):
            for y in range(0, height, step):
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), colour)
    elif kind == "bars":
        for y in range(0, height, step):
            draw.rectangle((0, y, width, y + 4 * SCALE), fill=colour)
    return tile


def draw_map(image, drawn_map, left, top, scale):
    draw = ImageDraw.Draw(image)

    def place(view, points):
        pairs = (pair.split(",") for pair in points.split())
        return [
            (
                (left + (view.x + float(x)) * scale),
                (top + (bodymap.FIGURE_TOP + float(y)) * scale),
            )
            for x, y in pairs
        ]

    tiles = {}
    for view in drawn_map.views:
        for points in view.plain:
            draw.polygon(place(view, points), fill=BODY, outline=EDGE, width=SCALE)
        for area in view.areas:
            for points in area.polygons:
                shape = place(view, points)
                if not area.lit:
                    draw.polygon(shape, fill=BODY, outline=EDGE, width=SCALE)
                    continue
                role = area.role or "lit"
                if role not in tiles:
                    tiles[role] = pattern_tile(area.role, image.size)
                mask = Image.new("L", image.size, 0)
                ImageDraw.Draw(mask).polygon(shape, fill=255)
                image.paste(tiles[role], (0, 0), mask)
                outline = TEXT if ROLE_PATTERNS.get(role, "solid") == "solid" else None
                draw.polygon(
                    shape,
                    outline=outline or ROLE_COLOURS.get(role, TEXT),
                    width=2 * SCALE,
                )
        label_x = left + (view.x + bodymap.VIEW_WIDTH / 2) * scale
        draw.text((label_x, top), view.label, fill=MUTED, font=font(20), anchor="mt")


def wrap(text, size, bold, width, max_lines):
    """Lines of text no wider than width pixels, the last cut with an ellipsis."""
    face = font(size, bold)
    words = text.split()
    lines = []
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and face.getlength(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        last = lines[-1]
        while last and face.getlength(last + " …") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def draw(title, lead, drawn_map, kind):
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), BACKGROUND)
    pen = ImageDraw.Draw(image)
    margin = 64 * SCALE
    text_width = 640 * SCALE

    # The map on the right, as tall as the card allows.
    box_left, box_width = 720 * SCALE, 440 * SCALE
    box_height = (HEIGHT - 40) * SCALE
    scale = min(box_width / drawn_map.width, box_height / bodymap.NAME_Y)
    map_left = box_left + (box_width - drawn_map.width * scale) / 2
    map_top = (HEIGHT * SCALE - bodymap.NAME_Y * scale) / 2
    draw_map(image, drawn_map, map_left, map_top, scale)

    y = margin
    pen.text((margin, y), f"Exercise Atlas · {kind}", fill=ACCENT, font=font(28, True))
    y += 64 * SCALE
    title_size = 64 if len(title) <= 28 else 52
    for line in wrap(title, title_size, True, text_width, 3):
        pen.text((margin, y), line, fill=TEXT, font=font(title_size, True))
        y += int(title_size * 1.2) * SCALE
    y += 16 * SCALE
    lead_lines = max(2, (HEIGHT * SCALE - y - 120 * SCALE) // (42 * SCALE))
    for line in wrap(lead, 30, False, text_width, lead_lines):
        pen.text((margin, y), line, fill=MUTED, font=font(30))
        y += 42 * SCALE

    # The legend, bottom left: the map's roles, in the map's patterns.
    x = margin
    legend_y = (HEIGHT - 64) * SCALE
    for role in drawn_map.roles:
        swatch = (x, legend_y, x + 28 * SCALE, legend_y + 28 * SCALE)
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).rectangle(swatch, fill=255)
        image.paste(pattern_tile(role.value, image.size), (0, 0), mask)
        pen.rectangle(swatch, outline=ROLE_COLOURS.get(role.value, TEXT), width=SCALE)
        x += 36 * SCALE
        pen.text((x, legend_y - 2 * SCALE), role.label, fill=TEXT, font=font(24))
        x += int(font(24).getlength(role.label)) + 28 * SCALE

    image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def alt_text(title, drawn_map, kind):
    """Says what the card shows: the name, and which muscles are shaded how."""
    by_role = {}
    for view in drawn_map.views:
        for area in view.areas:
            if area.lit:
                names = by_role.setdefault(area.role_label.lower(), set())
                names.add(area.muscle.name)
    text = f"{kind} card from Exercise Atlas: {title}"
    if not by_role:
        return text + "."
    if list(by_role) == [""]:
        return f"{text}, highlighted on a body map, front and back."
    order = [role.label.lower() for role in drawn_map.roles]
    shaded = "; ".join(
        f"{role}: {', '.join(sorted(by_role[role]))}"
        for role in sorted(by_role, key=order.index)
    )
    return f"{text}, with a body map shading its muscles by role ({shaded})."


def exercise_card_parts(exercise, drawn_map):
    """What an exercise's card draws: (title, lead, map, kind)."""
    return exercise.name, exercise.summary, drawn_map, "Exercise"


def muscle_card_parts(muscle, drawn_map):
    kind = "Muscle group" if muscle.is_group else "Muscle"
    lead = (
        f"{muscle.function[:1].upper()}{muscle.function[1:]}."
        if muscle.function
        else ""
    )
    return muscle.name, lead, drawn_map, kind


def link_preview(request, route, slug, parts):
    """The og:image context of a page: absolute card URL and its alt text."""
    title, lead, drawn_map, kind = parts
    path = reverse(route, args=[slug, digest(title, lead, drawn_map)])
    return {
        "og_image": absolute_url(request, path),
        "og_image_alt": alt_text(title, drawn_map, kind),
    }


def card_or_redirect(route, slug, requested, parts):
    title, lead, drawn_map, kind = parts
    current = digest(title, lead, drawn_map)
    if requested != current:
        # An address shared before the page changed: the current card.
        return HttpResponseRedirect(reverse(route, args=[slug, current]))
    return response(title, lead, drawn_map, kind)


@require_safe
def exercise_card(request, slug, digest):
    exercise = get_object_or_404(Exercise.objects.published(), slug=slug)
    rows = MuscleRole.objects.filter(exercise=exercise)
    parts = exercise_card_parts(exercise, bodymap.for_roles(rows))
    return card_or_redirect("exercises:exercise_card", slug, digest, parts)


@require_safe
def muscle_card(request, slug, digest):
    muscle = get_object_or_404(Muscle, slug=slug)
    parts = muscle_card_parts(muscle, bodymap.for_muscle(muscle))
    return card_or_redirect("exercises:muscle_card", slug, digest, parts)
