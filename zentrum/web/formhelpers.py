"""Helpers for rendering forms: the error summary at the top of a form."""

from wtforms import Form
from wtforms.fields import FieldList, FormField


def _messages(errors) -> list[str]:
    """The plain messages among a field's errors (nested entries are walked separately)."""
    return [str(e) for e in errors if not isinstance(e, dict | list)]


def error_items(form: Form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every field with an error, nested fields included."""
    items = []
    for field in form:
        if isinstance(field, FieldList):
            items += [(field.id, str(field.label.text), m) for m in _messages(field.errors)]
            for entry in field.entries:
                items += error_items(entry.form) if isinstance(entry, FormField) else []
        elif field.errors:
            items += [(field.id, str(field.label.text), m) for m in _messages(field.errors)]
    return items
