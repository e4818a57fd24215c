"""The supervisors' dashboard: every figure for a period and a choice of partners."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.models import Case, Handover, Partner, Topic
from zentrum.services.open_cases import open_by_age
from zentrum.services.periods import Period
from zentrum.services.report_cube import PeriodFigures, period_figures
from zentrum.services.reports import (
    PartnerFigures,
    PendingWait,
    Spread,
    case_spreads,
    declines_by_reason,
    overall_spreads,
    partner_figures,
    pending_in,
    pending_waits,
    referral_counts,
    weekly_spreads,
)

# Waiting offers by the share of their target already used.
TARGET_BUCKETS = ("under_half", "half_to_80", "80_to_100", "over")
# The longest-waiting offers listed (with their cases); the chart counts them all.
WAITING_SHOWN = 30


@dataclass
class WaitingOffer:
    """An offer nobody has answered yet."""

    handover_id: int
    case_id: int
    reference: str
    partner_id: int
    offered_at: datetime
    wall_seconds: int
    business_seconds: int
    target_share: float


@dataclass
class Dashboard:
    """All figures of the dashboard."""

    period: Period
    partner_ids: list[int]
    now: datetime
    partners: list[PartnerFigures]
    overall: Spread
    overall_wall: Spread
    weekly: dict
    cases: dict[str, Spread]
    declines: list[tuple]
    referrals: list[tuple]
    open_by_age: list[tuple[str, int]]
    by_topic: list[tuple[str, int]]
    by_district: list[tuple[str | None, int]]
    # The most overdue waiting offers (up to WAITING_SHOWN); all of them counted by share.
    waiting: list[WaitingOffer] = field(default_factory=list)
    waiting_count: int = 0
    waiting_by_share: list[tuple[str, int]] = field(default_factory=list)


def _by_topic(session: Session, figures: PeriodFigures) -> list[tuple[str, int]]:
    topics = session.execute(sa.select(Topic.id, Topic.label, Topic.sort_order)).all()
    counts = {key: n for (_p, key), n in figures.counts["topic"].items() if n}
    rows = [(label, order, counts[str(tid)]) for tid, label, order in topics if str(tid) in counts]
    rows.sort(key=lambda row: (-row[2], row[1]))
    return [(label, n) for label, _order, n in rows]


def _by_district(figures: PeriodFigures) -> list[tuple[str | None, int]]:
    rows = [(key or None, n) for (_p, key), n in figures.counts["district"].items() if n]
    return sorted(rows, key=lambda row: (-row[1], row[0] or ""))


def waiting_offers(
    session: Session, rows: list[PendingWait], shown: int
) -> tuple[list[WaitingOffer], list[tuple[str, int]]]:
    """The ``shown`` most overdue of the given waiting offers with their cases and target
    shares, and all of them counted by the share of their target used."""
    targets = dict(session.execute(sa.select(Partner.id, Partner.target_minutes)).all())
    ranked = sorted(
        ((row.work / (targets[row.partner_id] * 60), row) for row in rows),
        key=lambda pair: (-pair[0], pair[1].offered_at, pair[1].offer_id),
    )
    counts = dict.fromkeys(TARGET_BUCKETS, 0)
    for share, _row in ranked:
        counts[share_bucket(share)] += 1
    top = ranked[:shown]
    info = {}
    if top:
        stmt = (
            sa.select(Handover.id, Case.id, Case.reference)
            .join(Case, Case.id == Handover.case_id)
            .where(Handover.id.in_([row.offer_id for _share, row in top]))
        )
        info = {oid: (cid, ref) for oid, cid, ref in session.execute(stmt)}
    offers = [
        WaitingOffer(
            r.offer_id, *info[r.offer_id], r.partner_id, r.offered_at, r.wall, r.work, share
        )
        for share, r in top
    ]
    return offers, list(counts.items())


def share_bucket(share: float) -> str:
    """Which part of its target an offer has used: under half, to 80 %, to 100 %, or over."""
    if share > 1.0:
        return "over"
    if share >= 0.8:
        return "80_to_100"
    return "half_to_80" if share >= 0.5 else "under_half"


def build_dashboard(
    session: Session, period: Period, partner_ids: list[int] | None, now: datetime
) -> Dashboard:
    """Every figure of the dashboard, in a fixed number of queries."""
    waiting_now = pending_waits(session, None, partner_ids, now)
    pending = pending_in(waiting_now, period)
    figures = period_figures(session, period, partner_ids)
    overall, overall_wall = overall_spreads(session, period, partner_ids, pending, figures)
    waiting, by_share = waiting_offers(session, waiting_now, WAITING_SHOWN)
    return Dashboard(
        period=period,
        partner_ids=list(partner_ids or []),
        now=now,
        partners=partner_figures(session, period, partner_ids, now, pending, figures),
        overall=overall,
        overall_wall=overall_wall,
        weekly=weekly_spreads(session, period, partner_ids, now, pending, figures),
        cases=case_spreads(session, period, figures),
        declines=declines_by_reason(session, period, partner_ids, figures),
        referrals=referral_counts(session, period, partner_ids, figures),
        open_by_age=open_by_age(session, now),
        by_topic=_by_topic(session, figures),
        by_district=_by_district(figures),
        waiting=waiting,
        waiting_count=len(waiting_now),
        waiting_by_share=by_share,
    )
