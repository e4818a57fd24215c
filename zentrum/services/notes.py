"""Case notes: shared with every partner involved, or internal to the author's partner."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import EventKind, Role
from zentrum.models import Case, CaseAccess, CaseNote, User
from zentrum.services.lifecycle import add_event

NOTE_MAX = 10_000


def add_note(
    session: Session,
    actor: User,
    now: datetime,
    case: Case,
    body: str,
    *,
    internal: bool = False,
    addendum_to: int | None = None,
) -> CaseNote:
    """Append a note (or an addendum to an earlier one) and its history entry."""
    if actor.role == Role.SUPERVISOR:
        raise TransitionError("read_only")
    if actor.role == Role.ADVISOR and not _involved(session, case, actor.partner_id):
        raise TransitionError("not_involved")
    body = body.strip()
    if not body:
        raise TransitionError("note_empty")
    if len(body) > NOTE_MAX:
        raise TransitionError("note_too_long")
    if addendum_to is not None:
        parent = session.get(CaseNote, addendum_to)
        if parent is None or parent.case_id != case.id or not note_visible(parent, actor):
            raise TransitionError("note_gone")
    note = CaseNote(
        case_id=case.id,
        author_id=actor.id,
        partner_id=actor.partner_id,
        internal=internal,
        body=body,
        addendum_to_id=addendum_to,
        created_at=now,
    )
    session.add(note)
    session.flush()
    # The history names the note, never its text (notes may be internal).
    add_event(
        session,
        case,
        EventKind.NOTE.value,
        actor,
        now,
        note_id=note.id,
        internal=internal or None,
        addendum_to=addendum_to,
    )
    session.flush()
    return note


def _involved(session: Session, case: Case, partner_id: int) -> bool:
    """True when the partner was offered, referred or held the case."""
    stmt = sa.select(CaseAccess.case_id).where(
        CaseAccess.case_id == case.id, CaseAccess.partner_id == partner_id
    )
    return session.scalar(stmt) is not None


def _same_desk(partner_id: int | None, viewer: User) -> bool:
    """True when the viewer works where the note was written (a partner, or the front desk)."""
    if partner_id is None:
        return viewer.role == Role.FRONTDESK
    return viewer.partner_id == partner_id


def note_visible(note: CaseNote, viewer: User) -> bool:
    """Internal notes are read only within the author's partner (or by the front desk)."""
    return not note.internal or _same_desk(note.partner_id, viewer)


def visible_notes_clause(viewer: User) -> sa.ColumnElement[bool]:
    """SQL condition for the notes a viewer may read."""
    if viewer.partner_id is not None:
        own = CaseNote.partner_id == viewer.partner_id
    elif viewer.role == Role.FRONTDESK:
        own = CaseNote.partner_id.is_(None)
    else:
        own = sa.false()  # supervisors and admins belong to no desk
    return sa.or_(CaseNote.internal.is_(False), own)


def case_notes(session: Session, viewer: User, case: Case) -> list[CaseNote]:
    """The notes of a case that the viewer may read, oldest first."""
    stmt = (
        sa.select(CaseNote)
        .where(CaseNote.case_id == case.id, visible_notes_clause(viewer))
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    return list(session.scalars(stmt))
