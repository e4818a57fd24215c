"""Handover-time figures for supervisors, aggregated in SQL on SQLite and PostgreSQL alike.

Waiting times of answered offers are stored facts (``Handover.wait_*``); offers
still pending keep counting until ``now``, so they join every figure with their
current waiting time. Percentiles use the nearest-rank definition: the p-th
percentile of n values is the value at rank ceil(p·n/100).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.vocab import OfferStatus
from zentrum.models import Case, Handover, Partner, Referral
from zentrum.services.periods import Period
from zentrum.services.timing import wall_seconds, working_seconds


@dataclass
class Spread:
    """Median, 90th percentile and maximum of some durations, in seconds."""

    count: int = 0
    median: int | None = None
    p90: int | None = None
    maximum: int | None = None


@dataclass
class PartnerFigures:
    """What happened to the offers one partner received in the period."""

    partner: Partner
    received: int = 0
    accepted: int = 0
    declined: int = 0
    withdrawn: int = 0
    pending: int = 0
    within_target: int = 0
    business: Spread = field(default_factory=Spread)
    wall: Spread = field(default_factory=Spread)

    @property
    def decided_or_due(self) -> int:
        """Offers that count for the target share: all but withdrawn and pending within target."""
        return self.accepted + self.declined + self.pending_over_target

    pending_over_target: int = 0

    @property
    def share_within_target(self) -> float | None:
        """Share of offers accepted within the partner's target time."""
        base = self.decided_or_due
        return self.within_target / base if base else None


def in_period(column, period: Period):
    """SQL condition: a timestamp inside the period."""
    return sa.and_(column >= period.start, column < period.end)


def _offer_filter(period: Period | None, partner_ids: list[int] | None):
    conditions = [in_period(Handover.offered_at, period)] if period else []
    if partner_ids:
        conditions.append(Handover.to_partner_id.in_(partner_ids))
    return conditions


class PendingWait(NamedTuple):
    """An offer still waiting, with its waiting time so far."""

    partner_id: int
    offer_id: int
    offered_at: datetime
    week: date | None
    wall: int
    work: int


def pending_waits(
    session: Session, period: Period | None, partner_ids, now: datetime
) -> list[PendingWait]:
    """Offers still pending (made in the period; ``period`` None: all), with their waits."""
    stmt = sa.select(
        Handover.to_partner_id, Handover.id, Handover.offered_at, Handover.offered_week
    ).where(Handover.status == OfferStatus.PENDING.value, *_offer_filter(period, partner_ids))
    return [
        PendingWait(pid, oid, at, week, wall_seconds(at, now), working_seconds(at, now))
        for pid, oid, at, week in session.execute(stmt)
    ]


def pending_in(pending: list[PendingWait], period: Period) -> list[PendingWait]:
    """The pending offers that were made in the period."""
    return [p for p in pending if period.start <= p.offered_at < period.end]


def _rank_select(values: sa.Select, group_cols: int) -> sa.Select:
    """Median, p90 and max per group of a (group..., value) select, by nearest rank."""
    sub = values.subquery("vals")
    groups = list(sub.c)[:group_cols]
    value = list(sub.c)[group_cols]
    ranked = sa.select(
        *groups,
        value.label("v"),
        sa.func.row_number().over(partition_by=groups, order_by=value).label("rn"),
        sa.func.count().over(partition_by=groups).label("n"),
    ).subquery("ranked")
    rgroups = list(ranked.c)[:group_cols]

    def at_rank(percent: int):
        rank = (ranked.c.n * percent + 99) // 100
        return sa.func.max(sa.case((ranked.c.rn == rank, ranked.c.v)))

    return sa.select(
        *rgroups, sa.func.count(), at_rank(50), at_rank(90), sa.func.max(ranked.c.v)
    ).group_by(*rgroups)


def _values_with_pending(answered: sa.Select, pending_rows: list[tuple]) -> sa.Select:
    """Answered values from the database, plus the pending ones computed until now.

    The pending rows go in as one VALUES list: a SELECT per row made SQLite fail from
    500 pending offers on ("too many terms in compound SELECT") and cost PostgreSQL
    ~20 ms of planning per statement at 300.
    """
    if not pending_rows:
        return answered
    columns = [sa.column(f"c{i}", c.type) for i, c in enumerate(answered.selected_columns)]
    params, rows = [], []
    for n, row in enumerate(pending_rows):
        names = [f"pending_{n}_{i}" for i in range(len(row))]
        rows.append("(" + ", ".join(f":{name}" for name in names) + ")")
        params += [
            sa.bindparam(name, part, type_=c.type)
            for name, part, c in zip(names, row, columns, strict=True)
        ]
    extra = sa.text("VALUES " + ", ".join(rows)).bindparams(*params).columns(*columns)
    return sa.union_all(answered, extra).subquery("withpending").select()


def spreads(
    session: Session, answered: sa.Select, pending_rows: list[tuple], group_cols: int = 1
) -> dict[tuple, Spread]:
    """Spread per group, over answered values and pending ones."""
    stmt = _rank_select(_values_with_pending(answered, pending_rows), group_cols)
    return {tuple(row[:group_cols]): Spread(*row[group_cols:]) for row in session.execute(stmt)}


def partner_figures(
    session: Session,
    period: Period,
    partner_ids: list[int] | None,
    now: datetime,
    pending: list[PendingWait] | None = None,
) -> list[PartnerFigures]:
    """Per receiving partner: counts, target share and handover-time spreads."""
    partners = session.scalars(sa.select(Partner).order_by(Partner.name))
    figures = {p.id: PartnerFigures(p) for p in partners if not partner_ids or p.id in partner_ids}
    status = Handover.status
    target = Partner.target_minutes * 60
    counts = (
        sa.select(
            Handover.to_partner_id,
            sa.func.count(),
            sa.func.sum(sa.case((status == OfferStatus.ACCEPTED.value, 1), else_=0)),
            sa.func.sum(sa.case((status == OfferStatus.DECLINED.value, 1), else_=0)),
            sa.func.sum(sa.case((status == OfferStatus.WITHDRAWN.value, 1), else_=0)),
            sa.func.sum(sa.case((status == OfferStatus.PENDING.value, 1), else_=0)),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            status == OfferStatus.ACCEPTED.value,
                            Handover.wait_business_seconds <= target,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(Partner, Partner.id == Handover.to_partner_id)
        .where(*_offer_filter(period, partner_ids))
        .group_by(Handover.to_partner_id)
    )
    for pid, *numbers in session.execute(counts):
        fig = figures[pid]
        (
            fig.received,
            fig.accepted,
            fig.declined,
            fig.withdrawn,
            fig.pending,
            fig.within_target,
        ) = (int(n or 0) for n in numbers)
    if pending is None:
        pending = pending_waits(session, period, partner_ids, now)
    for wait in pending:
        if wait.work > figures[wait.partner_id].partner.target_minutes * 60:
            figures[wait.partner_id].pending_over_target += 1
    accepted = sa.and_(status == OfferStatus.ACCEPTED.value, *_offer_filter(period, partner_ids))
    base = sa.select(Handover.to_partner_id, Handover.wait_business_seconds).where(accepted)
    for (pid,), spread in spreads(session, base, [(p.partner_id, p.work) for p in pending]).items():
        figures[pid].business = spread
    base = sa.select(Handover.to_partner_id, Handover.wait_seconds).where(accepted)
    for (pid,), spread in spreads(session, base, [(p.partner_id, p.wall) for p in pending]).items():
        figures[pid].wall = spread
    return list(figures.values())


def weekly_spreads(
    session: Session,
    period: Period,
    partner_ids,
    now: datetime,
    pending: list[PendingWait] | None = None,
):
    """Median and p90 working-time waits per partner and week of offer (for the chart)."""
    accepted = sa.and_(
        Handover.status == OfferStatus.ACCEPTED.value, *_offer_filter(period, partner_ids)
    )
    base = sa.select(
        Handover.to_partner_id, Handover.offered_week, Handover.wait_business_seconds
    ).where(accepted)
    if pending is None:
        pending = pending_waits(session, period, partner_ids, now)
    rows = [(p.partner_id, p.week, p.work) for p in pending]
    return spreads(session, base, rows, group_cols=2)


def case_spreads(session: Session, period: Period) -> dict[str, Spread]:
    """Intake → first acceptance (cases recorded in the period) and acceptance → first
    contact (first contacts in the period), in working and wall-clock time."""
    created = in_period(Case.created_at, period)
    contacted = in_period(Case.first_contact_at, period)
    result = {}
    for name, column, where in (
        ("intake_business", Case.first_accept_business_seconds, created),
        ("intake_wall", Case.first_accept_seconds, created),
        ("contact_business", Case.contact_business_seconds, contacted),
        ("contact_wall", Case.contact_seconds, contacted),
    ):
        stmt = sa.select(sa.literal(1), column).where(where, column.is_not(None))
        result[name] = spreads(session, stmt, []).get((1,), Spread())
    return result


def declines_by_reason(session: Session, period: Period, partner_ids) -> list[tuple]:
    """(partner id, reason, count) of declined offers made in the period.

    Counted by the day of the offer, like every other offer figure, so that the
    reasons add up to the partner's declines and the drill-down lists them all.
    """
    stmt = (
        sa.select(Handover.to_partner_id, Handover.decline_reason, sa.func.count())
        .where(
            Handover.status == OfferStatus.DECLINED.value, in_period(Handover.offered_at, period)
        )
        .group_by(Handover.to_partner_id, Handover.decline_reason)
        .order_by(Handover.to_partner_id, sa.func.count().desc())
    )
    if partner_ids:
        stmt = stmt.where(Handover.to_partner_id.in_(partner_ids))
    return list(session.execute(stmt))


def referral_counts(session: Session, period: Period, partner_ids) -> list[tuple]:
    """(partner id, status, count) of referrals made in the period."""
    stmt = (
        sa.select(Referral.to_partner_id, Referral.status, sa.func.count())
        .where(in_period(Referral.referred_at, period))
        .group_by(Referral.to_partner_id, Referral.status)
    )
    if partner_ids:
        stmt = stmt.where(Referral.to_partner_id.in_(partner_ids))
    return list(session.execute(stmt))
