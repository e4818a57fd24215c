"""The case page's actions: each parses its form, calls one service, commits once."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.routing import Suggestion
from zentrum.domain.vocab import DeclineReason, Outcome
from zentrum.extensions import db
from zentrum.models import Partner, User
from zentrum.models.base import utcnow
from zentrum.notifications import notify_partner
from zentrum.services import case_actions, handover, notes, referrals
from zentrum.services.partners import active_partners
from zentrum.services.routing import suggestions_for
from zentrum.web.auditing import visible_case_or_404
from zentrum.web.cases import forms as f
from zentrum.web.cases.messages import refusal_message
from zentrum.web.cases.page import render_case
from zentrum.web.cases.views import bp
from zentrum.web.validators import as_id

# Refusals that concern one field of the posted form.
FIELD_OF_REFUSAL = {
    "override_needs_reason": "override_reason",
    "decline_needs_comment": "comment",
    "outcome_needs_comment": "comment",
    "reopen_needs_reason": "reason",
    "note_empty": "body",
    "note_too_long": "body",
    "note_gone": "addendum_to",
    "not_colleague": "user",
    "no_consent": "partner",
    "partner_inactive": "partner",
    "referral_exists": "partner",
    "offer_to_self": "partner",
    "refer_to_self": "partner",
    "consent_revoked": "partner",
    "categories_missing": "categories",
    "purpose_missing": "purpose",
    "guardian_names_missing": "guardian_names",
    "guardian_names_too_long": "guardian_names",
    "consent_by_unknown": "given_by",
    "consent_by_young_person": "given_by",
    "consent_by_guardians": "given_by",
    "consent_date_future": "given_on",
    "consent_date_before_birth": "given_on",
    "basis_unknown": "basis",
    "justification_too_short": "justification",
    "basis_pending": "partner",
    "refusal_needs_reason": "note",
    "note_needs_basis": "internal",
}


def _case(case_id: int):
    return visible_case_or_404(case_id)


def _run(case, form_name: str, form, action, success: str, anchor: str = "", page=None):
    """Validate, act, commit; errors re-render the page (422 for input, 409 for refusals).

    ``page(case, form, status, problem)`` renders a form that has its own page; the
    others are panels of the case page.
    """
    if page is None:

        def page(case, form, status, problem=None):
            posted = {form_name: form} if form is not None else {}
            return render_case(case, current_user, posted=posted, status=status, problem=problem)

    # Kept aside: after the commit (or a rollback) reading case.id would load the row
    # again in a new transaction – on SQLite taking the write lock once more.
    case_id = case.id
    if form is not None and not form.validate_on_submit():
        return page(case, form, 422)
    try:
        action()
        db.session.commit()
    except TransitionError as error:
        db.session.rollback()
        case = _case(case_id)
        field = FIELD_OF_REFUSAL.get(error.code)
        if form is not None and field and hasattr(form, field):
            # A rule about the input: say it beside the field.
            getattr(form, field).errors.append(refusal_message(error))
            return page(case, form, 422)
        return page(case, form, 409, refusal_message(error))
    except StaleDataError:
        db.session.rollback()
        return render_case(
            _case(case_id),
            current_user,
            status=409,
            problem=refusal_message(TransitionError("stale")),
        )
    flash(success, "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor=anchor or None))


def _confirmed():
    """A button-only form: refuse a missing or wrong CSRF token like any other form."""
    form = f.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    return form


def _button(case_id: int, act, success: str):
    """An action behind a plain button: check the CSRF token, act on the case, commit."""
    case = _case(case_id)
    _confirmed()
    return _run(case, "confirm", None, lambda: act(case), success)


def _partner_choices() -> list[SelectChoice]:
    """Every active partner; the rules decide later whether it may receive the case."""
    return [SelectChoice(p.id, p.name) for p in active_partners(db.session)]


def _active_partner(partner_id) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None or not partner.active:
        abort(400)
    return partner


@bp.post("/<int:case_id>/anbieten")
def offer(case_id: int):
    """Offer the case to a partner: first routing or handover to another partner."""
    case = _case(case_id)
    form = f.OfferForm(prefix="offer")
    form.partner.choices = _partner_choices()
    now = utcnow()

    def act():
        partner = _active_partner(form.partner.data)
        ranked = suggestions_for(db.session, case, now)
        suggestion: Suggestion | None = ranked[0][0] if ranked else None
        made = handover.offer_case(
            db.session,
            current_user,
            now,
            case,
            partner,
            note=form.note.data or "",
            suggestion=suggestion,
            override_reason=form.override_reason.data,
        )
        return made, partner

    def act_and_notify():
        _made, partner = act()
        db.session.commit()
        notify_partner(partner, case, "offer")

    return _run(case, "offer", form, act_and_notify, _("Die Übergabe wurde angeboten."), "verlauf")


@bp.post("/<int:case_id>/angebote/<int:offer_id>/annehmen")
def accept(case_id: int, offer_id: int):
    """Accept the open offer: the case is now this advisor's."""
    return _button(
        case_id,
        lambda case: handover.accept_offer(db.session, current_user, utcnow(), case, offer_id),
        _("Sie haben den Fall übernommen."),
    )


@bp.post("/<int:case_id>/angebote/<int:offer_id>/ablehnen")
def decline(case_id: int, offer_id: int):
    """Decline the open offer with a reason."""
    case = _case(case_id)
    form = f.DeclineForm(prefix="decline")
    return _run(
        case,
        "decline",
        form,
        lambda: handover.decline_offer(
            db.session,
            current_user,
            utcnow(),
            case,
            offer_id,
            DeclineReason(form.reason.data),
            form.comment.data or "",
        ),
        _("Das Angebot wurde abgelehnt."),
    )


@bp.post("/<int:case_id>/angebote/<int:offer_id>/zurueckziehen")
def withdraw(case_id: int, offer_id: int):
    """Take the open offer back."""
    return _button(
        case_id,
        lambda case: handover.withdraw_offer(db.session, current_user, utcnow(), case, offer_id),
        _("Das Angebot wurde zurückgezogen."),
    )


@bp.post("/<int:case_id>/hinzuziehen")
def refer(case_id: int):
    """Involve another partner in parallel."""
    case = _case(case_id)
    form = f.ReferForm(prefix="refer")
    form.partner.choices = _partner_choices()

    def act():
        partner = _active_partner(form.partner.data)
        referrals.refer_case(
            db.session, current_user, utcnow(), case, partner, form.note.data or ""
        )
        db.session.commit()
        notify_partner(partner, case, "referral")

    return _run(case, "refer", form, act, _("Die Partnerorganisation wurde hinzugezogen."))


@bp.post("/<int:case_id>/hinzuziehungen/<int:referral_id>/annehmen")
def accept_referral(case_id: int, referral_id: int):
    """The referred partner takes part."""
    return _button(
        case_id,
        lambda case: referrals.answer_referral(
            db.session, current_user, utcnow(), case, referral_id, accept=True
        ),
        _("Ihre Organisation ist jetzt beteiligt."),
    )


@bp.post("/<int:case_id>/hinzuziehungen/<int:referral_id>/ablehnen")
def decline_referral(case_id: int, referral_id: int):
    """The referred partner declines with a reason."""
    case = _case(case_id)
    form = f.DeclineForm(prefix="decline")
    return _run(
        case,
        "decline",
        form,
        lambda: referrals.answer_referral(
            db.session,
            current_user,
            utcnow(),
            case,
            referral_id,
            accept=False,
            reason=DeclineReason(form.reason.data),
            comment=form.comment.data or "",
        ),
        _("Die Hinzuziehung wurde abgelehnt."),
    )


@bp.post("/<int:case_id>/hinzuziehungen/<int:referral_id>/beenden")
def end_referral(case_id: int, referral_id: int):
    """End an active referral or withdraw a pending one."""
    return _button(
        case_id,
        lambda case: referrals.end_referral(db.session, current_user, utcnow(), case, referral_id),
        _("Die Hinzuziehung wurde beendet."),
    )


@bp.post("/<int:case_id>/zuweisen")
def reassign(case_id: int):
    """Make a colleague responsible."""
    case = _case(case_id)
    form = f.ReassignForm(prefix="reassign")

    def act():
        user_id = as_id(form.user.data)
        user = db.session.get(User, user_id) if user_id else None
        if user is None:
            raise TransitionError("not_colleague")
        case_actions.reassign_case(db.session, current_user, utcnow(), case, user)

    return _run(case, "reassign", form, act, _("Die Zuständigkeit wurde geändert."))


@bp.post("/<int:case_id>/erstkontakt")
def first_contact(case_id: int):
    """Record the first contact with the young person."""
    return _button(
        case_id,
        lambda case: case_actions.record_first_contact(db.session, current_user, utcnow(), case),
        _("Der Erstkontakt wurde erfasst."),
    )


@bp.post("/<int:case_id>/abschliessen")
def close(case_id: int):
    """Close the case with an outcome."""
    case = _case(case_id)
    form = f.CloseForm(prefix="close")
    return _run(
        case,
        "close",
        form,
        lambda: case_actions.close_case(
            db.session,
            current_user,
            utcnow(),
            case,
            Outcome(form.outcome.data),
            form.comment.data or "",
        ),
        _("Der Fall wurde abgeschlossen."),
    )


@bp.post("/<int:case_id>/wiedereroeffnen")
def reopen(case_id: int):
    """Reopen a closed case."""
    case = _case(case_id)
    form = f.ReopenForm(prefix="reopen")
    return _run(
        case,
        "reopen",
        form,
        lambda: case_actions.reopen_case(
            db.session, current_user, utcnow(), case, form.reason.data
        ),
        _("Der Fall wurde wieder geöffnet."),
    )


@bp.post("/<int:case_id>/notizen")
def add_note(case_id: int):
    """Write a case note (or an addendum to an earlier one)."""
    case = _case(case_id)
    form = f.NoteForm(prefix="note")
    return _run(
        case,
        "note",
        form,
        lambda: notes.add_note(
            db.session,
            current_user,
            utcnow(),
            case,
            form.body.data,
            internal=bool(form.internal.data),
            addendum_to=as_id(form.addendum_to.data),
        ),
        _("Die Notiz wurde gespeichert."),
        "notizen",
    )
