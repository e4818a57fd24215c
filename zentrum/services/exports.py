"""Pseudonymised exports of the dashboard's figures and of the handovers behind them.

What leaves the house this way: case references, partners, times, topics and
districts. Never names, birth dates, descriptions, notes or decline comments.
Durations are whole minutes, both in working time (Arbeitszeit) and on the
calendar (Kalenderzeit).
"""

from collections.abc import Iterable, Mapping
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.orm import Session

from zentrum.domain.vocab import OfferStatus
from zentrum.labels import label, topic_label
from zentrum.models import Topic, case_topics
from zentrum.services.dashboard import Dashboard
from zentrum.services.drilldown import HandoverRow
from zentrum.services.reports import PartnerFigures, Spread
from zentrum.services.tabular import Table, to_csv, to_xlsx


def minutes(seconds: int | None) -> int | None:
    """Seconds as whole minutes, rounded half up; None stays None."""
    return None if seconds is None else (int(seconds) + 30) // 60


def percent(part: int, whole: int) -> float | None:
    """A share in per cent with one decimal; None without a base."""
    return round(100 * part / whole, 1) if whole else None


def _spread_headers(kind: str) -> list[str]:
    return [
        _("Median %(kind)s (Min.)", kind=kind),
        _("90. Perzentil %(kind)s (Min.)", kind=kind),
        _("Maximum %(kind)s (Min.)", kind=kind),
    ]


def _spread_cells(spread: Spread) -> list:
    return [minutes(spread.median), minutes(spread.p90), minutes(spread.maximum)]


def _both_spreads_headers() -> list[str]:
    return _spread_headers(_("Arbeitszeit")) + _spread_headers(_("Kalenderzeit"))


def _overview(dashboard: Dashboard) -> Table:
    names = [f.partner.name for f in dashboard.partners] if dashboard.partner_ids else []
    return Table(
        _("Übersicht"),
        [_("Angabe"), _("Wert")],
        [
            [_("Zeitraum von"), dashboard.period.first],
            [_("Zeitraum bis"), dashboard.period.last],
            [_("Partner"), ", ".join(names) if names else _("alle")],
            [pgettext("Zeitpunkt", "Stand"), dashboard.now],
        ],
    )


def _partner_row(name: str, target: int | None, counts: list[int], business, wall) -> list:
    received, accepted, declined, withdrawn, pending, over, within, base = counts
    return [
        name,
        target,
        received,
        accepted,
        declined,
        withdrawn,
        pending,
        over,
        within,
        percent(within, base),
        business.count,
        *_spread_cells(business),
        *_spread_cells(wall),
    ]


def _counts(fig: PartnerFigures) -> list[int]:
    return [
        fig.received,
        fig.accepted,
        fig.declined,
        fig.withdrawn,
        fig.pending,
        fig.pending_over_target,
        fig.within_target,
        fig.decided_or_due,
    ]


def _partners(dashboard: Dashboard) -> Table:
    headers = [
        _("Partner"),
        _("Zielzeit Arbeitszeit (Min.)"),
        _("Eingegangen"),
        _("Angenommen"),
        _("Abgelehnt"),
        _("Zurückgezogen"),
        _("Wartend"),
        _("Wartend über Zielzeit"),
        _("Angenommen in Zielzeit"),
        _("Anteil in Zielzeit (%)"),
        _("Anzahl Wartezeiten"),
        *_both_spreads_headers(),
    ]
    rows = [
        _partner_row(f.partner.name, f.partner.target_minutes, _counts(f), f.business, f.wall)
        for f in dashboard.partners
    ]
    totals = [sum(column) for column in zip(*(_counts(f) for f in dashboard.partners), strict=True)]
    rows.append(
        _partner_row(
            _("Alle gewählten Partner"),
            None,
            totals or [0] * 8,
            dashboard.overall,
            dashboard.overall_wall,
        )
    )
    return Table(_("Übergaben je Partner"), headers, rows)


def _weekly(dashboard: Dashboard) -> Table:
    names = {f.partner.id: f.partner.name for f in dashboard.partners}
    rows = []
    for (partner_id, week), spread in dashboard.weekly.items():
        monday = date.fromisoformat(week) if isinstance(week, str) else week
        rows.append([names.get(partner_id, str(partner_id)), monday, spread.count, spread])
    rows.sort(key=lambda r: (r[0], r[1]))
    headers = [_("Partner"), _("Woche ab"), _("Anzahl Wartezeiten")]
    return Table(
        _("Wochenverlauf"),
        headers + _spread_headers(_("Arbeitszeit"))[:2],
        [[*row[:3], minutes(row[3].median), minutes(row[3].p90)] for row in rows],
    )


def _case_times(dashboard: Dashboard) -> Table:
    rows = []
    for key, name in (
        ("intake", _("Aufnahme bis erste Annahme")),
        ("contact", _("Annahme bis Erstkontakt")),
    ):
        business = dashboard.cases.get(f"{key}_business", Spread())
        wall = dashboard.cases.get(f"{key}_wall", Spread())
        rows.append([name, business.count, *_spread_cells(business), *_spread_cells(wall)])
    return Table(_("Fallzeiten"), [_("Kennzahl"), _("Anzahl"), *_both_spreads_headers()], rows)


def _by_partner(dashboard: Dashboard, title: str, kind: str, heading: str, rows) -> Table:
    names = {f.partner.id: f.partner.name for f in dashboard.partners}
    return Table(
        title,
        [_("Partner"), heading, _("Anzahl")],
        [[names.get(pid, str(pid)), label(kind, value), count] for pid, value, count in rows],
    )


AGE_LABELS = {
    "under_week": _l("jünger als 1 Woche"),
    "one_to_four_weeks": _l("1 bis 4 Wochen"),
    "one_to_three_months": _l("4 Wochen bis 3 Monate"),
    "over_three_months": _l("älter als 3 Monate"),
}
SHARE_LABELS = {
    "under_half": _l("unter 50 %"),
    "half_to_80": _l("50 bis 80 %"),
    "80_to_100": _l("80 bis 100 %"),
    "over": _l("über 100 % (überschritten)"),
}


def _counted(title: str, heading: str, what: str, pairs, names: Mapping) -> Table:
    return Table(title, [heading, what], [[names.get(key, key), count] for key, count in pairs])


def figure_tables(dashboard: Dashboard) -> list[Table]:
    """Every table of the dashboard, figures only."""
    districts = {value: label("district", value) for value, _n in dashboard.by_district}
    districts[None] = _("nicht angegeben")
    return [
        _overview(dashboard),
        _partners(dashboard),
        _weekly(dashboard),
        _case_times(dashboard),
        _by_partner(dashboard, _("Ablehnungen"), "decline_reason", _("Grund"), dashboard.declines),
        _by_partner(
            dashboard, _("Hinzuziehungen"), "referral_status", _("Status"), dashboard.referrals
        ),
        _counted(
            _("Themen"),
            _("Thema"),
            _("Anliegen"),
            dashboard.by_topic,
            {name: topic_label(name) for name, _n in dashboard.by_topic},
        ),
        _counted(
            _("Stadtbezirke"), _("Stadtbezirk"), _("Anliegen"), dashboard.by_district, districts
        ),
        _counted(
            _("Offene Fälle nach Alter"),
            _("Alter des Falls"),
            _("Offene Fälle"),
            dashboard.open_by_age,
            {k: str(v) for k, v in AGE_LABELS.items()},
        ),
        _counted(
            _("Wartende nach Zielzeitanteil"),
            _("Anteil der Zielzeit"),
            _("Wartende Angebote"),
            dashboard.waiting_by_share,
            {k: str(v) for k, v in SHARE_LABELS.items()},
        ),
    ]


def figures_csv(dashboard: Dashboard) -> bytes:
    """The figures as one CSV for German Excel: each table under its title."""
    return to_csv(figure_tables(dashboard), titled=True)


def figures_xlsx(dashboard: Dashboard) -> bytes:
    """The figures as a workbook, one sheet per table."""
    return to_xlsx(figure_tables(dashboard))


def topics_by_case(session: Session, case_ids: Iterable[int]) -> dict[int, list[str]]:
    """Topic labels per case, in the topics' order: one statement for any number of cases."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    # Integer ids inline: no limit on bound parameters, however long the export.
    ids = sa.bindparam("case_ids", wanted, expanding=True, literal_execute=True)
    stmt = (
        sa.select(case_topics.c.case_id, Topic.label)
        .join(Topic, Topic.id == case_topics.c.topic_id)
        .where(case_topics.c.case_id.in_(ids))
        .order_by(case_topics.c.case_id, Topic.sort_order, Topic.id)
    )
    result: dict[int, list[str]] = {}
    for case_id, topic in session.execute(stmt):
        result.setdefault(case_id, []).append(topic)
    return result


def _kept_target(row: HandoverRow) -> str | None:
    """Accepted: within the target or not; pending: "nein" once over it; else empty."""
    if row.status == OfferStatus.ACCEPTED:
        return _("ja") if row.within_target else _("nein")
    if row.status == OfferStatus.PENDING and not row.within_target:
        return _("nein")
    return None


def handover_table(rows: Iterable[HandoverRow], topics: Mapping[int, list[str]]) -> Table:
    """The handovers, one line each, pseudonymised."""
    headers = [
        _("Referenz"),
        _("Von"),
        _("An"),
        _("Status"),
        _("Angeboten am"),
        _("Entschieden am"),
        _("Wartezeit Arbeitszeit (Min.)"),
        _("Wartezeit Kalenderzeit (Min.)"),
        _("Zielzeit Arbeitszeit (Min.)"),
        _("Zielzeit eingehalten"),
        _("Ablehnungsgrund"),
        _("Stadtbezirk"),
        _("Themen"),
    ]
    lines = [
        [
            row.reference,
            row.from_partner or _("Empfang"),
            row.to_partner,
            label("offer_status", row.status),
            row.offered_at,
            row.decided_at,
            minutes(row.wait_business_seconds),
            minutes(row.wait_seconds),
            minutes(row.target_seconds),
            _kept_target(row),
            label("decline_reason", row.decline_reason) or None,
            label("district", row.district) or None,
            ", ".join(topic_label(t) for t in topics.get(row.case_id, [])) or None,
        ]
        for row in rows
    ]
    return Table(_("Übergaben"), headers, lines)


def handovers_csv(
    rows: Iterable[HandoverRow], topics: Mapping[int, list[str]] | None = None
) -> bytes:
    """The handovers as CSV for German Excel (bytes)."""
    return to_csv([handover_table(rows, topics or {})], titled=False)


def handovers_xlsx(
    rows: Iterable[HandoverRow], topics: Mapping[int, list[str]] | None = None
) -> bytes:
    """The handovers as a workbook with one sheet (bytes)."""
    return to_xlsx([handover_table(rows, topics or {})])
