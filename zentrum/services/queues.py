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


def _items(partner_id: int, first: int | None = None, anchor=None) -> sa.Subquery:
    """Pending offers and referrals to the partner after ``anchor`` (kind, since, id), as
    one table; with ``first``, only the first that many of each, in queue order.

    The first of each are all a page can show: a busy partner's queue holds a hundred
    offers or more, and without the limits the page joined every one of them to its case
    and person before it took 25.
    """
    branches = []
    for kind, model, since, pending in (
        ("offer", Handover, Handover.offered_at, OfferStatus.PENDING),
        ("referral", Referral, Referral.referred_at, ReferralStatus.PENDING),
    ):
        branch = sa.select(
            sa.literal(kind).label("kind"),
            model.id.label("item_id"),
            model.case_id.label("case_id"),
            since.label("since"),
            model.from_partner_id.label("from_partner_id"),
        ).where(model.to_partner_id == partner_id, model.status == pending.value)
        if anchor:
            branch = branch.where(_after(anchor, sa.literal(kind), since, model.id))
        if first is not None:
            inner = branch.order_by(since, model.id).limit(first).subquery()
            branch = sa.select(*inner.c)
        branches.append(branch)
    return sa.union_all(*branches).subquery("queue")


def _after(anchor, kind, since, item_id):
    """SQL condition: an item after the anchor (kind, since, id) in queue order."""
    anchor_kind, anchor_since, anchor_id = anchor
    return sa.or_(
        since > anchor_since,
        sa.and_(
            since == anchor_since,
            sa.tuple_(kind, item_id) > sa.tuple_(sa.literal(anchor_kind), sa.literal(anchor_id)),
        ),
    )


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
    anchor = _anchor(session, after) if after else None
    # Filters act on the case and person: without them the first of each kind suffice.
    filtered = filters.topic_id or filters.urgency or filters.district
    items = _items(partner_id, None if filtered else limit + 1, anchor)
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
