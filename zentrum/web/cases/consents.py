"""The case page's consent section: record and revoke consents, request and decide legal bases,
and the consent form to print for signature."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from zentrum.domain.clock import local_date
from zentrum.domain.consent import required_giver
from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import DataCategory
from zentrum.extensions import db
from zentrum.models import Consent, Partner
from zentrum.models.base import utcnow
from zentrum.services import consents
from zentrum.services.lifecycle import young_person_id
from zentrum.web.cases import consent_forms as cf
from zentrum.web.cases.actions import _active_partner, _case, _partner_choices, _run
from zentrum.web.cases.messages import refusal_message
from zentrum.web.cases.page import BASIS_REQUESTERS, RECORDERS
from zentrum.web.cases.printing import recorded_print
from zentrum.web.cases.views import bp
from zentrum.web.validators import as_id


def _own_page(template: str):
    """The renderer of a form that has a page of its own (recording a consent, asking for a
    legal basis: occasional tasks with long forms, reached from the case page)."""

    def page(case, form, status=200, problem=None):
        g.no_store = True
        return render_template(template, case=case, form=form, problem=problem), status

    return page


_consent_page = _own_page("cases/consent_new.html")
_basis_page = _own_page("cases/basis_new.html")


@bp.route("/<int:case_id>/einwilligungen", methods=["GET", "POST"])
def record_consent(case_id: int):
    """Record a consent for a partner (the page, and saving it)."""
    case = _case(case_id)
    form = cf.ConsentForm(prefix="consent")
    form.partner.choices = _partner_choices()
    if request.method == "GET":
        if current_user.role not in RECORDERS:
            abort(403)
        form.given_on.data = local_date(utcnow())
        person = case.young_person
        form.given_by.data = required_giver(
            person.birth_date if person else None, form.given_on.data
        )
        form.partner.data = as_id(request.args.get("partner", ""))
        return _consent_page(case, form)

    def act():
        data = consents.ConsentData(
            categories=list(form.categories.data or []),
            purpose=form.purpose.data or "",
            given_on=form.given_on.data,
            given_by=form.given_by.data,
            guardian_names=form.guardian_names.data or "",
        )
        partner = _active_partner(form.partner.data)
        consents.record_consent(db.session, current_user, utcnow(), case, partner, data)

    return _run(
        case,
        "consent",
        form,
        act,
        _("Die Einwilligung wurde erfasst."),
        "einwilligungen",
        page=_consent_page,
    )


def _consent_of(case, consent_id: int) -> Consent:
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.person_id != young_person_id(db.session, case):
        abort(404)
    return consent


@bp.route("/<int:case_id>/einwilligungen/<int:consent_id>/widerrufen", methods=["GET", "POST"])
def revoke_consent(case_id: int, consent_id: int):
    """Confirm and record a revocation: what it stops is said before it is done."""
    case = _case(case_id)
    consent = _consent_of(case, consent_id)
    if current_user.role not in RECORDERS:
        abort(403)
    g.no_store = True
    form = cf.RevokeForm()
    today = local_date(utcnow())
    if request.method == "GET":
        form.revoked_by.data = required_giver(case.young_person.birth_date, today)
    status, problem = 200, None
    if form.validate_on_submit():
        try:
            consents.revoke_consent(
                db.session,
                current_user,
                utcnow(),
                case,
                consent.id,
                form.revoked_by.data,
                form.note.data or "",
            )
            db.session.commit()
        except TransitionError as error:
            db.session.rollback()
            status, problem = 409, refusal_message(error)
            if error.code.startswith("revoke_by"):
                form.revoked_by.errors = [problem]
                status, problem = 422, None
        else:
            flash(_("Der Widerruf wurde erfasst."), "success")
            return redirect(url_for("cases.show", case_id=case.id, _anchor="einwilligungen"))
    elif request.method == "POST":
        status = 422
    consent = db.session.get(Consent, consent_id)
    return render_template(
        "cases/consent_revoke.html", case=case, consent=consent, form=form, problem=problem
    ), status


@bp.route("/<int:case_id>/rechtsgrundlagen", methods=["GET", "POST"])
def request_basis(case_id: int):
    """Ask for a legal basis to share the case with a partner without consent."""
    case = _case(case_id)
    form = cf.BasisForm(prefix="basis")
    form.partner.choices = _partner_choices()
    if request.method == "GET":
        if current_user.role not in BASIS_REQUESTERS:
            abort(403)
        form.partner.data = as_id(request.args.get("partner", ""))
        return _basis_page(case, form)

    def act():
        partner = _active_partner(form.partner.data)
        consents.request_basis(
            db.session,
            current_user,
            utcnow(),
            case,
            partner,
            form.basis.data,
            form.justification.data or "",
        )

    return _run(
        case,
        "basis",
        form,
        act,
        _("Die Rechtsgrundlage wurde beantragt; sie gilt, sobald die Leitung sie freigibt."),
        "einwilligungen",
        page=_basis_page,
    )


@bp.post("/<int:case_id>/rechtsgrundlagen/<int:basis_id>/entscheiden")
def decide_basis(case_id: int, basis_id: int):
    """A supervisor other than the requester approves or refuses a legal basis."""
    case = _case(case_id)
    form = cf.DecideForm(prefix="decide")
    approve = bool(form.approve.data)

    def act():
        consents.decide_basis(
            db.session,
            current_user,
            utcnow(),
            case,
            basis_id,
            approve=approve,
            note=form.note.data or "",
        )

    success = (
        _("Die Rechtsgrundlage wurde freigegeben.")
        if approve
        else _("Die Rechtsgrundlage wurde abgelehnt.")
    )
    return _run(case, "decide", form, act, success, "einwilligungen")


def _print_values(case, partner_id: int | None):
    """What the printed form says: a recorded consent, or a blank form for one partner."""
    if "einwilligung" in request.args:
        # Not type=int: a number beyond the id column must not reach the database.
        consent_id = as_id(request.args["einwilligung"])
        if consent_id is None:
            abort(404)
        consent = _consent_of(case, consent_id)
        return consent.partner, consent
    partner_id = partner_id or as_id(request.args.get("partner"))
    partner = db.session.get(Partner, partner_id) if partner_id else None
    if partner is None or not partner.active:
        abort(404)
    return partner, None


@bp.get("/<int:case_id>/einwilligung/druck")
@bp.get("/<int:case_id>/einwilligung/<int:partner_id>/druck")
def print_consent(case_id: int, partner_id: int | None = None):
    """The consent form for the person to sign (Schweigepflichtentbindung)."""
    case = _case(case_id)
    partner, consent = _print_values(case, partner_id)
    g.no_store = True
    today = local_date(utcnow())
    page = render_template(
        "cases/consent_print.html",
        case=case,
        person=case.young_person,
        partner=partner,
        consent=consent,
        categories=list(DataCategory),
        given_by=consent.given_by
        if consent
        else required_giver(case.young_person.birth_date, today),
        today=today,
    )
    return recorded_print(page, case_id, "print_consent")
