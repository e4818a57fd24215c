"""Field validators shared by the forms."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from zentrum.domain.validation import has_control_characters


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
