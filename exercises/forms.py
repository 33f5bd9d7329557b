from django import forms

from .models import (
    Category,
    Equipment,
    Force,
    Level,
    Mechanics,
    MuscleRole,
    Role,
    search_words,
)

ANY = [("", "Any")]


def optional_choice(label, choices):
    return forms.ChoiceField(label=label, required=False, choices=ANY + choices.choices)


class ExerciseFilterForm(forms.Form):
    """Search and filters of /exercises/, all from the query string."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    muscle = forms.ChoiceField(label="Muscle", required=False)
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
        groups = [m for m in muscles if m.parent_id is None]
        choices = list(ANY)
        for group in groups:
            members = [(m.slug, m.name) for m in muscles if m.parent_id == group.pk]
            choices.append((group.slug, group.name))
            if members:
                choices.append((f"Muscles in {group.name}", members))
        self.fields["muscle"].choices = choices

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def filter(self, exercises):
        """Apply the valid fields; invalid ones are shown as errors and ignored."""
        self.is_valid()
        data = self.cleaned_data
        for word in search_words(data.get("q", "")):
            exercises = exercises.filter(search_text__contains=f" {word}")
        for attribute in self.ATTRIBUTES:
            if data.get(attribute):
                exercises = exercises.filter(**{attribute: data[attribute]})
        muscle = self.muscles.get(data.get("muscle"))
        role = data.get("role")
        if muscle or role:
            rows = MuscleRole.objects.all()
            if muscle:
                children = [
                    m.pk for m in self.muscles.values() if m.parent_id == muscle.pk
                ]
                rows = rows.filter(muscle_id__in=related_muscle_ids(muscle, children))
            if role:
                rows = rows.filter(role=role)
            exercises = exercises.filter(pk__in=rows.values("exercise_id"))
        return exercises

    def active_filters(self):
        """(label, value label) of each filter in use, for the result summary."""
        active = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value and name != "q":
                labels = dict(field.choices)
                if name == "muscle":
                    labels = {slug: m.name for slug, m in self.muscles.items()}
                active.append((field.label, labels.get(value, value)))
        return active


def related_muscle_ids(muscle, children_ids):
    """Muscles whose roles work this one: itself, its muscles (a group), its group."""
    return [muscle.pk, *children_ids, *([muscle.parent_id] if muscle.parent_id else [])]
