"""A partner's queue (Eingang): open offers and referrals waiting for it, oldest first."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.vocab import MemberRole, OfferStatus, ReferralStatus
from zentrum.models import Case, CaseMember, Handover, Person, Referral, Topic, case_topics


@dataclass(frozen=True)
class QueueFilter:
    """Optional filters of the queue."""

    topic_id: int | None = None
    urgency: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class QueueCase:
    """What the queue shows of a case."""

    id: int
    reference: str
    urgency: str
    topics: list[Topic]


@dataclass(frozen=True)
class QueuePerson:
    """What the queue shows of the young person."""

    first_name: str
    last_name: str
    district: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class QueueItem:
    """One offer or referral waiting for the partner."""

    kind: str  # "offer" or "referral"
    item_id: int
    since: datetime
    from_partner_id: int | None
    case: QueueCase
    person: QueuePerson

    @property
    def cursor(self) -> str:
        return f"{self.kind}-{self.item_id}"


def _items(partner_id: int) -> sa.Subquery:
    """Pending offers and referrals to the partner, as one table."""
    offers = sa.select(
        sa.literal("offer").label("kind"),
        Handover.id.label("item_id"),
        Handover.case_id.label("case_id"),
        Handover.offered_at.label("since"),
        Handover.from_partner_id.label("from_partner_id"),
    ).where(Handover.to_partner_id == partner_id, Handover.status == OfferStatus.PENDING.value)
    referrals = sa.select(
        sa.literal("referral"),
        Referral.id,
        Referral.case_id,
        Referral.referred_at,
        Referral.from_partner_id,
    ).where(Referral.to_partner_id == partner_id, Referral.status == ReferralStatus.PENDING.value)
    return sa.union_all(offers, referrals).subquery("queue")


def _anchor(session: Session, cursor: str) -> tuple[str, datetime, int] | None:
    """(kind, since, id) of the item a page continues after."""
    kind, _sep, raw_id = cursor.partition("-")
    if kind not in ("offer", "referral") or not raw_id.isdigit():
        return None
    model, column = (
        (Handover, Handover.offered_at) if kind == "offer" else (Referral, Referral.referred_at)
    )
    since = session.scalar(sa.select(column).where(model.id == int(raw_id)))
    return (kind, since, int(raw_id)) if since else None


def partner_queue(
    session: Session,
    partner_id: int,
    filters: QueueFilter = QueueFilter(),
    *,
    after: str | None = None,
    limit: int = 25,
) -> tuple[list[QueueItem], str | None]:
    """A page of the partner's queue, oldest first, and the cursor of the next page.

    Only the columns the page shows are read, not whole cases and persons: a full page
    loaded through the ORM cost more than the rest of the page's queries together.
    """
    items = _items(partner_id)
    stmt = (
        sa.select(
            items.c.kind,
            items.c.item_id,
            items.c.since,
            items.c.from_partner_id,
            Case.id,
            Case.reference,
            Case.urgency,
            Person.first_name,
            Person.last_name,
            Person.district,
        )
        .join(Case, Case.id == items.c.case_id)
        .join(
            CaseMember,
            sa.and_(
                CaseMember.case_id == Case.id, CaseMember.role == MemberRole.YOUNG_PERSON.value
            ),
        )
        .join(Person, Person.id == CaseMember.person_id)
        .order_by(items.c.since, items.c.kind, items.c.item_id)
        .limit(limit + 1)
    )
    if filters.topic_id:
        stmt = stmt.where(
            Case.id.in_(
                sa.select(case_topics.c.case_id).where(case_topics.c.topic_id == filters.topic_id)
            )
        )
    if filters.urgency:
        stmt = stmt.where(Case.urgency == filters.urgency)
    if filters.district:
        stmt = stmt.where(Person.district == filters.district)
    anchor = _anchor(session, after) if after else None
    if anchor:
        kind, since, item_id = anchor
        stmt = stmt.where(
            sa.or_(
                items.c.since > since,
                sa.and_(
                    items.c.since == since,
                    sa.tuple_(items.c.kind, items.c.item_id)
                    > sa.tuple_(sa.literal(kind), sa.literal(item_id)),
                ),
            )
        )
    found = session.execute(stmt).all()
    more, found = len(found) > limit, found[:limit]
    topics = _topics(session, {row[4] for row in found})
    rows = [
        QueueItem(
            kind,
            item_id,
            since,
            from_partner,
            QueueCase(case_id, reference, urgency, topics.get(case_id, [])),
            QueuePerson(first, last, district),
        )
        for kind, item_id, since, from_partner, case_id, reference, urgency, first, last, district in found
    ]
    return rows, rows[-1].cursor if more else None


def _topics(session: Session, case_ids: set[int]) -> dict[int, list[Topic]]:
    """The topics of these cases, in the order a case lists them."""
    if not case_ids:
        return {}
    stmt = (
        sa.select(case_topics.c.case_id, Topic)
        .join(Topic, Topic.id == case_topics.c.topic_id)
        .where(case_topics.c.case_id.in_(case_ids))
        .order_by(case_topics.c.case_id, Topic.sort_order)
    )
    result: dict[int, list[Topic]] = {}
    for case_id, topic in session.execute(stmt):
        result.setdefault(case_id, []).append(topic)
    return result


def queue_count(session: Session, partner_id: int) -> int:
    """How many offers and referrals wait for the partner."""
    items = _items(partner_id)
    return session.scalar(sa.select(sa.func.count()).select_from(items)) or 0
