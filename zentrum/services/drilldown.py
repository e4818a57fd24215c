"""The handovers behind a figure: filtered, sortable, paged by index."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from zentrum.domain.vocab import MemberRole, OfferStatus
from zentrum.models import Case, CaseMember, Handover, Partner, Person
from zentrum.services.periods import Period
from zentrum.services.reports import in_period
from zentrum.services.timing import wall_seconds, working_seconds

SORTS = ("offered", "wait")


@dataclass(frozen=True)
class DrillFilter:
    """Which handovers a figure stands for."""

    period: Period
    partner_ids: tuple[int, ...] = ()
    status: str | None = None  # accepted, declined, withdrawn, pending
    within_target: bool | None = None  # accepted within (True) or after (False) the target
    decline_reason: str | None = None


@dataclass
class HandoverRow:
    """One handover, pseudonymised: reference, partners, times; no names."""

    id: int
    case_id: int
    reference: str
    from_partner: str | None
    to_partner: str
    status: str
    offered_at: datetime
    decided_at: datetime | None
    wait_seconds: int
    wait_business_seconds: int
    target_seconds: int
    decline_reason: str | None
    district: str | None

    @property
    def within_target(self) -> bool:
        return self.wait_business_seconds <= self.target_seconds


def _sort_key(sort: str):
    if sort == "wait":
        return sa.func.coalesce(Handover.wait_business_seconds, -1)
    return Handover.offered_at


def _conditions(f: DrillFilter) -> list:
    conditions = [in_period(Handover.offered_at, f.period)]
    if f.partner_ids:
        conditions.append(Handover.to_partner_id.in_(f.partner_ids))
    if f.status:
        conditions.append(Handover.status == f.status)
    if f.decline_reason:
        conditions.append(Handover.decline_reason == f.decline_reason)
    if f.within_target is not None:
        limit = Partner.target_minutes * 60
        within = sa.and_(
            Handover.status == OfferStatus.ACCEPTED.value, Handover.wait_business_seconds <= limit
        )
        conditions.append(within if f.within_target else sa.not_(within))
    return conditions


def _statement(f: DrillFilter) -> sa.Select:
    source = aliased(Partner)
    return (
        sa.select(
            Handover,
            Case.reference,
            source.name,
            Partner.name,
            Partner.target_minutes,
            Person.district,
        )
        .join(Case, Case.id == Handover.case_id)
        .join(Partner, Partner.id == Handover.to_partner_id)
        .outerjoin(source, source.id == Handover.from_partner_id)
        .join(
            CaseMember,
            sa.and_(
                CaseMember.case_id == Case.id, CaseMember.role == MemberRole.YOUNG_PERSON.value
            ),
        )
        .join(Person, Person.id == CaseMember.person_id)
        .where(*_conditions(f))
    )


def _row(handover, reference, source, target, target_minutes, district, now) -> HandoverRow:
    end = handover.decided_at or now
    return HandoverRow(
        id=handover.id,
        case_id=handover.case_id,
        reference=reference,
        from_partner=source,
        to_partner=target,
        status=handover.status,
        offered_at=handover.offered_at,
        decided_at=handover.decided_at,
        wait_seconds=handover.wait_seconds
        if handover.wait_seconds is not None
        else wall_seconds(handover.offered_at, end),
        wait_business_seconds=handover.wait_business_seconds
        if handover.wait_business_seconds is not None
        else working_seconds(handover.offered_at, end),
        target_seconds=target_minutes * 60,
        decline_reason=handover.decline_reason,
        district=district,
    )


def handover_page(
    session: Session,
    f: DrillFilter,
    now: datetime,
    *,
    sort: str = "offered",
    descending: bool = False,
    after: int | None = None,
    limit: int = 50,
) -> tuple[list[HandoverRow], int | None]:
    """A page of handovers behind a figure, and the id to continue after.

    The page's ids are picked first on the handovers alone (an index walk), and
    only those rows are joined with cases and persons: joining first made a
    year's first page take seconds at a million handovers.
    """
    key = _sort_key(sort if sort in SORTS else "offered")
    order = (key.desc(), Handover.id.desc()) if descending else (key, Handover.id)
    pick = (
        sa.select(Handover.id)
        .join(Partner, Partner.id == Handover.to_partner_id)
        .where(*_conditions(f))
        .order_by(*order)
        .limit(limit + 1)
    )
    if after is not None:
        anchor_key = sa.select(key).where(Handover.id == after).correlate(None).scalar_subquery()
        compare = sa.tuple_(key, Handover.id)
        anchor = sa.tuple_(anchor_key, after)
        pick = pick.where(compare < anchor if descending else compare > anchor)
    ids = list(session.scalars(pick))
    found = {row[0].id: row for row in session.execute(_statement(f).where(Handover.id.in_(ids)))}
    rows = [_row(*found[i], now) for i in ids if i in found]
    next_after = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_after


def all_handovers(session: Session, f: DrillFilter, now: datetime):
    """Every handover behind a figure, oldest first, streamed (for exports)."""
    stmt = (
        _statement(f).order_by(Handover.offered_at, Handover.id).execution_options(yield_per=2000)
    )
    for row in session.execute(stmt):
        yield _row(*row, now)
