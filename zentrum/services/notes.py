"""Case notes: shared with every partner involved, or internal to the author's partner.

Notes written at a child-protection partner (the Jugendamt) are protected by
§ 65 SGB VIII: internal by default, and even when shared they reach only the
partners for which an approved legal basis is recorded on the case.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import BasisStatus, EventKind, Role
from zentrum.models import Case, CaseAccess, CaseEvent, CaseNote, LegalBasisRecord, Partner, User
from zentrum.services.cases import newest_rows, newest_statement
from zentrum.services.lifecycle import add_event
from zentrum.services.statements import CASE_ID, VIEWER_PARTNER, prepared, viewer_params

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
    approved = approved_partner_ids(session, case)
    if addendum_to is not None:
        parent = session.get(CaseNote, addendum_to)
        if parent is None or parent.case_id != case.id or not note_visible(parent, actor, approved):
            raise TransitionError("note_gone")
    youth_office = is_youth_office(session, actor)
    if youth_office and not internal and not approved - {actor.partner_id}:
        raise TransitionError("note_needs_basis")
    note = CaseNote(
        case_id=case.id,
        author_id=actor.id,
        partner_id=actor.partner_id,
        internal=internal,
        youth_office=youth_office,
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
        youth_office=youth_office or None,
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


def is_youth_office(session: Session, user: User) -> bool:
    """True for advisors of a child-protection partner (the Jugendamt): § 65 SGB VIII applies."""
    if user.role != Role.ADVISOR or user.partner_id is None:
        return False
    partner = user.partner or session.get(Partner, user.partner_id)
    return bool(partner.child_protection)


def approved_partner_ids(session: Session, case: Case) -> set[int]:
    """Partners for which an approved legal basis is recorded on the case."""
    stmt = sa.select(LegalBasisRecord.partner_id).where(
        LegalBasisRecord.case_id == case.id,
        LegalBasisRecord.status == BasisStatus.APPROVED.value,
    )
    return set(session.scalars(stmt))


def note_visible(
    note: CaseNote, viewer: User, approved: set[int] | frozenset = frozenset()
) -> bool:
    """Internal notes are read only within the author's partner (or by the front desk);
    a shared Jugendamt note only by partners in ``approved`` (with a legal basis)."""
    if _same_desk(note.partner_id, viewer):
        return True
    if note.internal:
        return False
    return not note.youth_office or viewer.partner_id in approved


def visible_notes_clause(viewer: User) -> sa.ColumnElement[bool]:
    """SQL condition for the notes a viewer may read."""
    return _readable(_viewer_kind(viewer), viewer.partner_id)


def _viewer_kind(viewer: User) -> str:
    """Which notes rule applies: a partner's user, the front desk, or neither."""
    if viewer.partner_id is not None:
        return "partner"
    return "frontdesk" if viewer.role == Role.FRONTDESK else "other"


def _readable(kind: str, partner) -> sa.ColumnElement[bool]:
    """``visible_notes_clause`` for a kind of viewer; ``partner`` an id or a bind parameter."""
    if kind == "partner":
        own = CaseNote.partner_id == partner
        basis = (
            sa.select(LegalBasisRecord.id)
            .where(
                LegalBasisRecord.case_id == CaseNote.case_id,
                LegalBasisRecord.partner_id == partner,
                LegalBasisRecord.status == BasisStatus.APPROVED.value,
            )
            .exists()
        )
    elif kind == "frontdesk":
        own, basis = CaseNote.partner_id.is_(None), sa.false()
    else:
        own, basis = sa.false(), sa.false()  # supervisors and admins belong to no desk
    shared = sa.and_(CaseNote.internal.is_(False), sa.or_(CaseNote.youth_office.is_(False), basis))
    return sa.or_(shared, own)


def case_notes(session: Session, viewer: User, case: Case) -> list[CaseNote]:
    """The notes of a case that the viewer may read, oldest first."""
    stmt = (
        sa.select(CaseNote)
        .where(CaseNote.case_id == case.id, visible_notes_clause(viewer))
        .order_by(CaseNote.created_at, CaseNote.id)
    )
    return list(session.scalars(stmt))


def _readable_in_case(kind: str) -> tuple:
    """The conditions of a prepared statement for the case's notes this kind of viewer
    may read (parameters: ``viewer_params``)."""
    return CaseNote.case_id == CASE_ID, _readable(kind, VIEWER_PARTNER)


def newest_case_notes(
    session: Session, viewer: User, case: Case, newest: int | None
) -> tuple[list[CaseNote], int]:
    """The ``newest`` readable notes (oldest first) and how many the viewer may read in all."""
    kind = _viewer_kind(viewer)

    def build():
        return newest_statement(
            CaseNote,
            _readable_in_case(kind),
            (CaseNote.created_at, CaseNote.id),
            newest,
        )

    stmt = prepared(("newest notes", kind, newest), build)
    return newest_rows(session, stmt, viewer_params(case.id, viewer.partner_id))


def newest_case_history(
    session: Session, viewer: User, case: Case, newest: int | None
) -> tuple[list[CaseEvent], int]:
    """The ``newest`` history entries (oldest first) and how many there are in all, leaving
    out the entries of notes the viewer may not read."""
    kind = _viewer_kind(viewer)

    def build():
        readable = sa.select(CaseNote.id).where(*_readable_in_case(kind))
        note_id = CaseEvent.details["note_id"].as_integer()
        visible = sa.or_(CaseEvent.kind != "note", note_id.in_(readable.scalar_subquery()))
        return newest_statement(
            CaseEvent, (CaseEvent.case_id == CASE_ID, visible), (CaseEvent.at, CaseEvent.id), newest
        )

    stmt = prepared(("newest history", kind, newest), build)
    return newest_rows(session, stmt, viewer_params(case.id, viewer.partner_id))
