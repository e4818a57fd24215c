"""Everything the case page shows and offers, for one viewer."""

import sqlalchemy as sa
from flask import g, render_template
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from zentrum.domain.lifecycle import acts_for_holder
from zentrum.domain.vocab import CaseStatus, Role
from zentrum.extensions import db
from zentrum.models import Case, Consent, Partner, User
from zentrum.models.base import utcnow
from zentrum.services.cases import case_consents, case_history
from zentrum.services.lifecycle import (
    actor_of,
    case_state,
    open_referrals,
    pending_offer,
    young_person_id,
)
from zentrum.services.notes import case_notes
from zentrum.services.routing import suggestions_for
from zentrum.web.cases import forms as f
from zentrum.web.formatting import format_moment


def _partners() -> list[Partner]:
    return list(db.session.scalars(sa.select(Partner).where(Partner.active).order_by(Partner.name)))


def _consented_partner_ids(case: Case) -> set[int]:
    person_id = young_person_id(db.session, case)
    stmt = sa.select(Consent.partner_id).where(
        Consent.person_id == person_id, Consent.revoked_at.is_(None)
    )
    return set(db.session.scalars(stmt))


def _colleagues(case: Case) -> list[User]:
    stmt = (
        sa.select(User)
        .where(User.partner_id == case.holder_partner_id, User.role == Role.ADVISOR, User.active)
        .order_by(User.display_name)
    )
    return list(db.session.scalars(stmt))


def _partner_choices(partners, consented, exclude, case: Case, gettext):
    """Partners to choose, each marked when the person gave no consent for it."""
    options = []
    for partner in partners:
        if partner.id in exclude:
            continue
        label = partner.name
        if partner.id not in consented:
            crisis = case.urgency == "crisis" and partner.child_protection
            label += (
                gettext(" – Krise: ohne Einwilligung (Kinderschutz)")
                if crisis
                else gettext(" – keine Einwilligung")
            )
        options.append(SelectChoice(partner.id, label))
    return options


def _visible_events(events, viewer: User):
    """The history without entries for internal notes of other organisations."""
    return [
        e
        for e in events
        if not (
            e.kind == "note"
            and (e.details or {}).get("internal")
            and e.partner_id != viewer.partner_id
        )
    ]


def build_forms(case: Case, ctx: dict, posted: dict) -> dict:
    """Blank forms for the panels the viewer may use; a posted form replaces its blank."""
    forms = {
        "offer": f.OfferForm(formdata=None, prefix="offer"),
        "decline": f.DeclineForm(formdata=None, prefix="decline"),
        "refer": f.ReferForm(formdata=None, prefix="refer"),
        "reassign": f.ReassignForm(formdata=None, prefix="reassign"),
        "close": f.CloseForm(formdata=None, prefix="close"),
        "reopen": f.ReopenForm(formdata=None, prefix="reopen"),
        "note": f.NoteForm(formdata=None, prefix="note"),
        "confirm": f.ConfirmForm(formdata=None),
    }
    forms.update(posted)
    partners, consented = ctx["partners"], ctx["consented"]
    holder = {case.holder_partner_id} if case.holder_partner_id else set()
    forms["offer"].partner.choices = _partner_choices(partners, consented, holder, case, gettext)
    referred = {r.to_partner_id for r in ctx["referrals"]}
    forms["refer"].partner.choices = _partner_choices(
        partners, consented, holder | referred, case, gettext
    )
    forms["reassign"].user.choices = [
        SelectChoice(u.id, u.display_name)
        for u in ctx["colleagues"]
        if u.id != case.responsible_user_id
    ]
    forms["note"].addendum_to.choices = [SelectChoice("", gettext("– keine, neue Notiz –"))] + [
        SelectChoice(
            str(n.id),
            gettext(
                "Ergänzung zur Notiz vom %(date)s (%(who)s)",
                date=format_moment(n.created_at),
                who=n.author.display_name,
            ),
        )
        for n in ctx["notes"]
    ]
    if ctx["suggestions"] and not forms["offer"].partner.data:
        forms["offer"].partner.data = ctx["suggestions"][0][1].id
    return forms


def page_context(case: Case, viewer: User) -> dict:
    """The rows and permissions behind the case page (a fixed number of queries)."""
    now = utcnow()
    state = case_state(db.session, case)
    can_act = acts_for_holder(actor_of(viewer), state)
    is_open = case.status != CaseStatus.CLOSED
    offer = pending_offer(db.session, case)
    ctx = {
        "case": case,
        "now": now,
        "can_act": can_act,
        "offer": offer,
        "referrals": open_referrals(db.session, case),
        "partners": _partners(),
        "consented": _consented_partner_ids(case),
        "colleagues": _colleagues(case) if can_act and case.holder_partner_id else [],
        "suggestions": suggestions_for(db.session, case, now)
        if can_act and is_open and offer is None
        else [],
        "events": _visible_events(case_history(db.session, case), viewer),
        "consents": case_consents(db.session, case),
        "notes": case_notes(db.session, viewer, case),
        "may_write_notes": viewer.role != Role.SUPERVISOR,
        "is_recipient": offer is not None
        and viewer.role == Role.ADVISOR
        and viewer.partner_id == offer.to_partner_id,
    }
    return ctx


def render_case(
    case: Case,
    viewer: User,
    *,
    posted: dict | None = None,
    status: int = 200,
    problem: str | None = None,
):
    """Render the case page, with a posted form (and its errors) or a refused action."""
    g.no_store = True
    ctx = page_context(case, viewer)
    ctx["forms"] = build_forms(case, ctx, posted or {})
    ctx["problem"] = problem
    return render_template("cases/show.html", **ctx), status
