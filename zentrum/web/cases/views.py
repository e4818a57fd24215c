"""Case page and search views."""

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user

from zentrum.extensions import db
from zentrum.services.cases import get_visible_case, search_cases
from zentrum.web.cases.page import render_case

bp = Blueprint("cases", __name__, url_prefix="/faelle")


@bp.get("/<int:case_id>")
def show(case_id: int):
    """The case: persons, topics, urgency, consents and history."""
    case = get_visible_case(db.session, current_user, case_id)
    if case is None:
        abort(404)
    g.no_store = True
    return render_case(case, current_user)


@bp.get("/suche")
def search():
    """Find cases by reference or by a person's name."""
    query = request.args.get("q", "")[:200]
    rows = search_cases(db.session, current_user, query) if query.strip() else []
    g.no_store = True
    return render_template("cases/search.html", query=query, rows=rows)
