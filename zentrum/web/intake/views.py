"""Front desk views: the start page and the intake form."""

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from zentrum.domain.clock import local_date
from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import Role
from zentrum.extensions import db
from zentrum.labels import topic_label
from zentrum.models import Person
from zentrum.models.base import utcnow
from zentrum.services.cases import count_today, recent_cases
from zentrum.services.consents import revoked_but_held
from zentrum.services.errors import InvalidReference
from zentrum.services.intake import find_matching_persons, latest_references, save_intake
from zentrum.services.partners import active_partners
from zentrum.services.topics import active_topics
from zentrum.web.access import roles_required
from zentrum.web.cases.messages import refusal_message
from zentrum.web.intake.forms import MAX_MEMBERS, IntakeForm, MemberForm
from zentrum.web.validators import as_id

bp = Blueprint("intake", __name__)

_FIELD_FOR_REFERENCE = {
    "topics": "topics",
    "consents": "consents",
    "existing_person_id": "person_choice",
}


@bp.get("/")
def start():
    """Today's and recent enquiries, newest first, paged by index."""
    before = request.args.get("vor", type=as_id)
    rows, next_cursor = recent_cases(
        db.session, current_user, before_id=before, limit=current_app.config["PAGE_SIZE"]
    )
    now = utcnow()
    return render_template(
        "intake/start.html",
        rows=rows,
        next_cursor=next_cursor,
        paged=before is not None,
        today_count=count_today(db.session, current_user, now),
        revoked=revoked_but_held(db.session) if current_user.role == Role.SUPERVISOR else [],
    )


def _build_form() -> IntakeForm:
    """The intake form with today's topics and partners as choices."""
    form = IntakeForm(today=local_date(utcnow()))
    topics = active_topics(db.session)
    form.topics.choices = [SelectChoice(t.id, topic_label(t.label)) for t in topics]
    partners = active_partners(db.session)
    form.consents.choices = [SelectChoice(p.id, p.name) for p in partners]
    # Held for the request: the session keeps only rows someone refers to, and the
    # intake service finds the chosen ones there instead of asking the database again.
    g.intake_choices = (topics, partners)
    return form


def _person_choice(form: IntakeForm) -> int | None | str:
    """The front desk's answer to "is this a known person?": an id, None (new), or '' (unasked).

    The field is a radio button group; anything else than "new" or a number was
    not sent by our form, so it is refused as tampering.
    """
    raw = form.person_choice.data or ""
    if raw in ("", "new"):
        return None if raw == "new" else ""
    person_id = as_id(raw)
    if person_id is None:
        abort(400)
    return person_id


def _offer_matches(form: IntakeForm, matches: list[Person]) -> None:
    """Ask whether the enquiry belongs to a person already known."""
    form.person_choice.choices = [SelectChoice(str(p.id)) for p in matches] + [
        SelectChoice("new", _("Nein, neue Person anlegen"))
    ]


def _render(form: IntakeForm, status: int = 200, matches=()):
    # A blank member row for the script to copy; "__i__" becomes the row's index.
    template_row = MemberForm(formdata=None, prefix="members-__i__-")
    return render_template(
        "intake/new.html",
        form=form,
        matches=matches,
        max_members=MAX_MEMBERS,
        member_template=template_row,
    ), status


@bp.get("/anliegen/personen")
@roles_required(Role.FRONTDESK, Role.ADMIN)
def persons():
    """Known persons with this name and birth date, for the hint while the intake is typed.

    Only what the hint shows: name, birth date and the reference of the newest case.
    """
    g.no_store = True
    first = request.args.get("vorname", "").strip()[:100]
    last = request.args.get("nachname", "").strip()[:100]
    try:
        born = date.fromisoformat(request.args.get("geburtsdatum", ""))
    except ValueError:
        born = None
    if not (first and last and born):
        return jsonify(persons=[])
    matches = find_matching_persons(db.session, first, last, born)
    references = latest_references(db.session, [p.id for p in matches])
    return jsonify(
        persons=[
            {
                "name": p.full_name,
                "birth_date": format_date(p.birth_date, "dd.MM.yyyy"),
                "reference": references.get(p.id),
            }
            for p in matches
        ]
    )


@bp.route("/anliegen/neu", methods=["GET", "POST"])
@roles_required(Role.FRONTDESK)
def new():
    """Record a new enquiry."""
    form = _build_form()
    if request.method == "GET":
        return _render(form)
    if form.add_member.data:
        if len(form.members.entries) < MAX_MEMBERS:
            form.members.append_entry()
        return _render(form)
    choice = _person_choice(form)
    if not form.validate():
        return _render(form, 422)
    matches = find_matching_persons(
        db.session, form.first_name.data, form.last_name.data, form.birth_date.data
    )
    if matches and choice == "":
        _offer_matches(form, matches)
        return _render(form, 200, matches)
    try:
        case_id, reference = save_intake(
            db.session, current_user, utcnow(), form.to_intake_data(choice or None)
        )
    except TransitionError as error:
        # A consent rule the form could not check (the birth date decides who gives it).
        db.session.rollback()
        form.consent_given_by.errors.append(refusal_message(error))
        return _render(form, 422, matches)
    except InvalidReference as error:
        db.session.rollback()
        getattr(form, _FIELD_FOR_REFERENCE[error.field]).errors.append(
            _("Diese Auswahl gibt es nicht (mehr). Bitte erneut wählen.")
        )
        if matches:
            _offer_matches(form, matches)
        return _render(form, 422, matches)
    db.session.commit()
    flash(_("Anliegen %(ref)s wurde gespeichert.", ref=reference), "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="weiterleiten"))
