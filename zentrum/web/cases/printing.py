"""Print views: a case summary and a handover sheet, with what the reader may see.

Both start from ``visible_case_or_404`` (an advisor of an uninvolved partner gets a
404, and the refusal is recorded) and reuse the case page's own rules for notes and
history, so a printout never shows more than the case page shows the same person.
A printout is recorded in the audit log like a view of the case page.
"""

import sqlalchemy as sa
from flask import abort, g, render_template
from flask_login import current_user

from zentrum.domain.vocab import AuditAction, Role
from zentrum.extensions import db
from zentrum.models import Case, Consent, Handover, User
from zentrum.models.base import utcnow
from zentrum.services.cases import case_consents
from zentrum.services.lifecycle import open_referrals
from zentrum.services.notes import case_notes, newest_case_history
from zentrum.web.auditing import commit_entry, visible_case_or_404
from zentrum.web.cases.views import bp


def _case_or_404(case_id: int) -> Case:
    return visible_case_or_404(case_id)


def recorded_print(page: str, case_id: int, view: str) -> str:
    """The rendered printout, once its view is recorded (committed); not shown otherwise."""
    commit_entry(AuditAction.CASE_VIEW, case_id=case_id, details={"view": view})
    return page


def _handovers_clause(viewer: User) -> sa.ColumnElement[bool]:
    """The offers whose sheet the viewer may print: an advisor only their partner's."""
    if viewer.role == Role.ADVISOR:
        return sa.or_(
            Handover.to_partner_id == viewer.partner_id,
            Handover.from_partner_id == viewer.partner_id,
        )
    return sa.true()


def printable_handovers(case: Case, viewer: User) -> list[Handover]:
    """The case's offers, oldest first, that the viewer may print a sheet of."""
    stmt = (
        sa.select(Handover)
        .where(Handover.case_id == case.id, _handovers_clause(viewer))
        .order_by(Handover.offered_at, Handover.id)
    )
    return list(db.session.scalars(stmt))


def consents_for(case: Case, partner_id: int) -> list[Consent]:
    """The consents in force (not revoked) for one partner, of the case's persons."""
    person_ids = [member.person_id for member in case.members]
    stmt = (
        sa.select(Consent)
        .where(
            Consent.person_id.in_(person_ids),
            Consent.partner_id == partner_id,
            Consent.revoked_at.is_(None),
        )
        .order_by(Consent.granted_at, Consent.id)
    )
    return list(db.session.scalars(stmt))


@bp.get("/<int:case_id>/druck")
def print_summary(case_id: int):
    """A printable summary of the case, as the case page shows it to this user."""
    case = _case_or_404(case_id)
    g.no_store = True
    notes = case_notes(db.session, current_user, case)
    page = render_template(
        "cases/print_summary.html",
        case=case,
        now=utcnow(),
        referrals=open_referrals(db.session, case),
        consents=case_consents(db.session, case),
        notes=notes,
        shown_note_ids={note.id for note in notes},
        # The case page's rule for note entries, every entry: the whole history on paper.
        events=newest_case_history(db.session, current_user, case, None)[0],
        handovers=printable_handovers(case, current_user),
    )
    return recorded_print(page, case_id, "print_summary")


@bp.get("/<int:case_id>/uebergabe/<int:handover_id>/druck")
def print_handover(case_id: int, handover_id: int):
    """A printable handover sheet for the receiving partner: no notes, no other partners' data."""
    case = _case_or_404(case_id)
    handover = db.session.scalar(
        sa.select(Handover).where(
            Handover.id == handover_id,
            Handover.case_id == case.id,
            _handovers_clause(current_user),
        )
    )
    if handover is None:
        abort(404)
    g.no_store = True
    page = render_template(
        "cases/print_handover.html",
        case=case,
        handover=handover,
        now=utcnow(),
        consents=consents_for(case, handover.to_partner_id),
    )
    return recorded_print(page, case_id, "print_handover")
