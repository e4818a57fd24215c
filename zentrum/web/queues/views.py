"""Eingang (partner queue) and Meine Fälle."""

from datetime import timedelta

from flask import Blueprint, current_app, g, render_template, request
from flask_login import current_user

from zentrum.domain.vocab import District, Role, Urgency
from zentrum.extensions import db
from zentrum.models import Partner
from zentrum.models.base import utcnow
from zentrum.services.cases import recent_cases
from zentrum.services.queues import QueueFilter, partner_queue
from zentrum.services.timing import working_seconds
from zentrum.services.topics import active_topics
from zentrum.web.access import roles_required
from zentrum.web.validators import as_id

bp = Blueprint("queues", __name__)


def _filters() -> QueueFilter:
    """Filters from the query string; unknown values are ignored."""
    urgency = request.args.get("dringlichkeit") or None
    district = request.args.get("bezirk") or None
    return QueueFilter(
        topic_id=request.args.get("thema", type=as_id),
        urgency=urgency if urgency in set(Urgency) else None,
        district=district if district in set(District) else None,
    )


@bp.get("/eingang")
@roles_required(Role.ADVISOR)
def inbox():
    """Offers and referrals waiting for the advisor's partner, oldest first."""
    partner = db.session.get(Partner, current_user.partner_id)
    filters = _filters()
    items, next_cursor = partner_queue(
        db.session,
        partner.id,
        filters,
        after=request.args.get("nach"),
        limit=current_app.config["PAGE_SIZE"],
    )
    now = utcnow()
    target = timedelta(minutes=partner.target_minutes)
    # The house's configured opening hours decide what counts as working time.
    rows = []
    for item in items:
        worked = timedelta(seconds=working_seconds(item.since, now))
        rows.append((item, now - item.since, worked, worked > target))
    topics = active_topics(db.session)
    g.no_store = True
    return render_template(
        "queues/inbox.html",
        partner=partner,
        rows=rows,
        next_cursor=next_cursor,
        filters=filters,
        topics=list(topics),
        urgencies=list(Urgency),
        districts=list(District),
        paged="nach" in request.args,
        target=target,
    )


@bp.get("/meine-faelle")
@roles_required(Role.ADVISOR)
def mine():
    """The open cases this advisor is responsible for, newest first."""
    before = request.args.get("vor", type=as_id)
    rows, next_cursor = recent_cases(
        db.session,
        current_user,
        before_id=before,
        limit=current_app.config["PAGE_SIZE"],
        responsible_only=True,
    )
    g.no_store = True
    return render_template(
        "queues/mine.html", rows=rows, next_cursor=next_cursor, paged=before is not None
    )
