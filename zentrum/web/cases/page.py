"""Everything the case page shows and offers, for one viewer."""

import sqlalchemy as sa
from flask import g, render_template
from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from zentrum.domain.lifecycle import acts_for_holder
from zentrum.domain.vocab import CaseStatus, Role
from zentrum.extensions import db
from zentrum.models import Case, User
from zentrum.models.base import utcnow
from zentrum.services.cases import case_consents
from zentrum.services.consents import case_bases, revoked_holder_flag, standing_from_rows
from zentrum.services.lifecycle import (
    actor_of,
    open_referrals,
    pending_offer,
    state_of,
)
from zentrum.services.notes import is_youth_office, newest_case_history, newest_case_notes
from zentrum.services.partners import active_partners
from zentrum.services.routing import suggestions_for
from zentrum.services.statements import prepared
from zentrum.web.cases import consent_forms as cf
from zentrum.web.cases import forms as f
from zentrum.web.formatting import local_datetime_text


def _colleagues(case: Case) -> list[User]:
    stmt = prepared(
        "colleagues",
        lambda: (
            sa.select(User)
            .where(
                User.partner_id == sa.bindparam("partner_id"),
                User.role == Role.ADVISOR,
                User.active,
            )
            .order_by(User.display_name)
        ),
    )
    return list(db.session.scalars(stmt, {"partner_id": case.holder_partner_id}))


def _partner_choices(partners, standings, exclude, case: Case, gettext):
    """Partners to choose, each marked when data may go there only on a legal basis, or not."""
    options = []
    for partner in partners:
        if partner.id in exclude:
            continue
        label = partner.name
        standing = standings[partner.id]
        crisis = case.urgency == "crisis" and partner.child_protection
        if standing.granted:
            pass
        elif standing.approved_basis is not None:
            label = gettext(
                "%(partner)s – ohne Einwilligung: Rechtsgrundlage freigegeben", partner=label
            )
        elif crisis:
            label = gettext("%(partner)s – Krise: ohne Einwilligung (Kinderschutz)", partner=label)
        elif standing.revoked:
            label = gettext("%(partner)s – Einwilligung widerrufen", partner=label)
        else:
            label = gettext("%(partner)s – keine Einwilligung", partner=label)
        options.append(SelectChoice(partner.id, label))
    return options


# Who records consents, and who may ask for a legal basis instead (the case page links to
# their pages; the pages and the revocation refuse everyone else).
RECORDERS = (Role.FRONTDESK, Role.ADVISOR)
BASIS_REQUESTERS = (Role.FRONTDESK, Role.ADVISOR, Role.SUPERVISOR)

# The case page shows the newest entries (what a colleague reads first); "alle" shows
# the whole history and every note.
HISTORY_PAGE = 25
NOTES_PAGE = 10


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
        "decide": cf.DecideForm(formdata=None, prefix="decide"),
    }
    forms.update(posted)
    if "note" not in posted and ctx["youth_office"]:
        forms["note"].internal.data = True  # § 65 SGB VIII: internal unless shared on purpose
    partners = ctx["partners"]
    person = case.young_person
    standings = {
        p.id: standing_from_rows(person.id if person else None, p.id, ctx["consents"], ctx["bases"])
        for p in partners
    }
    holder = {case.holder_partner_id} if case.holder_partner_id else set()
    forms["offer"].partner.choices = _partner_choices(partners, standings, holder, case, gettext)
    referred = {r.to_partner_id for r in ctx["referrals"]}
    forms["refer"].partner.choices = _partner_choices(
        partners, standings, holder | referred, case, gettext
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
                date=local_datetime_text(n.created_at),
                who=n.author.display_name,
            ),
        )
        for n in ctx["notes"]
    ]
    if ctx["suggestions"] and not forms["offer"].partner.data:
        forms["offer"].partner.data = ctx["suggestions"][0][1].id
    return forms


def page_context(case: Case, viewer: User, *, everything: bool = False) -> dict:
    """The rows and permissions behind the case page (a fixed number of queries).

    Only the newest ``HISTORY_PAGE`` history entries and ``NOTES_PAGE`` notes unless
    ``everything``: a case worked on for years stays quick to open.
    """
    now = utcnow()
    offer = pending_offer(db.session, case)
    referrals = open_referrals(db.session, case)
    can_act = acts_for_holder(actor_of(viewer), state_of(case, offer, referrals))
    is_open = case.status != CaseStatus.CLOSED
    ctx = {
        "case": case,
        "now": now,
        "can_act": can_act,
        "offer": offer,
        "referrals": referrals,
        "partners": active_partners(db.session),
        "colleagues": _colleagues(case) if can_act and case.holder_partner_id else [],
        "suggestions": suggestions_for(db.session, case, now)
        if can_act and is_open and offer is None
        else [],
        "consents": case_consents(db.session, case),
        "bases": case_bases(db.session, case),
        "may_record_consent": viewer.role in RECORDERS,
        "may_request_basis": viewer.role in BASIS_REQUESTERS,
        "youth_office": is_youth_office(db.session, viewer),
        "may_write_notes": viewer.role != Role.SUPERVISOR,
        "is_recipient": offer is not None
        and viewer.role == Role.ADVISOR
        and viewer.partner_id == offer.to_partner_id,
    }
    ctx["revoked_holder"] = revoked_holder_flag(case, ctx["consents"], ctx["bases"])
    ctx["notes"], ctx["notes_total"] = newest_case_notes(
        db.session, viewer, case, None if everything else NOTES_PAGE
    )
    ctx["events"], ctx["events_total"] = newest_case_history(
        db.session, viewer, case, None if everything else HISTORY_PAGE
    )
    ctx["shown_note_ids"] = {note.id for note in ctx["notes"]}
    return ctx


def render_case(
    case: Case,
    viewer: User,
    *,
    posted: dict | None = None,
    status: int = 200,
    problem: str | None = None,
    everything: bool = False,
):
    """Render the case page, with a posted form (and its errors) or a refused action."""
    g.no_store = True
    ctx = page_context(case, viewer, everything=everything)
    ctx["forms"] = build_forms(case, ctx, posted or {})
    ctx["problem"] = problem
    return render_template("cases/show.html", **ctx), status
