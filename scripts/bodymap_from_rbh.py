"""Turn react-body-highlighter's polygons into exercises/bodymap.json.

react-body-highlighter (MIT, https://github.com/GV79/react-body-highlighter)
draws a front and a back view of the body as SVG polygons in a 100-wide box.
This script reads its src/assets/index.ts and writes our own regions: each
polygon goes to one of our region names (a muscle or group of the taxonomy),
or to "outline" for parts of the body that are no muscle of ours (head,
knees). It adds a few polygons of our own (OUR_POLYGONS). Which muscle a
region shows is decided in exercises/bodymap.py.

    npm pack react-body-highlighter        # in a scratch directory
    tar xzf react-body-highlighter-*.tgz
    python scripts/bodymap_from_rbh.py package/src/assets/index.ts

The licence travels with the data: licenses/react-body-highlighter.txt.
"""

import json
import re
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "exercises" / "bodymap.json"

# (view, the package's muscle name) -> our region for each of its polygons,
# in the package's order. Where the package draws a group as several
# polygons, they are told apart by position (left and right of the figure,
# outer and inner side of the limb).
REGIONS = {
    ("front", "chest"): ["pectoralis-major"] * 2,
    ("front", "obliques"): ["external-oblique"] * 2,
    ("front", "abs"): ["rectus-abdominis"] * 2,
    ("front", "biceps"): ["biceps-brachii"] * 2,
    ("front", "triceps"): ["triceps-brachii"] * 2,
    ("front", "neck"): ["sternocleidomastoid"] * 2,
    ("front", "front-deltoids"): ["anterior-deltoid"] * 2,
    ("front", "head"): ["outline"],
    # Named "abductors" in the package, but drawn on the inner thigh.
    ("front", "abductors"): ["adductors"] * 2,
    # Two polygons a side: down the middle, inner teardrop, outer side.
    ("front", "quadriceps"): [
        "rectus-femoris",
        "rectus-femoris",
        "vastus-medialis",
        "vastus-medialis",
        "vastus-lateralis",
        "vastus-lateralis",
    ],
    ("front", "knees"): ["outline"] * 2,
    # Outer side of the shin, then inner side (the calf seen from the front).
    ("front", "calves"): [
        "tibialis-anterior",
        "tibialis-anterior",
        "gastrocnemius",
        "gastrocnemius",
    ],
    # Thumb side of the forearm, then the inner side.
    ("front", "forearm"): [
        "brachioradialis",
        "brachioradialis",
        "wrist-flexors",
        "wrist-flexors",
    ],
    ("back", "head"): ["outline"],
    ("back", "trapezius"): ["trapezius"] * 2,
    ("back", "back-deltoids"): ["posterior-deltoid"] * 2,
    # Below the armpit, beside the trapezius, down to the waist.
    ("back", "upper-back"): ["latissimus-dorsi"] * 2,
    ("back", "triceps"): ["triceps-brachii"] * 4,
    ("back", "lower-back"): ["erector-spinae"] * 2,
    ("back", "forearm"): ["wrist-extensors"] * 4,
    ("back", "gluteal"): ["gluteus-maximus"] * 2,
    ("back", "adductor"): ["adductor-magnus"] * 2,
    # Outer side of the back of the thigh, then inner side.
    ("back", "hamstring"): [
        "biceps-femoris",
        "biceps-femoris",
        "semitendinosus",
        "semitendinosus",
    ],
    ("back", "knees"): ["outline"] * 2,
    # Outer, inner, inner, outer.
    ("back", "calves"): [
        "gastrocnemius-lateral-head",
        "gastrocnemius-medial-head",
        "gastrocnemius-medial-head",
        "gastrocnemius-lateral-head",
    ],
    ("back", "left-soleus"): ["soleus"],
    ("back", "right-soleus"): ["soleus"],
}

# Ours, not the package's: muscles it does not draw, in gaps of its drawing
# (same coordinates; the right side mirrors the left about x = 50).
OUR_POLYGONS = {
    # Lateral hip, outside the top of the rectus femoris.
    ("front", "tensor-fasciae-latae"): [
        (33.4, 81), (32.6, 92.6), (29, 100.6), (27.8, 109.5), (26.8, 102),
        (28.3, 92), (30.6, 85),
    ],
    # Front of the hip below the obliques, above the adductors and the
    # rectus femoris: where the iliopsoas crosses into the thigh.
    ("front", "iliopsoas"): [
        (34.6, 80.2), (39.4, 85.6), (40.4, 90.6), (39, 91.2), (34.5, 92.9),
        (33.4, 92), (34, 84),
    ],
    # Upper outer buttock, between the lower back and the gluteus maximus.
    ("back", "gluteus-medius"): [
        (35.5, 84.5), (44.2, 98.6), (30.3, 107.2), (30.5, 97), (32.6, 89),
    ],
}  # fmt: skip

VIEWS = {"anteriorData": "front", "posteriorData": "back"}
MUSCLE_TYPES = {
    "TRAPEZIUS": "trapezius",
    "UPPER_BACK": "upper-back",
    "LOWER_BACK": "lower-back",
    "CHEST": "chest",
    "BICEPS": "biceps",
    "TRICEPS": "triceps",
    "FOREARM": "forearm",
    "BACK_DELTOIDS": "back-deltoids",
    "FRONT_DELTOIDS": "front-deltoids",
    "ABS": "abs",
    "OBLIQUES": "obliques",
    "ABDUCTOR": "adductor",
    "ABDUCTORS": "abductors",
    "HAMSTRING": "hamstring",
    "QUADRICEPS": "quadriceps",
    "CALVES": "calves",
    "GLUTEAL": "gluteal",
    "HEAD": "head",
    "NECK": "neck",
    "KNEES": "knees",
    "LEFT_SOLEUS": "left-soleus",
    "RIGHT_SOLEUS": "right-soleus",
}


def read_package(source):
    """{(view, muscle): [[x, y, x, y, ...], ...]} from the package's index.ts."""
    polygons = {}
    view = None
    muscle = None
    for line in source.splitlines():
        if match := re.search(r"export const (\w+)", line):
            view = VIEWS[match[1]]
        elif match := re.search(r"muscle: MuscleType\.(\w+)", line):
            muscle = MUSCLE_TYPES[match[1]]
        elif match := re.fullmatch(r"\s*'([-\d. ]+)',?", line):
            numbers = [float(n) for n in match[1].split()]
            polygons.setdefault((view, muscle), []).append(numbers)
    return polygons


def convert(polygons):
    regions = {"front": {}, "back": {}}
    for key, shapes in polygons.items():
        names = REGIONS[key]
        if len(names) != len(shapes):
            sys.exit(f"{key}: {len(shapes)} polygons, {len(names)} region names")
        view = key[0]
        for name, numbers in zip(names, shapes, strict=True):
            points = " ".join(
                f"{x:g},{y:g}"
                for x, y in zip(
                    (round(n, 1) for n in numbers[::2]),
                    (round(n, 1) for n in numbers[1::2]),
                    strict=True,
                )
            )
            regions[view].setdefault(name, []).append(points)
    return regions


def add_ours(regions):
    for (view, name), left in OUR_POLYGONS.items():
        right = [(100 - x, y) for x, y in left]
        regions[view][name] = [
            " ".join(f"{x:g},{y:g}" for x, y in side) for side in (left, right)
        ]


def main(path):
    regions = convert(read_package(Path(path).read_text()))
    add_ours(regions)
    data = {
        "source": "react-body-highlighter 2.0.5, src/assets/index.ts",
        "license": "MIT, (c) 2020 GV79: licenses/react-body-highlighter.txt",
        "generated_by": "scripts/bodymap_from_rbh.py",
        "ours": "tensor-fasciae-latae, iliopsoas and gluteus-medius are drawn by us",
        "views": regions,
    }
    OUTPUT.write_text(json.dumps(data, indent=1) + "\n")
    count = sum(len(shapes) for view in regions.values() for shapes in view.values())
    print(f"{OUTPUT}: {count} polygons")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
