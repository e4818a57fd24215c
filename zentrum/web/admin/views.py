"""Admin views: the routing rules, their editor and a probe that tries them out."""

from collections.abc import Iterable

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from zentrum.domain.routing import suggest
from zentrum.domain.vocab import Role
from zentrum.extensions import db
from zentrum.labels import topic_label
from zentrum.models import Partner, RoutingRule, Topic
from zentrum.models.base import utcnow
from zentrum.services.errors import InvalidReference
from zentrum.services.routing import rule_of
from zentrum.services.rules import (
    InvalidRule,
    RuleData,
    create_rule,
    set_rule_enabled,
    update_rule,
)
from zentrum.web.access import roles_required
from zentrum.web.admin.describe import conditions
from zentrum.web.admin.forms import ProbeForm, RuleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Which form field shows a refusal of the service about a field of RuleData.
_FIELD_OF = {"partner_id": "partner_id", "topic_ids": "topics"}


def _all_rules() -> list[RoutingRule]:
    """Every rule with partner and topics (two statements), in the engine's order.

    Higher priority first; at equal priority the more specific rule, then the
    older one, as ``zentrum.domain.routing.suggest`` ranks them.
    """
    stmt = sa.select(RoutingRule).options(selectinload(RoutingRule.topics))
    rows = list(db.session.scalars(stmt))
    rank = {row.id: rule_of(row) for row in rows}
    return sorted(rows, key=lambda r: (-r.priority, -rank[r.id].specificity, r.id))


def _topic_choices(keep: Iterable[Topic] = ()) -> list[SelectChoice]:
    """Active topics, and inactive ones the rule already has (marked)."""
    kept = {t.id for t in keep}
    stmt = (
        sa.select(Topic)
        .where(sa.or_(Topic.active, Topic.id.in_(kept)))
        .order_by(Topic.sort_order, Topic.id)
    )
    return [
        SelectChoice(
            t.id,
            topic_label(t.label)
            if t.active
            else _("%(name)s (inaktiv)", name=topic_label(t.label)),
        )
        for t in db.session.scalars(stmt)
    ]


def _partner_choices(keep: int | None = None) -> list[SelectChoice]:
    """Active partners, and the rule's own partner even when inactive (marked)."""
    stmt = (
        sa.select(Partner).where(sa.or_(Partner.active, Partner.id == keep)).order_by(Partner.name)
    )
    return [SelectChoice("", _("– bitte wählen –"))] + [
        SelectChoice(p.id, p.name if p.active else _("%(name)s (inaktiv)", name=p.name))
        for p in db.session.scalars(stmt)
    ]


def _probe(rows: list[RoutingRule]):
    """The probe form from the query string, its ranked result (None: not asked) and status."""
    form = ProbeForm(formdata=request.args, prefix="probe")
    form.topics.choices = _topic_choices()
    if not any(key.startswith("probe-") for key in request.args):
        return form, None, 200
    if not form.validate():
        return form, None, 422
    partners = {row.partner_id: row.partner for row in rows}
    ranked = suggest([rule_of(row) for row in rows], form.to_routing_input())
    return form, [(s, partners[s.partner_id]) for s in ranked], 200


@bp.get("/regeln")
@roles_required(Role.ADMIN)
def rules():
    """The routing rules, highest priority first, with the probe."""
    rows = _all_rules()
    probe, results, status = _probe(rows)
    listed = [(row, conditions(row)) for row in rows]
    return render_template("admin/rules.html", rows=listed, probe=probe, results=results), status


def _rule_form(rule: RoutingRule | None) -> RuleForm:
    """The rule form with today's choices; on GET filled from the stored rule."""
    data = None
    if rule is not None and request.method == "GET":
        data = {
            "partner_id": rule.partner_id,
            "reason": rule.reason,
            "priority": rule.priority,
            "topics": [t.id for t in rule.topics],
            "min_age": rule.min_age,
            "max_age": rule.max_age,
            "urgencies": [v for v in rule.urgencies.split(",") if v],
            "districts": [v for v in rule.districts.split(",") if v],
            "enabled": rule.enabled,
        }
    form = RuleForm(data=data)
    form.partner_id.choices = _partner_choices(rule.partner_id if rule else None)
    form.topics.choices = _topic_choices(rule.topics if rule else [])
    return form


def _save(rule: RoutingRule | None, data: RuleData) -> RoutingRule:
    """Create or update through the service; the one commit of the request."""
    now = utcnow()
    if rule is None:
        rule = create_rule(db.session, current_user, now, data)
    else:
        update_rule(db.session, current_user, now, rule, data)
    db.session.commit()
    return rule


def _edit(rule: RoutingRule | None):
    """Show the rule form; on POST check it, store it and go back to the list."""
    form = _rule_form(rule)
    if request.method == "GET":
        return render_template("admin/rule_form.html", form=form, rule=rule)
    if not form.validate():
        return render_template("admin/rule_form.html", form=form, rule=rule), 422
    try:
        saved = _save(rule, form.to_rule_data())
    except (InvalidReference, InvalidRule) as error:
        db.session.rollback()
        field = getattr(form, _FIELD_OF.get(error.field, error.field), form.partner_id)
        field.errors.append(_("Diese Auswahl oder Angabe ist nicht (mehr) möglich."))
        return render_template("admin/rule_form.html", form=form, rule=rule), 422
    flash(_("Die Regel „%(reason)s“ wurde gespeichert.", reason=saved.reason), "success")
    return redirect(url_for("admin.rules", _anchor=f"regel-{saved.id}"))


@bp.route("/regeln/neu", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_rule():
    """Create a routing rule."""
    return _edit(None)


@bp.route("/regeln/<int:rule_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_rule(rule_id: int):
    """Change a routing rule."""
    return _edit(db.session.get(RoutingRule, rule_id) or abort(404))


def _switch(rule_id: int, enabled: bool):
    rule = db.session.get(RoutingRule, rule_id) or abort(404)
    set_rule_enabled(db.session, current_user, utcnow(), rule, enabled)
    db.session.commit()
    if enabled:
        flash(_("Die Regel „%(reason)s“ ist jetzt aktiv.", reason=rule.reason), "success")
    else:
        flash(_("Die Regel „%(reason)s“ ist jetzt deaktiviert.", reason=rule.reason), "success")
    return redirect(url_for("admin.rules", _anchor=f"regel-{rule.id}"))


@bp.post("/regeln/<int:rule_id>/aktivieren")
@roles_required(Role.ADMIN)
def enable_rule(rule_id: int):
    """Switch a rule on."""
    return _switch(rule_id, True)


@bp.post("/regeln/<int:rule_id>/deaktivieren")
@roles_required(Role.ADMIN)
def disable_rule(rule_id: int):
    """Switch a rule off (rules are disabled, never deleted)."""
    return _switch(rule_id, False)


from zentrum.web.admin import partners as _partner_routes  # noqa: E402, F401 - routes on bp
from zentrum.web.admin import users as _user_routes  # noqa: E402, F401 - routes on bp
