from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .models import (
    Category,
    Equipment,
    Force,
    Level,
    Mechanics,
    MuscleRole,
    Role,
)

ANY = [("", "Any")]


class PlainSelect(forms.Select):
    """A <select> written out directly, not through a template for each option.

    The list page shows about 120 options on every request; a template per
    option took about 10 ms of its CPU time at 10,000 exercises
    (docs/performance.md). The same markup as Django's Select
    (tests/test_filter_form.py).
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))

        def options(choices):
            return format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (key, mark_safe(" selected") if str(key) in selected else "", label)
                    for key, label in choices
                ),
            )

        parts = [
            format_html('<optgroup label="{}">{}</optgroup>', key, options(label))
            if isinstance(label, list | tuple)
            else options([(key, label)])
            for key, label in self.choices
        ]
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("".join(parts)),
        )


def optional_choice(label, choices):
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=ANY + choices.choices,
        widget=PlainSelect,
    )


class ExerciseFilterForm(forms.Form):
    """Search and filters of /exercises/, all from the query string."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    muscle = forms.ChoiceField(label="Muscle", required=False, widget=PlainSelect)
    # Off: the muscle and its parts, as on the muscle's page. On: only rows that
    # name the muscle itself (a group page's "names only the whole group" list).
    exact = forms.BooleanField(label="Exactly this one, not its parts", required=False)
    role = optional_choice("Role", Role)
    mechanics = optional_choice("Mechanics", Mechanics)
    equipment = optional_choice("Equipment", Equipment)
    level = optional_choice("Level", Level)
    force = optional_choice("Force", Force)
    category = optional_choice("Category", Category)

    ATTRIBUTES = ["mechanics", "equipment", "level", "force", "category"]

    def __init__(self, *args, muscles, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.muscles = {muscle.slug: muscle for muscle in muscles}
        self.children = {}
        for m in muscles:
            self.children.setdefault(m.parent_id, []).append(m)
        choices = list(ANY)
        for group in self.children.get(None, []):
            members = []
            for m in self.children.get(group.pk, []):
                members.append((m.slug, m.name))
                # Heads and parts, indented under their muscle.
                members += [
                    (head.slug, f"\N{EM DASH} {head.name}")
                    for head in self.children.get(m.pk, [])
                ]
            choices.append((group.slug, group.name))
            if members:
                choices.append((f"Muscles in {group.name}", members))
        self.fields["muscle"].choices = choices

    def muscle_ids(self, muscle, exact):
        """The muscle and, unless exact, its muscles and their heads or parts.

        Never its group: "gluteus minimus" does not mean "the glutes".
        """
        ids, level = [muscle.pk], [muscle]
        while level and not exact:
            level = [c for m in level for c in self.children.get(m.pk, [])]
            ids += [m.pk for m in level]
        return ids

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def filter(self, exercises):
        """Apply the valid filters; invalid ones are shown as errors and ignored.

        The search itself (q) is exercises.finder.Query's.
        """
        self.is_valid()
        data = self.cleaned_data
        for attribute in self.ATTRIBUTES:
            if data.get(attribute):
                exercises = exercises.filter(**{attribute: data[attribute]})
        muscle = self.muscles.get(data.get("muscle"))
        role = data.get("role")
        if muscle or role:
            rows = MuscleRole.objects.all()
            if muscle:
                ids = self.muscle_ids(muscle, data.get("exact"))
                rows = rows.filter(muscle_id__in=ids)
            if role:
                rows = rows.filter(role=role)
            exercises = exercises.filter(pk__in=rows.values("exercise_id"))
        return exercises

    def active_filters(self):
        """(label, value label) of each filter in use, for the result summary."""
        active = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value and name not in ("q", "exact"):
                labels = dict(field.choices)
                if name == "muscle":
                    labels = {slug: m.name for slug, m in self.muscles.items()}
                    if self.cleaned_data.get("exact"):
                        labels = {k: f"{v} itself" for k, v in labels.items()}
                active.append((field.label, labels.get(value, value)))
        return active
