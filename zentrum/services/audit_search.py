"""Reading the audit log: filtered pages, newest first, and every access to a case or person."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.models import AuditCaseRef, AuditEntry, Case, CaseMember

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; None means any. ``since`` inclusive, ``until`` exclusive (UTC)."""

    username: str | None = None
    action: str | None = None
    case_id: int | None = None
    person_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class AuditPage:
    """One page of entries with the reference of each entry's case, and the next cursor."""

    rows: list[tuple[AuditEntry, str | None]] = field(default_factory=list)
    next_before: int | None = None


def _cases_of_person(person_id: int):
    return sa.select(CaseMember.case_id).where(CaseMember.person_id == person_id)


def _refs_to(condition):
    """Entries that name a case among their search hits."""
    return sa.select(AuditCaseRef.entry_id).where(condition)


def _conditions(f: AuditFilter) -> list:
    """WHERE clauses for the filter; a case or person matches every entry that touched it."""
    conditions = []
    if f.username:
        conditions.append(sa.func.lower(AuditEntry.username) == f.username.strip().lower())
    if f.action:
        conditions.append(AuditEntry.action == f.action)
    if f.case_id is not None:
        conditions.append(
            sa.or_(
                AuditEntry.case_id == f.case_id,
                AuditEntry.id.in_(_refs_to(AuditCaseRef.case_id == f.case_id)),
            )
        )
    if f.person_id is not None:
        cases = _cases_of_person(f.person_id)
        conditions.append(
            sa.or_(
                AuditEntry.person_id == f.person_id,
                AuditEntry.case_id.in_(cases),
                AuditEntry.id.in_(_refs_to(AuditCaseRef.case_id.in_(cases))),
            )
        )
    if f.since is not None:
        conditions.append(AuditEntry.at >= f.since)
    if f.until is not None:
        conditions.append(AuditEntry.at < f.until)
    return conditions


def search_entries(
    session: Session, f: AuditFilter, before: int | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    """Entries matching the filter, newest first, a page at a time (keyset on time and id)."""
    stmt = (
        sa.select(AuditEntry, Case.reference)
        .outerjoin(Case, Case.id == AuditEntry.case_id)
        .where(*_conditions(f))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(size + 1)
    )
    if before is not None:
        cursor = session.get(AuditEntry, before)
        if cursor is not None:
            stmt = stmt.where(
                sa.or_(
                    AuditEntry.at < cursor.at,
                    sa.and_(AuditEntry.at == cursor.at, AuditEntry.id < cursor.id),
                )
            )
    rows = [(entry, reference) for entry, reference in session.execute(stmt)]
    page = AuditPage(rows=rows[:size])
    if len(rows) > size:
        page.next_before = rows[size - 1][0].id
    return page


def case_by_reference(session: Session, reference: str) -> Case | None:
    """The case with this reference (any case: the log outlives visibility)."""
    return session.scalar(sa.select(Case).where(Case.reference == reference.strip().upper()))
