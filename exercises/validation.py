"""What stored text may hold, checked wherever text comes in.

No control characters but tab, line feed and carriage return (browsers send
line breaks as CR LF): XML cannot carry them, so one in a name breaks the feed,
and PostgreSQL refuses NUL. Markdown stays within its field's length and the
renderer's limits (exercises/markdown.py). The models check both in
clean_fields(), so the admin shows them as field errors; the importer and any
loader that does not call full_clean() use the functions below.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from markdownx.models import MarkdownxField

from .markdown import markdown_problems

# C0 controls but tab, LF and CR; DEL; C1 controls.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_problem(value):
    """A message naming the first control character in value, or None."""
    match = CONTROL_CHARACTER.search(value)
    if match is None:
        return None
    return (
        f"contains the control character U+{ord(match.group()):04X} at "
        f"character {match.start() + 1}; only tabs and line breaks are allowed"
    )


def strip_control_characters(value):
    return CONTROL_CHARACTER.sub("", value)


def text_problems(field, value):
    """Messages for one value of a model's text field; empty when it is fine."""
    problem = control_character_problem(value)
    if problem:
        return [f"This text {problem}."]
    if isinstance(field, models.TextField) and field.max_length:
        # Django checks a TextField's max_length in forms only.
        try:
            MaxLengthValidator(field.max_length)(value)
        except ValidationError as error:
            return error.messages
    if isinstance(field, MarkdownxField):
        return markdown_problems(value)
    return []


class CheckedText:
    """Model mixin: every text field is checked by text_problems()."""

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        try:
            super().clean_fields(exclude=exclude)
            errors = {}
        except ValidationError as error:
            errors = error.update_error_dict({})
        for field in self._meta.concrete_fields:
            if field.name in exclude or field.name in errors:
                continue
            value = getattr(self, field.attname)
            if isinstance(field, models.CharField | models.TextField) and isinstance(
                value, str
            ):
                problems = text_problems(field, value)
                if problems:
                    errors[field.name] = problems
        if errors:
            raise ValidationError(errors)
