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
    "consent_revoked": _l(
        "Die Einwilligung für diese Partnerorganisation wurde widerrufen. Neue Übergaben "
        "und Hinzuziehungen sind erst mit einer neuen Einwilligung oder einer freigegebenen "
        "Rechtsgrundlage möglich."
    ),
    "not_involved_case": _l("Ihre Organisation ist an diesem Fall nicht beteiligt."),
    "categories_missing": _l("Bitte mindestens eine Datenkategorie wählen."),
    "purpose_missing": _l("Bitte den Zweck der Weitergabe angeben."),
    "text_too_long": _l("Der Text ist zu lang (höchstens 2000 Zeichen)."),
    "guardian_names_missing": _l("Bitte die Namen der Sorgeberechtigten angeben."),
    "guardian_names_too_long": _l("Höchstens 300 Zeichen."),
    "consent_by_unknown": _l("Bitte angeben, wer die Einwilligung erteilt hat."),
    "consent_by_young_person": _l(
        "Der junge Mensch ist an diesem Tag 15 Jahre oder älter und willigt selbst ein."
    ),
    "consent_by_guardians": _l(
        "Der junge Mensch ist an diesem Tag jünger als 15 Jahre: Es willigen die "
        "Sorgeberechtigten ein."
    ),
    "consent_date_future": _l("Das Datum der Einwilligung liegt in der Zukunft."),
    "consent_date_before_birth": _l("Das Datum liegt vor der Geburt des jungen Menschen."),
    "consent_gone": _l("Diese Einwilligung gibt es in diesem Fall nicht."),
    "consent_already_revoked": _l("Diese Einwilligung ist bereits widerrufen."),
    "revoke_by_young": _l("Der junge Mensch ist 15 Jahre oder älter und widerruft selbst."),
    "revoke_by_guardians": _l(
        "Der junge Mensch ist jünger als 15 Jahre: Es widerrufen die Sorgeberechtigten."
    ),
    "basis_unknown": _l("Bitte eine Rechtsgrundlage aus der Liste wählen."),
    "justification_too_short": _l(
        "Bitte die Rechtsgrundlage schriftlich begründen (mindestens 30 Zeichen)."
    ),
    "basis_pending": _l(
        "Für diese Partnerorganisation wartet schon eine Rechtsgrundlage auf Freigabe."
    ),
    "basis_needs_supervisor": _l("Nur die Leitung gibt Rechtsgrundlagen frei."),
    "four_eyes": _l(
        "Vier-Augen-Prinzip: Wer die Rechtsgrundlage beantragt hat, kann sie nicht selbst "
        "freigeben."
    ),
    "basis_gone": _l("Diese Rechtsgrundlage gibt es in diesem Fall nicht."),
    "basis_decided": _l("Über diese Rechtsgrundlage wurde bereits entschieden."),
    "refusal_needs_reason": _l("Bitte die Ablehnung begründen."),
    "note_needs_basis": _l(
        "Notizen aus dem Jugendamt bleiben intern (§ 65 SGB VIII). Geteilt werden können sie "
        "erst, wenn für eine andere beteiligte Partnerorganisation eine Rechtsgrundlage "
        "freigegeben ist."
    ),
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
