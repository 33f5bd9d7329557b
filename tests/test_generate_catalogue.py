import json

from django.core.management import call_command


def test_takeaways_use_an_before_a_vowel(fixtures_loaded, tmp_path):
    path = tmp_path / "catalogue.json"
    call_command("generate_catalogue", "--count", "60", "--output", str(path))
    takeaways = [
        record["takeaway"] for record in json.loads(path.read_text())["exercises"]
    ]
    assert any(t.startswith("An intermediate ") for t in takeaways)
    assert any(t.startswith("An expert ") for t in takeaways)
    assert not any(t.startswith(("A intermediate ", "A expert ")) for t in takeaways)
