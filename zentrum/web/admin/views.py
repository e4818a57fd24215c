"""Admin views: routing rules."""

from flask import Blueprint, render_template

from zentrum.domain.vocab import Role
from zentrum.web.access import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/regeln")
@roles_required(Role.ADMIN)
def rules():
    """The routing rules (placeholder until the rules editor lands)."""
    return render_template("admin/rules.html")
