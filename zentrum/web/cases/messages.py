"""German messages for the lifecycle rules' refusals."""

from flask_babel import lazy_gettext as _l

from zentrum.domain.lifecycle import TransitionError
from zentrum.labels import label

MESSAGES = {
    "case_closed": _l("Der Fall ist abgeschlossen."),
    "wrong_state": _l("Das ist im jetzigen Stand des Falls nicht möglich."),
    "not_holder": _l("Nur wer den Fall gerade verantwortet, kann das tun."),
    "offer_pending": _l(
        "Es gibt schon ein offenes Übergabeangebot. Bitte erst die Antwort "
        "abwarten oder das Angebot zurückziehen."
    ),
    "offer_to_self": _l("Der Fall liegt bereits bei dieser Partnerorganisation."),
    "offer_gone": _l("Dieses Angebot ist nicht mehr offen."),
    "not_recipient": _l("Nur die Partnerorganisation, der das Angebot gilt, kann antworten."),
    "refer_to_self": _l("Die verantwortliche Organisation kann sich nicht selbst hinzuziehen."),
    "referral_exists": _l("Diese Partnerorganisation ist bereits hinzugezogen."),
    "referral_gone": _l("Diese Hinzuziehung ist nicht mehr offen."),
    "not_involved": _l("Sie sind an dieser Hinzuziehung nicht beteiligt."),
    "not_colleague": _l(
        "Bitte eine aktive Kollegin oder einen aktiven Kollegen derselben Organisation wählen."
    ),
    "already_responsible": _l("Diese Person ist bereits zuständig."),
    "first_contact_recorded": _l("Der Erstkontakt ist bereits erfasst."),
    "no_consent": _l(
        "Für diese Partnerorganisation liegt keine Einwilligung der Person vor. "
        "Ohne Einwilligung geht nur eine Krise an das Jugendamt (Kinderschutz)."
    ),
    "partner_inactive": _l("Diese Partnerorganisation ist nicht mehr aktiv."),
    "override_needs_reason": _l("Bitte begründen Sie, warum Sie vom Vorschlag abweichen."),
    "decline_needs_reason": _l("Bitte einen Grund angeben."),
    "decline_needs_comment": _l("Bitte den Grund kurz erläutern."),
    "outcome_needs_comment": _l("Bitte das Ergebnis kurz erläutern."),
    "reopen_needs_reason": _l("Bitte einen Grund angeben."),
    "case_anonymised": _l(
        "Der Fall ist nach Ablauf der Aufbewahrungsfrist anonymisiert und kann nicht wieder "
        "geöffnet werden. Bitte ein neues Anliegen aufnehmen."
    ),
    "read_only": _l("Die Leitung liest Fälle nur mit."),
    "note_empty": _l("Bitte einen Text eingeben."),
    "note_too_long": _l("Die Notiz ist zu lang."),
    "note_gone": _l("Die Notiz, auf die Sie sich beziehen, gibt es nicht."),
    "stale": _l(
        "Der Fall wurde gerade von jemand anderem geändert. Bitte prüfen Sie den "
        "neuen Stand und versuchen Sie es noch einmal."
    ),
}


def refusal_message(error: TransitionError) -> str:
    """The German sentence for a refused transition."""
    offer = getattr(error, "offer", None)
    if offer is not None:
        who = offer.decided_by.display_name if offer.decided_by else "?"
        what = label("offer_status", offer.status)
        return str(
            _l("Zu spät: Das Angebot wurde bereits von %(who)s %(what)s.", who=who, what=what)
        )
    return str(MESSAGES.get(error.code, MESSAGES["wrong_state"]))
