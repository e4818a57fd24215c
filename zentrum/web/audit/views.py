"""The audit log (Protokoll): search it, and every access to one case or person.

Supervisors and admins only; every search and every access view is itself recorded.
There is no route that changes or deletes entries.
"""

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext as _

from zentrum.domain.vocab import AuditAction, Role
from zentrum.extensions import db
from zentrum.models import Case, Person
from zentrum.services.audit import record
from zentrum.services.audit_search import (
    AuditFilter,
    AuditPage,
    case_by_reference,
    search_entries,
)
from zentrum.web.access import roles_required
from zentrum.web.audit.forms import AuditSearchForm, action_label
from zentrum.web.validators import as_id

bp = Blueprint("audit", __name__, url_prefix="/protokoll")

LEADERSHIP = (Role.SUPERVISOR, Role.ADMIN)


def _before() -> int | None:
    """The page cursor: show entries older than this one."""
    return as_id(request.args.get("vor", ""))  # beyond the id column: ignored, not a 500


def _page(f: AuditFilter, **recorded) -> AuditPage:
    """A page of entries; the look itself is recorded in the same transaction."""
    page = search_entries(db.session, f, _before())
    record(db.session, AuditAction.AUDIT_SEARCH, **recorded)
    return page


def _render(template: str, page: AuditPage, args: dict, status: int = 200, **context):
    g.no_store = True
    args = {k: v for k, v in args.items() if k != "vor"}
    next_url = (
        url_for(request.endpoint, **(request.view_args or {}), **args, vor=page.next_before)
        if page.next_before
        else None
    )
    first_url = url_for(request.endpoint, **(request.view_args or {}), **args)
    html = render_template(
        template,
        page=page,
        next_url=next_url,
        first_url=first_url if _before() else None,
        action_label=action_label,
        **context,
    )
    db.session.commit()
    return html, status


def _searched(form: AuditSearchForm, case_id: int | None) -> dict:
    """The search as it goes into the log: the filters, none of them free text but the user."""
    details = {
        "username": form.benutzer.data or None,
        "action": form.aktion.data or None,
        "from": form.von.data.isoformat() if form.von.data else None,
        "to": form.bis.data.isoformat() if form.bis.data else None,
    }
    return {
        "case_id": case_id,
        "person_id": form.person.data,
        "details": {k: v for k, v in details.items() if v} or None,
    }


@bp.get("/")
@roles_required(*LEADERSHIP)
def log():
    """Search the log by user, action, case, person and days; newest first."""
    form = AuditSearchForm(formdata=request.args or None)
    args = request.args.to_dict()
    if not form.validate():
        return _render("audit/log.html", AuditPage(), args, 422, form=form)
    case_id = None
    text = (form.fall.data or "").strip()
    if text.isdigit():
        case_id = int(text) if len(text) < 10 else 0
    elif text:
        case = case_by_reference(db.session, text)
        if case is None:
            form.fall.errors.append(_("Einen Fall mit diesem Aktenzeichen gibt es nicht."))
            return _render("audit/log.html", AuditPage(), args, 422, form=form)
        case_id = case.id
    page = _page(form.to_filter(case_id), **_searched(form, case_id))
    return _render("audit/log.html", page, args, form=form)


@bp.get("/fall/<int:case_id>")
@roles_required(*LEADERSHIP)
def case_access(case_id: int):
    """Wer hat diesen Fall gesehen? Every access to the case, newest first."""
    case = db.session.get(Case, case_id)
    page = _page(AuditFilter(case_id=case_id), case_id=case_id, details={"view": "case"})
    args = request.args.to_dict()
    return _render("audit/access.html", page, args, kind="case", case=case, subject_id=case_id)


@bp.get("/person/<int:person_id>")
@roles_required(*LEADERSHIP)
def person_access(person_id: int):
    """Every access to the person: to them directly and to each of their cases."""
    person = db.session.get(Person, person_id)
    page = _page(AuditFilter(person_id=person_id), person_id=person_id, details={"view": "person"})
    args = request.args.to_dict()
    return _render(
        "audit/access.html", page, args, kind="person", person=person, subject_id=person_id
    )
