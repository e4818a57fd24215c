"""The intake form: the young person, family members, topics, urgency and consents."""

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from zentrum.domain.consent import required_giver
from zentrum.domain.validation import birth_date_problem
from zentrum.domain.vocab import Channel, ConsentGiver, MemberRole, Urgency
from zentrum.labels import choices
from zentrum.services.intake import INTAKE_CATEGORIES, INTAKE_PURPOSE, IntakeData, PersonData
from zentrum.web.fields import MultiCheckboxField
from zentrum.web.validators import NoControlCharacters, strip

MAX_MEMBERS = 12
DESCRIPTION_MAX = 5000
_BIRTH_DATE_MESSAGES = {
    "future": _l("Das Geburtsdatum liegt in der Zukunft."),
    "too_old": _l("Das Geburtsdatum liegt mehr als 100 Jahre zurück."),
}

_GIVER_MESSAGES = {
    ConsentGiver.YOUNG_PERSON: _l(
        "Der junge Mensch ist 15 Jahre oder älter und willigt selbst ein."
    ),
    ConsentGiver.GUARDIANS: _l(
        "Der junge Mensch ist jünger als 15 Jahre: Es willigen die Sorgeberechtigten ein."
    ),
}


def _name_field(label, missing=None):
    """A first or last name field; required when a message for the missing name is given."""
    # No Optional() for the others: it would stop the row's own "name missing" check.
    validators = [Length(max=100, message=_l("Höchstens 100 Zeichen.")), NoControlCharacters()]
    if missing:
        validators.insert(0, DataRequired(missing))
    return StringField(label, validators=validators, filters=[strip])


def check_birth_date(value: date | None, today: date) -> None:
    """Raise a German ValidationError for an implausible birth date."""
    problem = birth_date_problem(value, today) if value else None
    if problem:
        raise ValidationError(_BIRTH_DATE_MESSAGES[problem])


class MemberForm(FlaskForm):
    """A family member on the case; a row left empty is ignored."""

    class Meta:
        csrf = False

    first_name = _name_field(_l("Vorname"))
    last_name = _name_field(_l("Nachname"))
    birth_date = DateField(_l("Geburtsdatum (optional)"), validators=[Optional()])
    relation = SelectField(
        _l("Beziehung"),
        choices=[c for c in choices("member_role") if c.value != MemberRole.YOUNG_PERSON],
    )

    def is_blank(self) -> bool:
        """True when nothing was typed into the row."""
        return not (self.first_name.data or self.last_name.data or self.birth_date.data)

    def validate_first_name(self, field) -> None:
        if not field.data and not self.is_blank():
            raise ValidationError(_l("Bitte den Vornamen angeben."))

    def validate_last_name(self, field) -> None:
        if not field.data and not self.is_blank():
            raise ValidationError(_l("Bitte den Nachnamen angeben."))

    def to_person(self) -> PersonData:
        """The member's data for the intake service."""
        return PersonData(self.first_name.data, self.last_name.data, self.birth_date.data)


class IntakeForm(FlaskForm):
    """One form for a new enquiry, in the order the front desk asks."""

    first_name = _name_field(_l("Vorname"), _l("Bitte den Vornamen angeben."))
    last_name = _name_field(_l("Nachname"), _l("Bitte den Nachnamen angeben."))
    birth_date = DateField(
        _l("Geburtsdatum"), validators=[InputRequired(_l("Bitte das Geburtsdatum angeben."))]
    )
    phone = TelField(
        _l("Telefon (optional)"),
        validators=[
            Optional(),
            Length(max=40, message=_l("Höchstens 40 Zeichen.")),
            Regexp(
                r"^\+?[0-9 ()/\-]{3,}$",
                message=_l("Bitte nur Ziffern, Leerzeichen und + / ( ) - verwenden."),
            ),
        ],
        filters=[strip],
    )
    email = EmailField(
        _l("E-Mail (optional)"),
        validators=[
            Optional(),
            Length(max=254, message=_l("Höchstens 254 Zeichen.")),
            Email(_l("Bitte eine gültige E-Mail-Adresse angeben, z. B. name@example.de.")),
        ],
        filters=[strip],
    )
    district = SelectField(
        _l("Stadtbezirk"),
        default="",
        choices=[SelectChoice("", _l("– nicht angegeben –")), *choices("district")],
    )
    postcode = StringField(
        _l("Postleitzahl (optional)"),
        validators=[
            Optional(),
            Regexp(r"^\d{5}$", message=_l("Bitte eine fünfstellige Postleitzahl angeben.")),
        ],
        filters=[strip],
    )
    language = SelectField(_l("Gesprochene Sprache"), choices=choices("language"), default="de")
    interpreter_needed = BooleanField(_l("Dolmetschung nötig"))
    members = FieldList(FormField(MemberForm), label=_l("Angehörige"))
    add_member = SubmitField(_l("Angehörige hinzufügen"))

    topics = MultiCheckboxField(
        _l("Themen"),
        coerce=int,
        validators=[DataRequired(_l("Bitte mindestens ein Thema wählen."))],
    )
    description = TextAreaField(
        _l("Beschreibung des Anliegens"),
        validators=[NoControlCharacters(multiline=True)],
        filters=[strip],
    )
    channel = RadioField(
        _l("Zugangsweg"), choices=choices("channel"), default=Channel.WALK_IN.value
    )
    urgency = RadioField(
        _l("Dringlichkeit"), choices=choices("urgency"), default=Urgency.NORMAL.value
    )
    consents = MultiCheckboxField(_l("Einwilligung zur Weitergabe an"), coerce=int)
    consent_given_by = RadioField(
        _l("Einwilligung erteilt von"),
        choices=choices("consent_giver"),
        default=ConsentGiver.YOUNG_PERSON.value,
    )
    consent_guardian_names = StringField(
        _l("Namen der Sorgeberechtigten"),
        validators=[Length(max=300, message=_l("Höchstens 300 Zeichen.")), NoControlCharacters()],
        filters=[strip],
    )
    consent_categories = MultiCheckboxField(
        _l("Datenkategorien der Einwilligung"),
        choices=choices("data_category"),
        default=list(INTAKE_CATEGORIES),
    )
    consent_purpose = StringField(
        _l("Zweck der Weitergabe"),
        default=lambda: gettext(INTAKE_PURPOSE),
        validators=[Length(max=2000, message=_l("Höchstens 2000 Zeichen.")), NoControlCharacters()],
        filters=[strip],
    )
    person_choice = RadioField(_l("Bekannte Person"), choices=[], validate_choice=False)
    save = SubmitField(_l("Anliegen speichern"))

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_birth_date(self, field) -> None:
        check_birth_date(field.data, self.today)

    def validate_description(self, field) -> None:
        if field.data and len(field.data) > DESCRIPTION_MAX:
            # Show the start again to shorten, not megabytes of it.
            field.data = field.data[:DESCRIPTION_MAX]
            raise ValidationError(
                _l("Die Beschreibung ist zu lang (höchstens %(max)d Zeichen).", max=DESCRIPTION_MAX)
            )

    def validate_consent_given_by(self, field) -> None:
        if not self.consents.data or not self.birth_date.data:
            return
        required = required_giver(self.birth_date.data, self.today)
        if field.data != required:
            raise ValidationError(_GIVER_MESSAGES[required])

    def validate_consent_guardian_names(self, field) -> None:
        guardians = self.consent_given_by.data == ConsentGiver.GUARDIANS
        parents = [
            e
            for e in self.members.entries
            if not e.form.is_blank() and e.form.relation.data == MemberRole.PARENT
        ]
        if self.consents.data and guardians and not field.data and not parents:
            raise ValidationError(
                _l("Bitte die Sorgeberechtigten nennen (oder als Elternteil erfassen).")
            )

    def validate_consent_categories(self, field) -> None:
        if self.consents.data and not field.data:
            raise ValidationError(_l("Bitte mindestens eine Datenkategorie wählen."))

    def validate_consent_purpose(self, field) -> None:
        if self.consents.data and not field.data:
            raise ValidationError(_l("Bitte den Zweck der Weitergabe angeben."))

    def validate_members(self, field) -> None:
        if len(field.entries) > MAX_MEMBERS:
            raise ValidationError(_l("Höchstens %(n)d Angehörige je Anliegen.", n=MAX_MEMBERS))
        for entry in field.entries:
            try:
                check_birth_date(entry.form.birth_date.data, self.today)
            except ValidationError as error:
                entry.form.birth_date.errors.append(str(error))
                raise ValidationError(_l("Bitte die Angaben zu den Angehörigen prüfen.")) from None

    def to_intake_data(self, existing_person_id: int | None) -> IntakeData:
        """The form's content for the intake service."""
        young_person = PersonData(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            birth_date=self.birth_date.data,
            phone=self.phone.data or None,
            email=self.email.data or None,
            district=self.district.data or None,
            postcode=self.postcode.data or None,
            language=self.language.data or None,
            interpreter_needed=bool(self.interpreter_needed.data),
        )
        members = [
            (entry.form.to_person(), MemberRole(entry.form.relation.data))
            for entry in self.members.entries
            if not entry.form.is_blank()
        ]
        return IntakeData(
            young_person=young_person,
            members=members,
            topic_ids=list(self.topics.data or []),
            description=self.description.data or "",
            channel=self.channel.data,
            urgency=self.urgency.data,
            consent_partner_ids=list(self.consents.data or []),
            existing_person_id=existing_person_id,
            consent_given_by=self.consent_given_by.data,
            consent_guardian_names=self.consent_guardian_names.data or "",
            consent_categories=list(self.consent_categories.data or []),
            consent_purpose=_stored_purpose(self.consent_purpose.data or ""),
        )


def _stored_purpose(text: str) -> str:
    """The stock purpose as offered in the user's language is stored as the German stock
    text, so that every reader sees it in their own language; anything typed stays as is."""
    return INTAKE_PURPOSE if text == gettext(INTAKE_PURPOSE) else text
