import itertools
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from exercises.importing import FORMAT, VERSION, dumps, summary_sentence
from exercises.models import Category, Equipment, Level, Muscle, Role, Status

MODIFIERS = [
    "Incline", "Decline", "Seated", "Standing", "Kneeling", "Half-Kneeling",
    "Lying", "Bent-Over", "Single-Arm", "Single-Leg", "Alternating", "Wide-Grip",
    "Close-Grip", "Reverse-Grip", "Neutral-Grip", "Paused", "Tempo", "Split-Stance",
    "Staggered-Stance", "Offset", "Isometric", "Banded", "Deficit", "Elevated",
    "Supported",
]  # fmt: skip
EQUIPMENT = [
    ("Bodyweight", Equipment.BODY_ONLY),
    ("Band", Equipment.BANDS),
    ("Barbell", Equipment.BARBELL),
    ("Cable", Equipment.CABLE),
    ("Dumbbell", Equipment.DUMBBELL),
    ("EZ-Bar", Equipment.EZ_CURL_BAR),
    ("Stability Ball", Equipment.EXERCISE_BALL),
    ("Foam Roller", Equipment.FOAM_ROLL),
    ("Kettlebell", Equipment.KETTLEBELLS),
    ("Machine", Equipment.MACHINE),
    ("Medicine Ball", Equipment.MEDICINE_BALL),
    ("Landmine", Equipment.OTHER),
]
# Movement, target group, mechanics, force, category.
MOVEMENTS = [
    ("Curl", "biceps", "isolation", "pull", Category.STRENGTH),
    ("Hammer Curl", "biceps", "isolation", "pull", Category.STRENGTH),
    ("Preacher Curl", "biceps", "isolation", "pull", Category.STRENGTH),
    ("Row", "middle-back", "compound", "pull", Category.STRENGTH),
    ("High Row", "middle-back", "compound", "pull", Category.STRENGTH),
    ("Pullover", "lats", "compound", "pull", Category.STRENGTH),
    ("Pulldown", "lats", "compound", "pull", Category.STRENGTH),
    ("Straight-Arm Pulldown", "lats", "isolation", "pull", Category.STRENGTH),
    ("Bench Press", "chest", "compound", "push", Category.STRENGTH),
    ("Chest Fly", "chest", "isolation", "push", Category.STRENGTH),
    ("Push-Up", "chest", "compound", "push", Category.STRENGTH),
    ("Squeeze Press", "chest", "compound", "push", Category.STRENGTH),
    ("Overhead Press", "shoulders", "compound", "push", Category.STRENGTH),
    ("Lateral Raise", "shoulders", "isolation", "push", Category.STRENGTH),
    ("Front Raise", "shoulders", "isolation", "push", Category.STRENGTH),
    ("Rear Delt Fly", "shoulders", "isolation", "pull", Category.STRENGTH),
    ("Shrug", "traps", "isolation", "pull", Category.STRENGTH),
    ("Upright Row", "traps", "compound", "pull", Category.STRENGTH),
    ("Triceps Extension", "triceps", "isolation", "push", Category.STRENGTH),
    ("Skull Crusher", "triceps", "isolation", "push", Category.STRENGTH),
    ("Triceps Kickback", "triceps", "isolation", "push", Category.STRENGTH),
    ("Wrist Curl", "forearms", "isolation", "pull", Category.STRENGTH),
    ("Farmer's Carry", "forearms", "compound", "static", Category.STRONGMAN),
    ("Squat", "quadriceps", "compound", "push", Category.STRENGTH),
    ("Front Squat", "quadriceps", "compound", "push", Category.POWERLIFTING),
    ("Lunge", "quadriceps", "compound", "push", Category.STRENGTH),
    ("Step-Up", "quadriceps", "compound", "push", Category.STRENGTH),
    ("Leg Extension", "quadriceps", "isolation", "push", Category.STRENGTH),
    ("Romanian Deadlift", "hamstrings", "compound", "pull", Category.STRENGTH),
    ("Leg Curl", "hamstrings", "isolation", "pull", Category.STRENGTH),
    ("Good Morning", "hamstrings", "compound", "pull", Category.STRENGTH),
    ("Deadlift", "lower-back", "compound", "pull", Category.POWERLIFTING),
    ("Back Extension", "lower-back", "isolation", "pull", Category.STRENGTH),
    ("Hip Thrust", "glutes", "compound", "push", Category.STRENGTH),
    ("Glute Bridge", "glutes", "compound", "push", Category.STRENGTH),
    ("Leg Kickback", "glutes", "isolation", "push", Category.STRENGTH),
    ("Hip Abduction", "abductors", "isolation", "push", Category.STRENGTH),
    ("Hip Adduction", "adductors", "isolation", "pull", Category.STRENGTH),
    ("Calf Raise", "calves", "isolation", "push", Category.STRENGTH),
    ("Crunch", "abdominals", "isolation", "pull", Category.STRENGTH),
    ("Rollout", "abdominals", "compound", "pull", Category.STRENGTH),
    ("Plank", "abdominals", "isolation", "static", Category.STRENGTH),
    ("Woodchop", "obliques", "compound", "pull", Category.STRENGTH),
    ("Neck Flexion", "neck", "isolation", "push", Category.STRENGTH),
    ("Clean", "quadriceps", "compound", "pull", Category.OLYMPIC_WEIGHTLIFTING),
    ("Snatch", "shoulders", "compound", "pull", Category.OLYMPIC_WEIGHTLIFTING),
    ("Jump Squat", "quadriceps", "compound", "push", Category.PLYOMETRICS),
    ("Hamstring Stretch", "hamstrings", "isolation", "static", Category.STRETCHING),
]
BENEFITS = [
    ("Stronger {target}", "Loads the {target} through a full range of motion."),
    ("Better posture", "Strengthening the {target} helps hold the trunk upright."),
    ("Joint stability", "Trains the {helpers} to hold the joints steady under load."),
    ("Balanced development", "Works each side on its own, so gaps show and close."),
    ("Everyday strength", "Carries over to lifting, carrying and climbing stairs."),
    ("Muscle growth", "Time under tension in the {target} drives hypertrophy."),
    ("Mobility", "Moves the joints through a range daily life seldom asks for."),
    ("Easy to progress", "Small changes in load or tempo keep it challenging."),
]
SETUPS = [
    "Set up the {equipment} and take your starting position, feet hip-width apart.",
    "Grip the {equipment} firmly, brace your core and set your shoulders down.",
    "Stand tall with the {equipment} close to you and your weight mid-foot.",
]
# In the order they are done; an exercise takes some of them.
MIDDLES = [
    "Breathe in and start the {movement} slowly, keeping your back neutral.",
    "Lead with the {target}; keep the rest of the body still.",
    "Keep your elbows and knees in line; do not let them drift inwards.",
    "Breathe out as you pass the hardest part of the movement.",
    "Pause for a second at the end of the movement.",
]
FINISHES = [
    "Return under control to the starting position and repeat.",
    "Lower slowly, reset your brace and repeat for the set.",
]


class Command(BaseCommand):
    help = (
        "Write a synthetic catalogue of published exercises in our export format, "
        "for benchmarks. Needs the muscles in the database (manage.py seed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--output", metavar="FILE", help="Write to FILE instead of stdout."
        )

    def handle(self, *args, count, seed, output, **options):
        combinations = list(itertools.product(MODIFIERS, EQUIPMENT, MOVEMENTS))
        if not 0 < count <= len(combinations):
            raise CommandError(f"--count must be between 1 and {len(combinations)}.")
        muscles = {
            slug: (name, group or slug)
            for slug, name, group in Muscle.objects.values_list(
                "slug", "name", "parent__slug"
            )
        }
        missing = {movement[1] for movement in MOVEMENTS} - set(muscles)
        if missing:
            raise CommandError(
                f"Muscles missing from the database: {', '.join(sorted(missing))}. "
                "Run manage.py seed first."
            )
        rng = random.Random(seed)
        exercises = [
            make_exercise(rng, modifier, equipment, movement, muscles)
            for modifier, equipment, movement in rng.sample(combinations, count)
        ]
        exercises.sort(key=lambda exercise: exercise["slug"])
        text = dumps({"format": FORMAT, "version": VERSION, "exercises": exercises})
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")


def make_exercise(rng, modifier, equipment, movement, muscles):
    equipment_word, equipment_value = equipment
    movement_word, target, mechanics, force, category = movement
    name = f"{modifier} {equipment_word} {movement_word}"
    # Sometimes a muscle inside the target group rather than the group.
    inside = sorted(s for s, (_, group) in muscles.items() if group == target != s)
    if inside and rng.random() < 0.3:
        target = rng.choice(inside)
    families = {muscles[target][1]}
    roles = [(target, Role.TARGET)]
    others = sorted(muscles)
    rng.shuffle(others)
    wanted = [Role.SYNERGIST] * rng.randint(1, 3)
    wanted += [Role.STABILIZER] * rng.randint(0, 2)
    for slug in others:
        if len(roles) > len(wanted):
            break
        if muscles[slug][1] not in families:
            families.add(muscles[slug][1])
            roles.append((slug, wanted[len(roles) - 1]))

    level = rng.choice(Level.values)
    target_name = muscles[target][0].lower()
    helper_names = [muscles[slug][0].lower() for slug, _ in roles[1:]]
    words = {
        "target": target_name,
        "helpers": join_words(helper_names),
        "equipment": equipment_word.lower(),
        "movement": movement_word.lower(),
    }
    middles = sorted(rng.sample(range(len(MIDDLES)), rng.randint(1, 4)))
    steps = (
        [rng.choice(SETUPS)]
        + [MIDDLES[index] for index in middles]
        + [rng.choice(FINISHES)]
    )
    published = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(
        minutes=rng.randrange(2 * 365 * 24 * 60)
    )
    return {
        "name": name,
        "slug": slugify(name),
        "aliases": f"{equipment_word} {movement_word}" if rng.random() < 0.2 else "",
        "summary": summary_sentence(level, category, [target_name], equipment_value),
        "mechanics": mechanics,
        "equipment": equipment_value,
        "level": level,
        "force": force,
        "category": category,
        "explanation": (
            f"The {name.lower()} is {'an' if mechanics == 'isolation' else 'a'} "
            f"{mechanics} movement for the "
            f"**{target_name}**. The {words['helpers']} help, and the trunk stays "
            "braced throughout.\n\n"
            "Points to watch:\n\n"
            f"- Move the {words['equipment']} under control, both ways.\n"
            f"- Feel the {target_name} do the work, not momentum.\n"
            "- Stop a repetition short of losing form."
        ),
        "takeaway": (
            f"{'An' if level[0] in 'aeiou' else 'A'} {level} "
            f"{category.label.lower()} exercise that builds the "
            f"*{target_name}*."
        ),
        "status": Status.PUBLISHED,
        "published": published.isoformat(),
        "source_id": None,
        "muscles": [
            {"muscle": slug, "role": role, "note": "", "position": position}
            for position, (slug, role) in enumerate(roles, start=1)
        ],
        "benefits": [
            {
                "title": title.format(**words),
                "text": text.format(**words),
                "position": position,
                "cites": [],
            }
            for position, (title, text) in enumerate(
                rng.sample(BENEFITS, rng.randint(2, 4)), start=1
            )
        ],
        "mistakes": [],
        "references": [],
        "variations": [],
        "reviewed_on": None,
        "reviewed_by": "",
        "steps": [
            {"text": text.format(**words), "position": position}
            for position, text in enumerate(steps, start=1)
        ],
        "redirects": [],
        "merged": {},
    }


def join_words(words):
    """ "a", "a and b", "a, b and c"."""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]
