"""Subject access for admins, and the record of processing activities for admins and supervisors."""

import json

from flask import Blueprint, Response, abort, current_app, g, render_template, request

from zentrum.database import read_only
from zentrum.domain.clock import local_date
from zentrum.domain.vocab import AuditAction, Role
from zentrum.extensions import db
from zentrum.models.base import utcnow
from zentrum.records import build_record
from zentrum.services.audit import record, record_search
from zentrum.services.subject_access import find_persons
from zentrum.subject_access import json_default, subject_export
from zentrum.web.access import roles_required
from zentrum.web.privacy.forms import PersonSearchForm

bp = Blueprint("privacy", __name__)


@bp.get("/admin/auskunft")
@roles_required(Role.ADMIN)
def subject_access():
    """Find the person who asks for access: by name, however spelt, and birth date."""
    form = PersonSearchForm(formdata=request.args if request.args else None)
    matches, status = None, 200
    if request.args:
        if form.validate():
            matches = find_persons(db.session, form.name.data, form.birth_date.data)
            # Like the case search: the cases it showed, never what was typed.
            record_search(db.session, [i for match in matches for i in match.case_ids])
            db.session.commit()
        else:
            status = 422
    g.no_store = True
    return render_template("privacy/search.html", form=form, matches=matches), status


def _export(person_id: int, kind: str) -> dict:
    """Everything about the person, with the export recorded in the audit log (committed)."""
    export = subject_export(db.session, person_id)
    if export is None:
        abort(404)
    record(db.session, AuditAction.SUBJECT_ACCESS, person_id=person_id, details={"format": kind})
    db.session.commit()
    g.no_store = True
    return export


@bp.get("/admin/auskunft/<int:person_id>")
@roles_required(Role.ADMIN)
def subject_page(person_id: int):
    """A readable (and printable) page of everything stored about the person."""
    return render_template(
        "privacy/subject.html", export=_export(person_id, "html"), person_id=person_id
    )


@bp.get("/admin/auskunft/<int:person_id>.json")
@roles_required(Role.ADMIN)
def subject_json(person_id: int):
    """The same as a JSON download."""
    export = _export(person_id, "json")
    body = json.dumps(export, default=json_default, ensure_ascii=False, indent=2)
    filename = f"auskunft-{person_id}-{local_date(utcnow()):%Y-%m-%d}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/verarbeitungsverzeichnis")
@read_only
@roles_required(Role.ADMIN, Role.SUPERVISOR)
def records():
    """The record of processing activities, generated from configuration and database."""
    sections = build_record(db.session, current_app.config)
    return render_template("privacy/records.html", sections=sections, generated_at=utcnow())
