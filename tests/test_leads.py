"""Generated leads of pages nobody has written yet."""

import json
from collections import Counter

import pytest

from exercises.leads import generated_lead
from exercises.management.commands.seed import CATALOGUE

FREE_DB_EQUIPMENT = {
    "body only": "body-only",
    "e-z curl bar": "e-z-curl-bar",
    "foam roll": "foam-roll",
    "exercise ball": "exercise-ball",
    "medicine ball": "medicine-ball",
}


def test_a_lead_reads_as_a_sentence_about_that_exercise():
    lead = generated_lead(
        "Barbell Curl",
        level="beginner",
        category="strength",
        mechanics="isolation",
        force="pull",
        equipment="barbell",
        targets=["biceps"],
        others=["forearms"],
    )
    assert lead == (
        "Barbell Curl is a beginner single-joint pulling exercise for the biceps, "
        "with the forearms also working, done with a barbell."
    )


def test_a_stretch_is_called_a_stretch():
    lead = generated_lead(
        "Hamstring Stretch",
        level="beginner",
        category="stretching",
        mechanics="",
        force="static",
        equipment="body-only",
        targets=["hamstrings"],
    )
    assert lead == (
        "Hamstring Stretch is a beginner stretch for the hamstrings, done with body "
        "weight alone."
    )


def test_every_free_exercise_db_record_gets_its_own_lead():
    if not CATALOGUE.is_file():
        pytest.skip(f"free-exercise-db data not found at {CATALOGUE}")
    records = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    leads = [
        generated_lead(
            record["name"].strip(),
            level=record["level"],
            category=record["category"].replace(" ", "-"),
            mechanics=record["mechanic"] or "",
            force=record.get("force") or "",
            equipment=FREE_DB_EQUIPMENT.get(record["equipment"], record["equipment"]),
            targets=record["primaryMuscles"],
            others=record["secondaryMuscles"],
        )
        for record in records
    ]
    assert [lead for lead, n in Counter(leads).items() if n > 1] == []
    assert max(len(lead) for lead in leads) <= 300  # Exercise.summary
