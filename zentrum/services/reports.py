"""Handover-time figures for supervisors, aggregated in SQL on SQLite and PostgreSQL alike.

Waiting times of answered offers are stored facts (``Handover.wait_*``); offers
still pending keep counting until ``now``, so they join every figure with their
current waiting time. Percentiles use the nearest-rank definition: the p-th
percentile of n values is the value at rank ceil(p·n/100).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from zentrum.domain.buckets import bucket_bounds, bucket_of
from zentrum.domain.vocab import OfferStatus
from zentrum.models import Handover, Partner
from zentrum.models.handover import PENDING_OFFER
from zentrum.services.percentiles import Lookup, Spread, histogram_spreads
from zentrum.services.periods import Period
from zentrum.services.report_cube import CASE_WAITS, PeriodFigures, period_figures
from zentrum.services.timing import mondays, wall_seconds, week_of, working_seconds_until


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


def in_ranges(column, ranges: list[tuple[datetime, datetime]]):
    """SQL condition: a timestamp inside one of the (start, end) ranges."""
    return sa.or_(sa.false(), *(sa.and_(column >= start, column < end) for start, end in ranges))


class not_indexed(FunctionElement):  # noqa: N801 - used like a SQL function
    """A column the database is not to look rows up by (SQLite: the unary ``+``)."""

    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(not_indexed)
def _plain(element, compiler, **kw):
    return compiler.process(*element.clauses, **kw)


@compiles(not_indexed, "sqlite")
def _unary_plus(element, compiler, **kw):
    return "+" + compiler.process(*element.clauses, **kw)


def weeks_of(ranges: list[tuple[datetime, datetime]]) -> list[date]:
    """The weeks (Mondays, Wuppertal time) that the UTC ranges touch."""
    weeks: set[date] = set()
    for start, end in ranges:
        if start < end:
            weeks.update(mondays(week_of(start), week_of(end - timedelta(microseconds=1))))
    return sorted(weeks)


def in_weeks_of(ranges: list[tuple[datetime, datetime]]) -> list:
    """SQL conditions: an offer made in the ranges, found through the weeks they touch.

    A percentile reads one bucket's waits in order; by partner and waiting time alone that
    walked the bucket's rows of every year kept. By partner, week and waiting time it
    reads the period's weeks (``offered_week`` is always the week of ``offered_at``).
    SQLite without statistics (a deployment never runs ANALYZE) would rather walk the
    partner's offers of the period by ``offered_at``: the moment only filters there.
    """
    return [
        Handover.offered_week.in_(weeks_of(ranges)),
        in_ranges(not_indexed(Handover.offered_at), ranges),
    ]


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
    ).where(PENDING_OFFER, *_offer_filter(period, partner_ids))
    # Through the session's connection: the ORM's result rows cost more than the work.
    rows = session.connection().execute(stmt).all()
    worked = working_seconds_until([at for _pid, _oid, at, _week in rows], now)
    return [
        PendingWait(pid, oid, at, week, wall_seconds(at, now), work)
        for (pid, oid, at, week), work in zip(rows, worked, strict=True)
    ]


def pending_in(pending: list[PendingWait], period: Period) -> list[PendingWait]:
    """The pending offers that were made in the period."""
    return [p for p in pending if period.start <= p.offered_at < period.end]


def _offer_lookup(column, ranges, partner_ids, by_week: bool = False):
    """The accepted offers of a group (partner, or None: all chosen; and week) made in the
    ranges: those the kept sums count."""
    accepted = Handover.status == OfferStatus.ACCEPTED.value
    in_period_weeks = in_weeks_of(ranges)

    def lookup(group):
        where = [accepted, *in_period_weeks]
        partner = group[0]
        where.append(
            Handover.to_partner_id == partner
            if partner is not None
            else Handover.to_partner_id.in_(partner_ids)
        )
        if by_week:
            where.append(Handover.offered_week == group[1])
        return Lookup(column, where)

    return lookup


def _partner_ids(session: Session, partner_ids) -> list[int]:
    return list(partner_ids) if partner_ids else list(session.scalars(sa.select(Partner.id)))


def partner_figures(
    session: Session,
    period: Period,
    partner_ids: list[int] | None,
    now: datetime,
    pending: list[PendingWait] | None = None,
    figures: PeriodFigures | None = None,
) -> list[PartnerFigures]:
    """Per receiving partner: counts, target share and handover-time spreads."""
    if figures is None:
        figures = period_figures(session, period, partner_ids)
    if pending is None:
        pending = pending_waits(session, period, partner_ids, now)
    partners = session.scalars(sa.select(Partner).order_by(Partner.name))
    result = {p.id: PartnerFigures(p) for p in partners if not partner_ids or p.id in partner_ids}
    for (pid, status), n in figures.counts["offer"].items():
        if pid not in result:
            continue
        fig = result[pid]
        fig.received += n
        if status in _STATUS_FIELDS:
            setattr(fig, _STATUS_FIELDS[status], getattr(fig, _STATUS_FIELDS[status]) + n)
    for wait in pending:
        if (
            wait.partner_id in result
            and wait.work > result[wait.partner_id].partner.target_minutes * 60
        ):
            result[wait.partner_id].pending_over_target += 1
    for pid, count in _within_target(session, result, figures).items():
        result[pid].within_target = count
    groups, known, lookups = {}, {}, {}
    for metric, column in (
        ("work", Handover.wait_business_seconds),
        ("wall", Handover.wait_seconds),
    ):
        lookups[metric] = _offer_lookup(column, figures.kept_ranges, partner_ids)
        for (pid,), ranked in figures.stored(metric, "partner").items():
            groups[(metric, pid)] = ranked
        for (pid,), values in figures.known(metric, "partner").items():
            known[(metric, pid)] = list(values)
        for wait in pending:
            known.setdefault((metric, wait.partner_id), []).append(getattr(wait, metric))
    spreads = histogram_spreads(
        session,
        groups,
        known,
        lambda group: lookups[group[0]](group[1:]),
        keep=figures.stretches("partner"),
    )
    for (metric, pid), spread in spreads.items():
        if pid in result:
            setattr(result[pid], "business" if metric == "work" else "wall", spread)
    return list(result.values())


_STATUS_FIELDS = {
    OfferStatus.ACCEPTED.value: "accepted",
    OfferStatus.DECLINED.value: "declined",
    OfferStatus.WITHDRAWN.value: "withdrawn",
    OfferStatus.PENDING.value: "pending",
}


def _within_target(session, result, figures: PeriodFigures) -> dict[int, int]:
    """Accepted offers within each partner's target: whole buckets from the histograms,
    the bucket the target falls into counted from its values – those the request read
    itself in hand, the kept rows' count read once while they stay unchanged."""
    counts, boundary = {}, []
    work = figures.histograms("work", "partner")
    stored = figures.stored("work", "partner")
    known = figures.known("work", "partner")
    kept = figures.stretches("within_target")
    for pid, fig in result.items():
        target = fig.partner.target_minutes * 60
        last = bucket_of(target)  # every earlier bucket ends before the target
        low, high = bucket_bounds(last)
        parts = work.get((pid,), [])
        counts[pid] = sum(part.through(last - 1) for part in parts)
        if high - 1 <= target:
            counts[pid] += sum(part.through(last) for part in parts) - counts[pid]
            continue
        counts[pid] += sum(low <= value <= target for value in known.get((pid,), ()))
        ranked = stored.get((pid,))
        if ranked is not None and ranked.through(last) > ranked.through(last - 1):
            if (pid, low, target) not in kept:
                boundary.append((pid, low, target))
    if boundary:
        in_period_weeks = in_weeks_of(figures.kept_ranges)
        parts = [
            sa.select(sa.literal(pid).label("p"), sa.func.count().label("n")).where(
                Handover.to_partner_id == pid,
                Handover.status == OfferStatus.ACCEPTED.value,
                *in_period_weeks,
                Handover.wait_business_seconds >= low,
                Handover.wait_business_seconds <= target,
            )
            for pid, low, target in boundary
        ]
        stmt = sa.union_all(*parts) if len(parts) > 1 else parts[0]
        found = {pid: n for pid, n in session.execute(stmt)}
        kept.update({key: int(found.get(key[0], 0)) for key in boundary})
    for (pid, _low, target), n in list(kept.items()):
        if pid in result and target == result[pid].partner.target_minutes * 60:
            counts[pid] += n
    return counts


def overall_spreads(
    session: Session,
    period: Period,
    partner_ids,
    pending: list[PendingWait],
    figures: PeriodFigures,
) -> tuple[Spread, Spread]:
    """One spread over all chosen partners, in working and in wall-clock time."""
    chosen = _partner_ids(session, partner_ids)
    groups, known, lookups = {}, {}, {}
    for metric, column in (
        ("work", Handover.wait_business_seconds),
        ("wall", Handover.wait_seconds),
    ):
        lookups[metric] = _offer_lookup(column, figures.kept_ranges, chosen)
        # The figures hold the chosen partners only (read and counted for them).
        groups[(metric,)] = figures.stored(metric, "all").get((), [])
        known[(metric,)] = [
            *figures.known(metric, "all").get((), []),
            *(getattr(w, metric) for w in pending if w.partner_id in chosen),
        ]
    spreads = histogram_spreads(
        session,
        groups,
        known,
        lambda g: lookups[g[0]]((None,)),
        keep=figures.stretches("all"),
    )
    return spreads.get(("work",), Spread()), spreads.get(("wall",), Spread())


def weekly_spreads(
    session: Session,
    period: Period,
    partner_ids,
    now: datetime,
    pending: list[PendingWait] | None = None,
    figures: PeriodFigures | None = None,
):
    """Median and p90 working-time waits per partner and week of offer (for the chart; the
    maximum is left out, None, where a week is ranked here rather than stored)."""
    if figures is None:
        figures = period_figures(session, period, partner_ids)
    if pending is None:
        pending = pending_waits(session, period, partner_ids, now)

    def chosen(partner_id):
        return not partner_ids or partner_id in partner_ids

    waiting = {}
    for wait in pending:
        waiting.setdefault((wait.partner_id, wait.week), []).append(wait.work)
    known = {
        key: list(values)
        for key, values in figures.known("work", "stored").items()
        if key[1] is not None and chosen(key[0])
    }
    groups = {
        key: parts
        for key, parts in figures.stored("work", "stored").items()
        if key[1] is not None and chosen(key[0])
    }
    result, mixed = {}, []
    for key, spread in figures.weekly.items():
        if chosen(key[0]):
            if key in waiting:
                mixed.append(key)
            else:
                result[key] = spread
    for key, waits in waiting.items():
        known.setdefault(key, []).extend(waits)
    # Offers of a completed week still waiting: rank them with the week's stored waits.
    groups.update({key: figures.ranked_week(key) for key in mixed})
    lookup = _offer_lookup(
        Handover.wait_business_seconds, figures.kept_ranges, partner_ids, by_week=True
    )
    # The chart and its table show median and p90: no maximum to read.
    keep = figures.week_stretches()
    result.update(histogram_spreads(session, groups, known, lookup, with_maximum=False, keep=keep))
    return result


# The case figures by name, and the metric they rank (``report_cube.CASE_WAITS``).
_CASE_METRICS = {
    "intake_business": "intake_work",
    "intake_wall": "intake_wall",
    "contact_business": "contact_work",
    "contact_wall": "contact_wall",
}


def case_spreads(
    session: Session, period: Period, figures: PeriodFigures | None = None
) -> dict[str, Spread]:
    """Intake → first acceptance (cases recorded in the period) and acceptance → first
    contact (first contacts in the period), in working and wall-clock time."""
    if figures is None:
        figures = period_figures(session, period)
    groups, known, lookups = {}, {}, {}
    for name, metric in _CASE_METRICS.items():
        column, moment = CASE_WAITS[metric]
        groups[(name,)] = figures.stored(metric, "stored").get((0, None), [])
        known[(name,)] = figures.known(metric, "stored").get((0, None), [])
        where = [in_ranges(moment, figures.kept_ranges), column.is_not(None)]
        lookups[name] = Lookup(column, where)
    spreads = histogram_spreads(
        session, groups, known, lambda group: lookups[group[0]], keep=figures.stretches("cases")
    )
    return {name: spreads.get((name,), Spread()) for name in _CASE_METRICS}


def declines_by_reason(
    session: Session, period: Period, partner_ids, figures: PeriodFigures | None = None
) -> list[tuple]:
    """(partner id, reason, count) of declined offers made in the period.

    Counted by the day of the offer, like every other offer figure, so that the
    reasons add up to the partner's declines and the drill-down lists them all.
    """
    if figures is None:
        figures = period_figures(session, period, partner_ids)
    rows = [
        (pid, reason or None, n)
        for (pid, reason), n in figures.counts["decline"].items()
        if n and (not partner_ids or pid in partner_ids)
    ]
    return sorted(rows, key=lambda row: (row[0], -row[2], row[1] or ""))


def referral_counts(
    session: Session, period: Period, partner_ids, figures: PeriodFigures | None = None
) -> list[tuple]:
    """(partner id, status, count) of referrals made in the period."""
    if figures is None:
        figures = period_figures(session, period, partner_ids)
    return [
        (pid, status, n)
        for (pid, status), n in sorted(figures.counts["referral"].items())
        if n and (not partner_ids or pid in partner_ids)
    ]
