"""Case page and search views."""

from flask import Blueprint, g, render_template, request
from flask_login import current_user

from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.services.audit import record_search
from zentrum.services.cases import SEARCH_LIMIT, search_cases
from zentrum.web.auditing import commit_entry, visible_case_or_404
from zentrum.web.cases.page import render_case

bp = Blueprint("cases", __name__, url_prefix="/faelle")


@bp.get("/<int:case_id>")
def show(case_id: int):
    """The case: persons, topics, urgency, consents and history."""
    case = visible_case_or_404(case_id)
    page = render_case(case, current_user, everything=request.args.get("alle") == "1")
    # Recorded and committed after rendering (committing expires the rows the page reads);
    # if the entry fails, the page is not shown.
    commit_entry(AuditAction.CASE_VIEW, case_id=case_id)
    return page


@bp.get("/suche")
def search():
    """Find cases by reference or by a person's name."""
    query = request.args.get("q", "")[:200]
    # One more than is shown: whether the list is cut (then the newest are shown).
    found = search_cases(db.session, current_user, query, limit=SEARCH_LIMIT + 1)
    rows, more = found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT
    g.no_store = True
    page = render_template("cases/search.html", query=query, rows=rows, more=more)
    if query.strip():
        # What was typed may be a name: the log keeps only the cases shown.
        record_search(db.session, [row.case.id for row in rows])
        db.session.commit()
    return page
