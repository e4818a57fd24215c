"""The audit log's search form (GET, so no CSRF) and the German names of the actions."""

from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from zentrum.domain.clock import LOCAL_TZ
from zentrum.domain.reference import parse_reference
from zentrum.domain.vocab import AuditAction
from zentrum.services.audit_search import AuditFilter
from zentrum.web.reports.forms import DayField

ACTION_LABELS = {
    AuditAction.LOGIN: _l("Anmeldung"),
    AuditAction.LOGIN_FAILED: _l("Fehlgeschlagene Anmeldung"),
    AuditAction.LOGOUT: _l("Abmeldung"),
    AuditAction.SESSION_EXPIRED: _l("Sitzung abgelaufen"),
    AuditAction.ACCESS_REFUSED: _l("Zugriff verweigert"),
    AuditAction.CASE_VIEW: _l("Fall angesehen"),
    AuditAction.SEARCH: _l("Fallsuche"),
    AuditAction.EXPORT: _l("Export"),
    AuditAction.CHANGE: _l("Änderung"),
    AuditAction.USER_CREATED: _l("Benutzer:in angelegt"),
    AuditAction.USER_DEACTIVATED: _l("Benutzer:in deaktiviert"),
    AuditAction.USER_REACTIVATED: _l("Benutzer:in reaktiviert"),
    AuditAction.PASSWORD_RESET: _l("Passwort zurückgesetzt"),
    AuditAction.ROLE_CHANGED: _l("Rolle geändert"),
    AuditAction.TOTP_ENABLED: _l("Zwei-Faktor-Anmeldung eingerichtet"),
    AuditAction.TOTP_RESET: _l("Zwei-Faktor-Anmeldung zurückgesetzt"),
    AuditAction.RETENTION_RUN: _l("Löschlauf"),
    AuditAction.SUBJECT_ACCESS: _l("Auskunft erteilt"),
    AuditAction.CONSENT_RECORDED: _l("Einwilligung erfasst"),
    AuditAction.CONSENT_REVOKED: _l("Einwilligung widerrufen"),
    AuditAction.AUDIT_SEARCH: _l("Protokoll durchsucht"),
    AuditAction.AUDIT_VERIFY: _l("Protokoll geprüft"),
}


def action_label(action: str) -> str:
    """The German name of an action; an action another version added shows as stored."""
    text = ACTION_LABELS.get(action)
    return str(text) if text is not None else action


def _start_of(day) -> datetime:
    """Midnight in Wuppertal at the start of the day, as UTC."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


class AuditSearchForm(FlaskForm):
    """Who, what, which case or person, which days."""

    class Meta:
        csrf = False

    benutzer = StringField(_l("Benutzername"), validators=[Optional(), Length(max=80)])
    aktion = SelectField(_l("Aktion"), validators=[Optional()])
    fall = StringField(
        _l("Fall (Aktenzeichen oder Nummer)"), validators=[Optional(), Length(max=30)]
    )
    person = IntegerField(
        _l("Person (Nummer)"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)]
    )
    von = DayField(_l("von"))
    bis = DayField(_l("bis"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.aktion.choices = [SelectChoice("", _l("alle Aktionen"))] + [
            SelectChoice(str(action), text) for action, text in ACTION_LABELS.items()
        ]

    def validate_fall(self, field) -> None:
        text = (field.data or "").strip()
        if text and not text.isdigit() and parse_reference(text.upper()) is None:
            raise ValidationError(_l("Bitte ein Aktenzeichen wie ZZ-2026-00042 oder eine Nummer."))

    def validate_bis(self, field) -> None:
        if self.von.data and field.data and field.data < self.von.data:
            raise ValidationError(_l("„bis“ darf nicht vor „von“ liegen."))

    def to_filter(self, case_id: int | None) -> AuditFilter:
        """The filter (call after ``validate``; the case resolved by the view)."""
        return AuditFilter(
            username=(self.benutzer.data or "").strip() or None,
            action=self.aktion.data or None,
            case_id=case_id,
            person_id=self.person.data,
            since=_start_of(self.von.data) if self.von.data else None,
            until=_start_of(self.bis.data + timedelta(days=1)) if self.bis.data else None,
        )
