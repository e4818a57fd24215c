"""Form fields shared by several areas."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError


class MultiCheckboxField(SelectMultipleField):
    """Several choices, rendered as checkboxes in a fieldset; unknown values get a German message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            # Keep what was sent, so that pre_validate names it unknown.
            self.data = list(valuelist)

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("Diese Auswahl gibt es nicht. Bitte neu wählen."))
