"""The subject access export (Art. 15 DSGVO): one plain structure for the page and the JSON.

Decisions, so that the export gives the person their data and not other people's:
- other members of a case appear only with their role (Elternteil, Geschwister …),
  never with name, birth date or contact data (Art. 15 Abs. 4 DSGVO);
- staff appear by organisation (a partner, or the front desk, supervisors,
  administration), not by name: the person learns who received and who looked
  at their data at the level of the recipient (Art. 15 Abs. 1 lit. c), as the
  CJEU held for access logs (C-579/21, Pankki S);
- notes are included, internal ones too (marked): the right of access covers them;
  the admin checks the export for third parties' data before handing it out;
- the access log lists time, action, organisation and case reference of every audit
  entry about the person or their cases, without the entries' details (they may
  name other cases).
"""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from zentrum.domain.vocab import AuditAction, DeclineReason
from zentrum.labels import label, topic_label
from zentrum.models import Partner, User
from zentrum.models.base import utcnow
from zentrum.services.subject_access import SubjectRows, subject_rows

AUDIT_LABELS = {
    AuditAction.CASE_VIEW: _l("Fall angesehen"),
    AuditAction.SEARCH: _l("Suche"),
    AuditAction.EXPORT: _l("Export"),
    AuditAction.CHANGE: _l("Änderung"),
    AuditAction.SUBJECT_ACCESS: _l("Auskunft nach Art. 15 DSGVO"),
    AuditAction.RETENTION_RUN: _l("Anonymisierung nach Ablauf der Frist"),
    AuditAction.CONSENT_RECORDED: _l("Einwilligung erfasst"),
    AuditAction.CONSENT_REVOKED: _l("Einwilligung widerrufen"),
    AuditAction.ACCESS_REFUSED: _l("Zugriff verweigert"),
    AuditAction.AUDIT_SEARCH: _l("Protokoll durchsucht"),
}
# Staff in the history's details: named by organisation instead.
_STAFF_DETAILS = ("to_user", "to_user_id", "from_user_id")


def _organisation(user: User | None, partner_id: int | None, partners: dict[int, str]) -> str:
    """Who acted, at the level of the organisation."""
    if partner_id is not None:
        return partners.get(partner_id, "")
    if user is None:
        return _("System")
    if user.partner_id is not None:
        return partners.get(user.partner_id, "")
    return label("role", user.role)


def _person(rows: SubjectRows) -> dict[str, Any]:
    p = rows.person
    return {
        "first_name": p.first_name,
        "last_name": p.last_name,
        "birth_date": p.birth_date,
        "phone": p.phone,
        "email": p.email,
        "district": label("district", p.district),
        "postcode": p.postcode,
        "language": label("language", p.language),
        "interpreter_needed": p.interpreter_needed,
        "recorded_at": p.created_at,
        "anonymised_at": p.anonymised_at,
    }


def _note(note, partners) -> dict[str, Any]:
    return {
        "at": note.created_at,
        "organisation": _organisation(note.author, note.partner_id, partners),
        "internal": note.internal,
        "text": note.body,
    }


def _handover(h, partners) -> dict[str, Any]:
    return {
        "offered_at": h.offered_at,
        "from": partners.get(h.from_partner_id) if h.from_partner_id else _("Empfang"),
        "to": partners.get(h.to_partner_id),
        "status": label("offer_status", h.status),
        "decided_at": h.decided_at,
        "decline_reason": label("decline_reason", h.decline_reason),
        "decline_comment": h.decline_comment or "",
        "note": h.note,
        "legal_basis": label("legal_basis", h.legal_basis),
        "override_reason": h.override_reason or "",
    }


def _referral(r, partners) -> dict[str, Any]:
    return {
        "referred_at": r.referred_at,
        "from": partners.get(r.from_partner_id) if r.from_partner_id else _("Empfang"),
        "to": partners.get(r.to_partner_id),
        "status": label("referral_status", r.status),
        "decided_at": r.decided_at,
        "ended_at": r.ended_at,
        "decline_reason": label("decline_reason", r.decline_reason),
        "decline_comment": r.decline_comment or "",
        "note": r.note,
        "legal_basis": label("legal_basis", r.legal_basis),
    }


def _wait(seconds: int) -> str:
    hours, minutes = divmod(int(seconds) // 60, 60)
    return _("%(hours)d Std. %(minutes)d Min.", hours=hours, minutes=minutes)


def _reason(value: str) -> str:
    return label("decline_reason", value) if value in set(DeclineReason) else value


# History details in words: key → (German name, how to show the value). Ids and
# bookkeeping flags are left out; a key not listed shows as stored, so nothing is hidden.
_DETAILS = {
    "channel": (_l("Zugangsweg"), lambda v: label("channel", v)),
    "urgency": (_l("Dringlichkeit"), lambda v: label("urgency", v)),
    "members": (_l("Personen"), str),
    "legal_basis": (_l("Rechtsgrundlage"), lambda v: label("legal_basis", v)),
    "suggestion": (_l("Vorschlag"), str),
    "override_reason": (_l("Begründung der Abweichung"), str),
    "reason": (_l("Grund"), _reason),
    "comment": (_l("Kommentar"), str),
    "outcome": (_l("Ergebnis"), lambda v: label("outcome", v)),
    "internal": (_l("intern"), lambda v: _("ja") if v else _("nein")),
    "wait_seconds": (_l("Wartezeit"), _wait),
    "basis": (_l("Rechtsgrundlage"), lambda v: label("legal_basis", v)),
    "categories": (
        _l("Datenkategorien"),
        lambda v: ", ".join(label("data_category", c) for c in v),
    ),
    "given_by": (_l("Erteilt von"), lambda v: label("consent_giver", v)),
    "given_on": (_l("Erteilt am"), str),
    "revoked_by": (_l("Widerrufen von"), lambda v: label("consent_giver", v)),
}
_HIDDEN_DETAILS = frozenset(
    {
        "existing_person",
        "handover_id",
        "referral_id",
        "note_id",
        "addendum_to",
        "from_partner_id",
        "consent_id",
        "basis_id",
    }
)


def _details(details: dict[str, Any] | None) -> dict[str, str]:
    """An event's details in German words."""
    result = {}
    for key, value in (details or {}).items():
        if key in _STAFF_DETAILS or key in _HIDDEN_DETAILS:
            continue
        name, show = _DETAILS.get(key, (key, str))
        result[str(name)] = show(value)
    return result


def _event(e, partners) -> dict[str, Any]:
    details = _details(e.details)
    return {
        "at": e.at,
        "kind": label("event", e.kind),
        "organisation": _organisation(e.actor, e.partner_id, partners),
        "target": partners.get(e.target_partner_id, "") if e.target_partner_id else "",
        "details": details,
    }


def _cases(rows: SubjectRows, partners: dict[int, str]) -> list[dict[str, Any]]:
    result = []
    for member in rows.memberships:
        case = member.case

        def mine(items, case_id=case.id):
            return [item for item in items if item.case_id == case_id]

        result.append(
            {
                "reference": case.reference,
                "role": label("member_role", member.role),
                "other_members": [label("member_role", r) for r in rows.other_roles[case.id]],
                "status": label("status", case.status),
                "urgency": label("urgency", case.urgency),
                "channel": label("channel", case.channel),
                "topics": [topic_label(topic.label) for topic in case.topics],
                "description": case.description,
                "recorded_at": case.created_at,
                "closed_at": case.closed_at,
                "outcome": label("outcome", case.outcome),
                "anonymised_at": case.anonymised_at,
                "notes": [_note(n, partners) for n in mine(rows.notes)],
                "handovers": [_handover(h, partners) for h in mine(rows.handovers)],
                "referrals": [_referral(r, partners) for r in mine(rows.referrals)],
                "history": [_event(e, partners) for e in mine(rows.events)],
            }
        )
    return result


def _access_log(rows: SubjectRows, partners: dict[int, str]) -> list[dict[str, Any]]:
    references = {m.case_id: m.case.reference for m in rows.memberships}
    return [
        {
            "at": entry.at,
            "action": str(AUDIT_LABELS.get(entry.action, entry.action)),
            "organisation": _organisation(user, None, partners),
            "case": ", ".join(
                references[case_id]
                for case_id in ([entry.case_id] + rows.shown.get(entry.id, []))
                if case_id in references
            ),
        }
        for entry, user in rows.audit
    ]


def subject_export(session: Session, person_id: int) -> dict[str, Any] | None:
    """Everything stored about a person, labelled in German; None when there is no such person."""
    rows = subject_rows(session, person_id)
    if rows is None:
        return None
    partners = {pid: name for pid, name in session.execute(sa.select(Partner.id, Partner.name))}
    return {
        "generated_at": utcnow(),
        "person": _person(rows),
        "cases": _cases(rows, partners),
        "consents": [
            {
                "partner": partners.get(c.partner_id),
                "granted_at": c.granted_at,
                "revoked_at": c.revoked_at,
                "case": next(
                    (m.case.reference for m in rows.memberships if m.case_id == c.case_id), ""
                ),
            }
            for c in rows.consents
        ],
        "access_log": _access_log(rows, partners),
    }


def json_default(value: Any) -> str:
    """Dates and times for ``json.dumps``: ISO 8601 (times in UTC)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
