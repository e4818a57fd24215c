"""Downloads for supervisors: the dashboard's figures and the handovers behind them.

The same query parameters as the dashboard and the drill-down, read by their
own form (``zentrum.web.reports.forms``): ``zeitraum`` (week, 4weeks, quarter,
custom with ``von``/``bis``), ``partner`` (repeatable ids) and, for handovers,
``status``, ``ziel`` (1/0) and ``grund``. A value they refuse is answered
with 400 and a German message.
"""

import sqlalchemy as sa
from flask import Blueprint, Response, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from zentrum.domain.vocab import AuditAction, Role
from zentrum.extensions import db
from zentrum.models import Partner
from zentrum.models.base import utcnow
from zentrum.services.audit import record
from zentrum.services.dashboard import build_dashboard
from zentrum.services.drilldown import DrillFilter, all_handovers
from zentrum.services.exports import (
    figures_csv,
    figures_xlsx,
    handovers_csv,
    handovers_xlsx,
    topics_by_case,
)
from zentrum.services.periods import Period
from zentrum.web.access import roles_required
from zentrum.web.formhelpers import error_items
from zentrum.web.reports.forms import BadFilter, PeriodForm, drill_query

bp = Blueprint("exports", __name__, url_prefix="/leitung/export")

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class BadQuery(Exception):
    """A query parameter the export cannot use; the message is for the user."""


@bp.errorhandler(BadQuery)
def bad_query(error: BadQuery):
    """400 with the German reason."""
    g.no_store = True
    page = render_template(
        "errors/error.html", status=400, title=_("Ungültige Anfrage"), message=str(error)
    )
    return page, 400


def period_form() -> PeriodForm:
    """The dashboard's period form from the query string, checked; BadQuery when it is not."""
    form = PeriodForm(formdata=request.args or None)
    partners = db.session.execute(sa.select(Partner.id, Partner.name).order_by(Partner.name))
    form.partner.choices = [SelectChoice(pid, name) for pid, name in partners]
    if not form.validate():
        raise BadQuery(" ".join(f"{label}: {message}" for _id, label, message in error_items(form)))
    return form


# What a refused drill-down parameter means, in German.
_BAD_FILTER = {
    "status": _l("Status: Diesen Status gibt es nicht."),
    "ziel": _l("Zielzeit: „ziel“ muss 1 oder 0 sein."),
    "grund": _l("Ablehnungsgrund: Diesen Grund gibt es nicht."),
}


def drill_filter(now) -> DrillFilter:
    """The drill-down's filter from the query string; BadQuery when a value names nothing."""
    form = period_form()
    try:
        return drill_query(form, request.args, now).filter
    except BadFilter as error:
        raise BadQuery(str(_BAD_FILTER.get(str(error), _("Ungültiger Filter.")))) from None


def _download(data: bytes, what: str, period: Period, extension: str) -> Response:
    """The file as an attachment named after its period, never cached."""
    g.no_store = True
    name = f"zentrum-{what}-{period.first.isoformat()}-bis-{period.last.isoformat()}.{extension}"
    response = Response(data, mimetype=MIMETYPES[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _record_export(what: str, extension: str, period: Period, partners, rows=None) -> None:
    """The export in the audit log (what, which period and partners, how many rows)."""
    details = {
        "what": what,
        "format": extension,
        "period": [period.first.isoformat(), period.last.isoformat()],
        "partner_ids": sorted(partners or []),
    }
    if rows is not None:
        details["rows"] = rows
    record(db.session, AuditAction.EXPORT, details=details)
    db.session.commit()


def _figures(extension: str, write) -> Response:
    now = utcnow()
    form = period_form()
    dashboard = build_dashboard(db.session, form.period(now), form.partner_ids(), now)
    data = write(dashboard)
    _record_export("kennzahlen", extension, dashboard.period, form.partner_ids())
    return _download(data, "kennzahlen", dashboard.period, extension)


def _handovers(extension: str, write) -> Response:
    now = utcnow()
    f = drill_filter(now)
    rows = list(all_handovers(db.session, f, now))
    topics = topics_by_case(db.session, (row.case_id for row in rows))
    data = write(rows, topics)
    _record_export("uebergaben", extension, f.period, f.partner_ids, len(rows))
    return _download(data, "uebergaben", f.period, extension)


@bp.get("/kennzahlen.csv")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def figures_as_csv():
    """The figures as CSV for German Excel."""
    return _figures("csv", figures_csv)


@bp.get("/kennzahlen.xlsx")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def figures_as_xlsx():
    """The figures as an Excel workbook."""
    return _figures("xlsx", figures_xlsx)


@bp.get("/uebergaben.csv")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def handovers_as_csv():
    """The handovers behind a figure as CSV for German Excel."""
    return _handovers("csv", handovers_csv)


@bp.get("/uebergaben.xlsx")
@roles_required(Role.SUPERVISOR, Role.ADMIN)
def handovers_as_xlsx():
    """The handovers behind a figure as an Excel workbook."""
    return _handovers("xlsx", handovers_xlsx)
