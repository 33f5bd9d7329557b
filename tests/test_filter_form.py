"""The list page's filters: PlainSelect writes what Django's Select would."""

import re

import pytest
from django import forms

from exercises.forms import ExerciseFilterForm, PlainSelect
from exercises.models import Muscle


def normalised(html):
    """Whitespace between tags removed; the <select> tag's attributes sorted."""
    html = re.sub(r">\s+<", "><", html.strip())
    tag, rest = html.split(">", 1)
    return sorted(tag.split()), rest


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"muscle": "glutes", "role": "target"},
        {"muscle": "anterior-deltoid", "equipment": "barbell"},
        {"muscle": "no-such-muscle", "level": "<b>"},
    ],
)
def test_plain_select_writes_what_djangos_select_writes(fixtures_loaded, data):
    form = ExerciseFilterForm(data, muscles=list(Muscle.objects.all()))
    form.is_valid()
    selects = [n for n, f in form.fields.items() if isinstance(f.widget, PlainSelect)]
    assert "muscle" in selects and "equipment" in selects
    for name in selects:
        field = form.fields[name]
        ours = str(form[name])
        field.widget = forms.Select(choices=field.choices)
        assert normalised(ours) == normalised(str(form[name])), name
