"""Field validators shared by the forms."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from zentrum.domain.validation import has_control_characters

# The largest id the database's integer columns hold (32 bits on PostgreSQL).
MAX_ID = 2**31 - 1


def as_id(value) -> int | None:
    """A row id from user input (text or int), or None when it cannot be one."""
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def strip(value):
    """Filter: surrounding spaces removed from text input."""
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse characters that no keyboard types (NUL, escape, ...)."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, _form, field) -> None:
        if isinstance(field.data, str) and has_control_characters(
            field.data, multiline=self.multiline
        ):
            raise ValidationError(_l("Der Text enthält unzulässige Steuerzeichen."))
