"""The search form of the subject access page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from zentrum.domain.clock import local_date
from zentrum.models.base import utcnow
from zentrum.web.reports.forms import DayField
from zentrum.web.validators import NoControlCharacters, strip


class BirthDateField(DayField):
    """A birth date as the date input sends it or as typed (TT.MM.JJJJ); German errors."""

    def check_year(self, year: int) -> None:
        if not 1900 <= year <= local_date(utcnow()).year:
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
