"""The lead (and meta description) of a page nobody has written yet.

Built from what an imported record says: its name, level, mechanics, kind of
movement, target and other muscles, and equipment. The name makes it true of
that exercise alone, so two pages share a lead only if they share a name.
"""

from .models import Category, Equipment, Force, Mechanics

EQUIPMENT = {
    Equipment.BANDS: "with resistance bands",
    Equipment.BARBELL: "with a barbell",
    Equipment.CABLE: "on a cable machine",
    Equipment.DUMBBELL: "with dumbbells",
    Equipment.EZ_CURL_BAR: "with an E-Z curl bar",
    Equipment.EXERCISE_BALL: "with an exercise ball",
    Equipment.FOAM_ROLL: "on a foam roller",
    Equipment.KETTLEBELLS: "with kettlebells",
    Equipment.MACHINE: "on a machine",
    Equipment.MEDICINE_BALL: "with a medicine ball",
}
# What kind of exercise, by category; strength work is named by its movement.
KIND = {
    Category.STRETCHING: "stretch",
    Category.CARDIO: "cardio exercise",
    Category.PLYOMETRICS: "plyometric (jumping) exercise",
    Category.POWERLIFTING: "powerlifting exercise",
    Category.OLYMPIC_WEIGHTLIFTING: "Olympic weightlifting exercise",
    Category.STRONGMAN: "strongman exercise",
}
MOVEMENT = {
    Force.PUSH: "pushing",
    Force.PULL: "pulling",
    Force.STATIC: "static hold",
}
MECHANICS = {
    Mechanics.ISOLATION: "single-joint",
    Mechanics.COMPOUND: "multi-joint",
}


def names(muscles):
    if len(muscles) <= 2:
        return " and ".join(muscles)
    return ", ".join(muscles[:-1]) + " and " + muscles[-1]


def generated_lead(
    name, *, level, category, mechanics, force, equipment, targets, others=()
):
    """One sentence, e.g. "Barbell Curl is a beginner single-joint pulling
    exercise for the biceps, with the forearms also working, done with a
    barbell."

    targets, others: muscle names in lower case, as the source lists them
    (its primary and secondary muscles).
    """
    words = [level] if level else []
    if category == Category.STRETCHING:
        kind = KIND[category]
    else:
        if mechanics in MECHANICS:
            words.append(MECHANICS[mechanics])
        if category in KIND:
            kind = KIND[category]
        elif force == Force.STATIC:
            kind = "static hold"
        else:
            kind = f"{MOVEMENT[force]} exercise" if force in MOVEMENT else "exercise"
    words.append(kind)
    phrase = " ".join(words)
    article = "an" if phrase[0] in "aeiou" else "a"
    sentence = f"{name} is {article} {phrase}"
    if targets:
        sentence += f" for the {names(list(targets))}"
        if others:
            sentence += f", with the {names(list(others))} also working"
    if equipment == Equipment.BODY_ONLY:
        sentence += ", done with body weight alone"
    elif equipment in EQUIPMENT:
        sentence += f", done {EQUIPMENT[equipment]}"
    return sentence + "."
