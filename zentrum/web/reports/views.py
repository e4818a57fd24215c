"""The supervisors' dashboard of handover times, and the handovers behind each figure."""

from datetime import date, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from zentrum.database import read_only
from zentrum.domain.vocab import DeclineReason, ReferralStatus, Role
from zentrum.extensions import db
from zentrum.models import Partner
from zentrum.models.base import utcnow
from zentrum.services.dashboard import Dashboard, build_dashboard
from zentrum.services.drilldown import handover_page
from zentrum.services.periods import Period
from zentrum.services.reports import PartnerFigures
from zentrum.services.timing import house_hours, monday_of, mondays
from zentrum.web.access import roles_required
from zentrum.web.formatting import format_duration
from zentrum.web.reports.charts import Bar, LegendEntry, Series, bar_chart, line_chart
from zentrum.web.reports.forms import (
    SORTS,
    BadFilter,
    DrillQuery,
    PeriodForm,
    drill_args,
    drill_query,
    period_args,
)
from zentrum.web.reports.labels import describe_hours, percent, report_label

bp = Blueprint("reports", __name__, url_prefix="/leitung")

LEADERSHIP = (Role.SUPERVISOR, Role.ADMIN)


def _partners() -> list[Partner]:
    """Every partner, by name (inactive ones too: their past figures still count)."""
    return list(db.session.scalars(sa.select(Partner).order_by(Partner.name)))


def _form(partners: list[Partner]) -> PeriodForm:
    """The period form from the query string (defaults when there is none)."""
    form = PeriodForm(formdata=request.args or None)
    form.partner.choices = [
        SelectChoice(p.id, p.name if p.active else _("%(name)s (inaktiv)", name=p.name))
        for p in partners
    ]
    return form


def _totals(dash: Dashboard) -> PartnerFigures:
    """The overall line: counts summed over the shown partners, spreads over all their offers."""
    total = PartnerFigures(partner=None, business=dash.overall, wall=dash.overall_wall)
    for fig in dash.partners:
        for name in ("received", "accepted", "declined", "withdrawn", "pending"):
            setattr(total, name, getattr(total, name) + getattr(fig, name))
        total.within_target += fig.within_target
        total.pending_over_target += fig.pending_over_target
    return total


def _weeks(period: Period) -> list[date]:
    """The Mondays of the weeks the period touches."""
    return mondays(monday_of(period.first), period.last)


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / 3600


def _day(value) -> date:
    """A week's Monday as the database hands it back (a date, or its ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _week_label(monday: date, with_year: bool) -> str:
    week = monday.isocalendar()
    if with_year:
        return _("KW %(n)d/%(year)d", n=week.week, year=week.year)
    return _("KW %(n)d", n=week.week)


def _weekly(dash: Dashboard, partners: list[Partner]):
    """The weekly chart (median and p90 per partner) and the rows of its table."""
    weekly = {(pid, _day(week)): spread for (pid, week), spread in dash.weekly.items()}
    weeks = _weeks(dash.period)
    with_year = len({week.isocalendar().year for week in weeks}) > 1
    shown = [(slot, p) for slot, p in enumerate(partners) if any(k[0] == p.id for k in weekly)]
    series, legend = [], []
    for slot, partner in shown:
        spreads = [weekly.get((partner.id, week)) for week in weeks]
        for measure, dashed, text in (("median", False, _("Median")), ("p90", True, _("90. P."))):
            values = [_hours(getattr(s, measure)) if s else None for s in spreads]
            series.append(Series(f"{partner.name} – {text}", values, slot, dashed))
        legend.append(LegendEntry(partner.name, slot))
    legend += [LegendEntry(_("Median")), LegendEntry(_("90. Perzentil"), dashed=True)]
    chart = line_chart(
        [_week_label(week, with_year) for week in weeks],
        series,
        chart_id="chart-weekly",
        title=_("Übergabezeit je Woche in Arbeitszeit"),
        desc=_(
            "Liniendiagramm: Median (durchgezogen) und 90. Perzentil (gestrichelt) der "
            "Übergabezeit in Arbeitsstunden, je Kalenderwoche des Angebots und Partner. "
            "Die Werte stehen in der Tabelle unter dem Diagramm."
        ),
        y_label=_("Stunden Arbeitszeit"),
        legend=legend,
        fmt=lambda hours: format_duration(hours * 3600),
    )
    rows = [
        (week, partner.name, weekly[(partner.id, week)])
        for week in weeks
        for _slot, partner in shown
        if (partner.id, week) in weekly
    ]
    return (chart if shown else None), rows


def _waiting_chart(dash: Dashboard):
    """Bars: offers waiting now, by the share of their target time already used."""
    tones = {"80_to_100": "warn", "over": "alert"}
    bars = [
        Bar(report_label("share", key), n, tones.get(key, "normal"))
        for key, n in dash.waiting_by_share
    ]
    counts = "; ".join(f"{bar.label}: {int(bar.value)}" for bar in bars)
    return bar_chart(
        bars,
        chart_id="chart-waiting",
        title=_("Wartende Angebote nach verbrauchter Zielzeit"),
        desc=_("Säulendiagramm, Anzahl wartender Angebote: %(counts)s.", counts=counts),
        y_label=_("Angebote"),
    )


def _pivot(rows, columns, names: dict[int, str]) -> list[tuple[int, dict]]:
    """(partner id, {column: count}) from (partner id, column, count) rows, by partner name."""
    table: dict[int, dict] = {}
    for pid, column, n in rows:
        table.setdefault(pid, dict.fromkeys(columns, 0))[column] = n
    return sorted(table.items(), key=lambda item: names[item[0]])


def _dashboard_context(form: PeriodForm, partners: list[Partner], now):
    dash = build_dashboard(db.session, form.period(now), form.partner_ids(), now)
    names = {p.id: p.name for p in partners}
    weekly_chart, weekly_rows = _weekly(dash, partners)
    base = period_args(dash.period, form.partner_ids())

    def drill(partner: int | None = None, **filters) -> str:
        ids = [partner] if partner else dash.partner_ids
        return url_for("reports.handovers", **period_args(dash.period, ids), **filters)

    return {
        "dash": dash,
        "names": names,
        "totals": _totals(dash),
        "drill": drill,
        "filter_args": base,
        "weekly_chart": weekly_chart,
        "weekly_rows": weekly_rows,
        "waiting_chart": _waiting_chart(dash),
        "waiting_shown": dash.waiting,
        "declines": _pivot(dash.declines, list(DeclineReason), names),
        "referrals": _pivot(dash.referrals, list(ReferralStatus), names),
        "decline_reasons": list(DeclineReason),
        "referral_statuses": list(ReferralStatus),
    }


def _common() -> dict:
    """What both pages show: labels and how the working time is counted."""
    return {
        "report_label": report_label,
        "percent": percent,
        "hours": describe_hours(house_hours()),
    }


@bp.get("/")
@read_only
@roles_required(*LEADERSHIP)
def dashboard():
    """Handover times and counts for a period and a choice of partners."""
    g.no_store = True
    partners = _partners()
    form = _form(partners)
    if not form.validate():
        page = render_template("reports/dashboard.html", form=form, dash=None, **_common())
        return page, 422
    context = _dashboard_context(form, partners, utcnow())
    return render_template("reports/dashboard.html", form=form, **context, **_common())


def _sort_url(query: DrillQuery, args: dict, column: str) -> str:
    """The link of a column header: the other direction if sorted by it, else its natural one."""
    if query.sort == column:
        descending = not query.descending
    else:
        descending = column == "wartezeit"  # the longest waits first
    return url_for(
        "reports.handovers", **args, sortierung=column, richtung="ab" if descending else "auf"
    )


@bp.get("/uebergaben")
@read_only
@roles_required(*LEADERSHIP)
def handovers():
    """The handovers behind a figure: filtered, sortable, paged by index."""
    g.no_store = True
    partners = _partners()
    now = utcnow()
    try:
        query = drill_query(_form(partners), request.args, now)
    except BadFilter:
        abort(400)
    rows, next_after = handover_page(
        db.session,
        query.filter,
        now,
        sort=SORTS[query.sort],
        descending=query.descending,
        after=query.after,
        limit=current_app.config["PAGE_SIZE"],
    )
    args = drill_args(query.filter)
    order = {"sortierung": query.sort, "richtung": "ab" if query.descending else "auf"}
    return render_template(
        "reports/handovers.html",
        query=query,
        rows=rows,
        names={p.id: p.name for p in partners},
        filter_args=args,
        sort_url=lambda column: _sort_url(query, args, column),
        next_url=url_for("reports.handovers", **args, **order, nach=next_after)
        if next_after
        else None,
        first_url=url_for("reports.handovers", **args, **order) if query.after else None,
        back_url=url_for(
            "reports.dashboard", **period_args(query.filter.period, query.filter.partner_ids)
        ),
        **_common(),
    )
