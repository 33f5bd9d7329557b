"""What the muscle roles mean: the text of /roles/ and of the role labels.

Keys are the values of models.Role. This module imports nothing from the app,
so models.py can import it.
"""

ROLE_SOURCE = {
    "name": "ExRx.net, Kinesiology Glossary",
    "url": "https://exrx.net/Kinesiology/Glossary",
}

FREE_EXERCISE_DB = {
    "name": "free-exercise-db",
    "url": "https://github.com/yuhonas/free-exercise-db",
    "licence": "Unlicense",
    "licence_url": "https://unlicense.org/",
}

# The five roles of a reviewed page, in ExRx.net's sense, in our own words.
ROLE_DEFINITIONS = {
    "target": (
        "The muscle the exercise is chosen to work. Usually it is the prime mover, "
        "the muscle that produces the movement; in a stretch it is the muscle being "
        "lengthened, and in a static hold the muscle that does the holding."
    ),
    "synergist": (
        "A muscle that helps another muscle, usually the target, carry out the "
        "movement. It may act at the same joint or at another joint that takes part "
        "in the movement."
    ),
    "stabilizer": (
        "A muscle that contracts with little or no movement to hold a posture or keep "
        "a bone or joint still, so the moving muscles have a firm base to pull from."
    ),
    "dynamic_stabilizer": (
        "A muscle that crosses two joints and shortens at one while it lengthens at "
        "the other, so its overall length hardly changes. It helps steady a joint by "
        "countering the turning pull of a mover."
    ),
    "antagonist_stabilizer": (
        "A muscle that contracts to hold the neighbouring joint of a two-joint muscle "
        "still against that muscle's pull, so the two-joint muscle keeps its tension "
        "where it works. It may work through the whole movement or only at one end "
        "of it, and is common in isolation exercises that use two-joint muscles."
    ),
    # Imported rows that no editor has reviewed keep the source's two words.
    "primary": (
        "A muscle that free-exercise-db lists as primary for the exercise, shown as "
        "the source gave it, not reviewed. No editor has yet said which of the five "
        "roles it plays."
    ),
    "secondary": (
        "A muscle that free-exercise-db lists as secondary, shown as the source gave "
        "it, not reviewed. It may be a synergist, a stabilizer or neither; an editor "
        "decides when the page is reviewed."
    ),
}

# One line from our own catalogue for each role.
ROLE_EXAMPLES = {
    "target": (
        "Barbell Hip Thrust: the gluteus maximus, which extends the hip. Hamstring "
        "Stretch: the hamstrings, which are lengthened. Plank: the rectus abdominis, "
        "which keeps the trunk straight without moving."
    ),
    "synergist": (
        "Barbell Bench Press - Medium Grip: the triceps straighten the elbows and the "
        "front of the deltoids helps the chest drive the bar up."
    ),
    "stabilizer": (
        "Barbell Squat: the erector spinae keep the back from rounding while the hips "
        "and knees move."
    ),
    "dynamic_stabilizer": (
        "Barbell Squat: rising, the hamstrings shorten at the hip as it extends and "
        "lengthen at the knee as it straightens, helping to steady the knee."
    ),
    "antagonist_stabilizer": (
        "Lying Leg Curls: the rectus femoris, at the front of the thigh, holds the "
        "hip against the hamstrings' pull, so the hamstrings keep their force for "
        "bending the knee."
    ),
    "primary": "Barbell Squat, as imported: quadriceps, primary in the source's words.",
    "secondary": (
        "Barbell Squat, as imported: calves, glutes, hamstrings and lower back "
        "secondary, although the lower back holds the spine still rather than "
        "helping the movement."
    ),
}
