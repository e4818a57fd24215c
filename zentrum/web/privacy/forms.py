"""The search form of the subject access page."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from zentrum.web.validators import NoControlCharacters, strip


class BirthDateField(DateField):
    """A birth date as the date input sends it or as typed (TT.MM.JJJJ); German errors."""

    def __init__(self, label, **kwargs) -> None:
        super().__init__(label, format=["%Y-%m-%d", "%d.%m.%Y"], **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError:
            raise ValueError(_l("Bitte ein Datum im Format TT.MM.JJJJ angeben.")) from None
        if not 1900 <= self.data.year <= date.today().year:
            self.data = None
            raise ValueError(_l("Bitte ein Geburtsdatum ab 1900 angeben."))


class PersonSearchForm(FlaskForm):
    """Name (any spelling) and, to narrow it down, the birth date."""

    class Meta:
        csrf = False  # a GET search changes nothing

    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Bitte einen Namen angeben.")),
            Length(max=200, message=_l("Höchstens %(max)d Zeichen.", max=200)),
            NoControlCharacters(),
        ],
        filters=[strip],
    )
    birth_date = BirthDateField(_l("Geburtsdatum (optional)"))
