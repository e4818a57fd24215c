"""Exports of figures and handovers: content, pseudonymisation, formula safety, access."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from zentrum.domain.vocab import DeclineReason
from zentrum.models import Case, Partner, Topic
from zentrum.services.dashboard import build_dashboard
from zentrum.services.exports import minutes, topics_by_case
from zentrum.services.handover import accept_offer, decline_offer
from zentrum.services.periods import Period
from zentrum.services.tabular import Table, neutralise, sheet_name, to_csv

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
QUERY = "zeitraum=custom&von=2026-10-01&bis=2026-10-31"
FIRST, LAST = "Quirinella", "Zwetschgenbaum"
BIRTH = date(2008, 3, 19)
DESCRIPTION = "Vertraulich: Streit mit Vermieter Okonkwo-Brandt."
COMMENT = "Geheimer Ablehnungskommentar Ypsilanti"
SECRETS = [FIRST, LAST, "2008-03-19", "19.03.2008", "39525", "Vertraulich", "Okonkwo", COMMENT]
EVIL_PARTNER = '=HYPERLINK("http://boese.example","klick")'
EVIL_TOPIC = "@SUMME(A1:A9)"
HANDOVER_HEADERS = [
    "Referenz",
    "Von",
    "An",
    "Status",
    "Angeboten am",
    "Entschieden am",
    "Wartezeit Arbeitszeit (Min.)",
    "Wartezeit Kalenderzeit (Min.)",
    "Zielzeit Arbeitszeit (Min.)",
    "Zielzeit eingehalten",
    "Ablehnungsgrund",
    "Stadtbezirk",
    "Themen",
]


def utc(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    """The export views see the same moment as the tests' own computations."""
    monkeypatch.setattr("zentrum.web.reports.exports.utcnow", lambda: NOW)


@pytest.fixture
def october(session, cases, users):
    """Three offers in October: accepted in time (IHK), declined (HWK), still pending (IHK)."""
    accepted = cases(
        FIRST,
        LAST,
        BIRTH,
        consents=["ihk"],
        description=DESCRIPTION,
        topics=("apprenticeship", "school"),
        at=utc(10, 5, 8),
    )
    offer = cases.offer(accepted, "ihk", at=utc(10, 6, 8))  # Tuesday 10:00 in Wuppertal
    ihk = users("advisor", partner="ihk")
    accept_offer(session, ihk, utc(10, 6, 12, 5), session.get(Case, accepted.id), offer.id)
    declined = cases("Bert", "Abgelehnt", consents=["hwk"], topics=("work",), at=utc(10, 6, 8))
    offer = cases.offer(declined, "hwk", at=utc(10, 7, 7))
    hwk = users("advisor", partner="hwk")
    decline_offer(
        session,
        hwk,
        utc(10, 8, 7),
        session.get(Case, declined.id),
        offer.id,
        DeclineReason.NO_CAPACITY,
        COMMENT,
    )
    session.commit()
    waiting = cases("Wanda", "Wartet", consents=["ihk"], at=utc(10, 19, 9))
    cases.offer(waiting, "ihk", at=utc(10, 20, 9))
    return accepted, declined, waiting


@pytest.fixture
def supervisor(users, auth):
    user = users("supervisor")
    auth.login(user)
    return user


def rows_of(data: bytes) -> list[list[str]]:
    """The CSV as German Excel sees it: BOM, then semicolon-separated rows."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def sections(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """The titled tables of the figures CSV: title → header row and data rows."""
    result, current = {}, None
    for row in rows:
        if not row:
            current = None
        elif current is None:
            current = result.setdefault(row[0], [])
        else:
            current.append(row)
    return result


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_text(data: bytes) -> str:
    """Every XML part of the workbook, as one text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def get(client, path: str, query: str = QUERY):
    return client.get(f"/leitung/export/{path}?{query}")


def test_handovers_csv_lists_each_offer_pseudonymised(session, client, october, supervisor):
    accepted, declined, waiting = october
    response = get(client, "uebergaben.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    header, *lines = rows_of(response.data)
    assert header == HANDOVER_HEADERS
    assert lines[0] == [
        accepted.reference,
        "Empfang",
        "IHK Wuppertal-Solingen-Remscheid",
        "angenommen",
        "06.10.2026, 10:00",
        "06.10.2026, 14:05",
        "245",
        "245",
        "600",
        "ja",
        "",
        "Barmen",
        "Ausbildung, Schule und Schulabschluss",
    ]
    assert lines[1][:6] == [
        declined.reference,
        "Empfang",
        "Handwerkskammer Düsseldorf",
        "abgelehnt",
        "07.10.2026, 09:00",
        "08.10.2026, 09:00",
    ]
    # Wed 09:00 to Thu 09:00: one working day of 10 hours, 24 hours on the calendar.
    assert lines[1][6:] == [
        "600",
        "1440",
        "600",
        "",
        "derzeit keine Kapazität",
        "Barmen",
        "Arbeit und Beruf",
    ]
    assert lines[2][0] == waiting.reference and lines[2][3] == "wartet auf Annahme"
    assert lines[2][5] == "" and lines[2][9] == "nein"  # pending for weeks: over the target
    assert len(lines) == 3


def test_handovers_xlsx_has_real_numbers_and_local_datetimes(session, client, october, supervisor):
    accepted, _declined, _waiting = october
    response = get(client, "uebergaben.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = workbook(response.data)
    assert book.sheetnames == ["Übergaben"]
    sheet = book["Übergaben"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == HANDOVER_HEADERS
    assert all(cell.font.b for cell in sheet[1])
    first = values[1]
    assert first[0] == accepted.reference
    assert first[4] == datetime(2026, 10, 6, 10, 0) and first[5] == datetime(2026, 10, 6, 14, 5)
    assert sheet["E2"].is_date and sheet["E2"].number_format == "dd.mm.yyyy hh:mm"
    assert first[6:9] == (245, 245, 600)
    assert sheet["G2"].data_type == "n"
    assert first[10] is None and first[12] == "Ausbildung, Schule und Schulabschluss"
    assert len(values) == 4


def test_handover_filters_are_those_of_the_drill_down(session, client, october, supervisor):
    accepted, declined, waiting = october
    ihk = session.scalar(sa.select(Partner.id).where(Partner.code == "ihk"))

    def refs(query, period=QUERY):
        response = get(client, "uebergaben.csv", f"{period}&{query}")
        assert response.status_code == 200, query
        return [line[0] for line in rows_of(response.data)[1:]]

    assert refs("status=declined") == [declined.reference]
    assert refs("grund=no_capacity") == [declined.reference]
    assert refs("ziel=1") == [accepted.reference]
    assert refs("ziel=0") == [declined.reference, waiting.reference]
    assert refs(f"partner={ihk}") == [accepted.reference, waiting.reference]
    assert refs("status=&grund=&ziel=") == [
        accepted.reference,
        declined.reference,
        waiting.reference,
    ]
    later = "zeitraum=custom&von=2026-10-10&bis=2026-10-31"
    assert refs("", later) == [waiting.reference]


def _partner_cells(fig):
    share = round(100 * fig.within_target / fig.decided_or_due, 1) if fig.decided_or_due else None
    return [
        fig.partner.name,
        fig.partner.target_minutes,
        fig.received,
        fig.accepted,
        fig.declined,
        fig.withdrawn,
        fig.pending,
        fig.pending_over_target,
        fig.within_target,
        share,
        fig.business.count,
        minutes(fig.business.median),
        minutes(fig.business.p90),
        minutes(fig.business.maximum),
        minutes(fig.wall.median),
        minutes(fig.wall.p90),
        minutes(fig.wall.maximum),
    ]


def _as_csv(cells):
    return [
        "" if c is None else f"{c:.1f}".replace(".", ",") if isinstance(c, float) else str(c)
        for c in cells
    ]


def test_figures_csv_equal_the_dashboard_service(session, client, october, supervisor):
    response = get(client, "kennzahlen.csv")
    assert response.status_code == 200
    tables = sections(rows_of(response.data))
    dashboard = build_dashboard(session, OCTOBER, [], NOW)
    overview = dict(tuple(row) for row in tables["Übersicht"][1:])
    assert overview["Zeitraum von"] == "01.10.2026" and overview["Zeitraum bis"] == "31.10.2026"
    assert overview["Partner"] == "alle" and overview["Stand"] == "26.11.2026, 16:00"
    header, *lines = tables["Übergaben je Partner"]
    assert header[:3] == ["Partner", "Zielzeit Arbeitszeit (Min.)", "Eingegangen"]
    assert lines[:-1] == [_as_csv(_partner_cells(fig)) for fig in dashboard.partners]
    ihk = next(line for line in lines if line[0].startswith("IHK"))
    assert ihk[2:10] == ["2", "1", "0", "0", "1", "1", "1", "50,0"]
    total = lines[-1]
    assert total[0] == "Alle gewählten Partner" and total[2] == "3"
    assert total[11] == _as_csv([minutes(dashboard.overall.median)])[0]
    assert tables["Ablehnungen"][1:] == [
        ["Handwerkskammer Düsseldorf", "derzeit keine Kapazität", "1"]
    ]
    topics = {row[0]: row[1] for row in tables["Themen"][1:]}
    assert topics == {label: str(n) for label, n in dashboard.by_topic}
    assert tables["Stadtbezirke"][1:] == [["Barmen", "3"]]
    cases = tables["Fallzeiten"]
    assert cases[1][0] == "Aufnahme bis erste Annahme"
    assert cases[1][1] == str(dashboard.cases["intake_business"].count)


def test_figures_xlsx_has_one_sheet_per_table(session, client, october, supervisor):
    response = get(client, "kennzahlen.xlsx")
    assert response.status_code == 200
    book = workbook(response.data)
    assert book.sheetnames == [
        "Übersicht",
        "Übergaben je Partner",
        "Wochenverlauf",
        "Fallzeiten",
        "Ablehnungen",
        "Hinzuziehungen",
        "Themen",
        "Stadtbezirke",
        "Offene Fälle nach Alter",
        "Wartende nach Zielzeitanteil",
    ]
    dashboard = build_dashboard(session, OCTOBER, [], NOW)
    sheet = book["Übergaben je Partner"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert all(cell.font.b for cell in sheet[1])
    assert values[1 : len(dashboard.partners) + 1] == [
        _partner_cells(fig) for fig in dashboard.partners
    ]
    overview = book["Übersicht"]
    assert overview["B2"].value == datetime(2026, 10, 1) and overview["B2"].is_date
    assert overview["B5"].value == datetime(2026, 11, 26, 16, 0)
    weekly = [list(row) for row in book["Wochenverlauf"].iter_rows(values_only=True)][1:]
    assert [row[1] for row in weekly] == sorted(row[1] for row in weekly)
    assert sum(row[2] for row in weekly) == dashboard.overall.count


def test_partner_choice_limits_the_figures(session, client, october, supervisor):
    ihk = session.scalar(sa.select(Partner).where(Partner.code == "ihk"))
    response = get(client, "kennzahlen.csv", f"{QUERY}&partner={ihk.id}")
    tables = sections(rows_of(response.data))
    assert [row[0] for row in tables["Übergaben je Partner"][1:]] == [
        ihk.name,
        "Alle gewählten Partner",
    ]
    assert dict(tuple(r) for r in tables["Übersicht"][1:])["Partner"] == ihk.name
    assert tables["Ablehnungen"][1:] == []


def test_no_personal_data_in_any_export(session, client, october, supervisor):
    for path in ("kennzahlen.csv", "kennzahlen.xlsx", "uebergaben.csv", "uebergaben.xlsx"):
        data = get(client, path).data
        text = xlsx_text(data) if path.endswith("xlsx") else data.decode("utf-8-sig")
        for secret in SECRETS:
            assert secret not in text, (path, secret)
    # The references do leave: they are the pseudonym.
    assert october[0].reference in get(client, "uebergaben.csv").data.decode("utf-8-sig")


def test_formulas_are_neutralised_in_csv_and_xlsx(session, client, october, supervisor):
    session.scalar(sa.select(Partner).where(Partner.code == "ihk")).name = EVIL_PARTNER
    session.scalar(sa.select(Topic).where(Topic.code == "school")).label = EVIL_TOPIC
    session.commit()
    lines = rows_of(get(client, "uebergaben.csv").data)
    assert lines[1][2] == "'" + EVIL_PARTNER
    assert lines[1][12] == "Ausbildung, " + EVIL_TOPIC  # inside a cell: harmless
    tables = sections(rows_of(get(client, "kennzahlen.csv").data))
    assert "'" + EVIL_PARTNER in [row[0] for row in tables["Übergaben je Partner"]]
    assert "'" + EVIL_TOPIC in [row[0] for row in tables["Themen"]]
    for path in ("uebergaben.xlsx", "kennzahlen.xlsx"):
        data = get(client, path).data
        assert "<f>" not in xlsx_text(data), path
        cells = [c for s in workbook(data) for row in s.iter_rows() for c in row]
        evil = [c for c in cells if isinstance(c.value, str) and EVIL_PARTNER in c.value]
        assert evil and all(c.data_type == "s" and c.value == "'" + EVIL_PARTNER for c in evil)
        assert not [c for c in cells if c.data_type == "f"]


def test_downloads_are_named_after_the_period_and_never_cached(session, client, supervisor):
    for path, name in (
        ("kennzahlen.csv", "zentrum-kennzahlen-2026-10-01-bis-2026-10-31.csv"),
        ("kennzahlen.xlsx", "zentrum-kennzahlen-2026-10-01-bis-2026-10-31.xlsx"),
        ("uebergaben.csv", "zentrum-uebergaben-2026-10-01-bis-2026-10-31.csv"),
        ("uebergaben.xlsx", "zentrum-uebergaben-2026-10-01-bis-2026-10-31.xlsx"),
    ):
        response = get(client, path)
        assert response.status_code == 200, path
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response.headers["Cache-Control"] == "no-store"


def test_presets_name_their_days(session, client, supervisor):
    names = {
        "week": "2026-11-23-bis-2026-11-26",
        "4weeks": "2026-10-30-bis-2026-11-26",
        "quarter": "2026-10-01-bis-2026-11-26",
    }
    for preset, days in names.items():
        response = get(client, "kennzahlen.csv", f"zeitraum={preset}")
        assert f"zentrum-kennzahlen-{days}.csv" in response.headers["Content-Disposition"]
    default = get(client, "uebergaben.csv", "")
    assert "2026-10-30-bis-2026-11-26" in default.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "query",
    [
        "zeitraum=jahr",
        "zeitraum=custom",
        "zeitraum=custom&von=2026-10-01",
        "zeitraum=custom&von=gestern&bis=2026-10-31",
        "zeitraum=custom&von=2026-02-30&bis=2026-10-31",
        "zeitraum=custom&von=2026-11-01&bis=2026-10-01",
        "zeitraum=custom&von=0001-01-01&bis=2026-10-01",
        "zeitraum=custom&von=2026-01-01&bis=9999-12-31",
        "zeitraum=custom&von=2020-01-01&bis=2026-10-31",
        "partner=abc",
        "partner=-1",
        "partner=99999",
        "partner=123456789012345678901234",
        "status=verloren",
        "ziel=ja",
        "grund=langeweile",
    ],
)
def test_invalid_parameters_are_a_400_in_german(session, client, supervisor, query):
    drill_only = query.split("=")[0] in ("status", "ziel", "grund")
    for path in ("uebergaben.csv", "uebergaben.xlsx") + (
        () if drill_only else ("kennzahlen.csv", "kennzahlen.xlsx")
    ):
        response = client.get(f"/leitung/export/{path}?{query}")
        assert response.status_code == 400, (query, path)
        assert "Ungültige Anfrage" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "query,message",
    [
        ("zeitraum=custom&von=2026-11-01&bis=2026-10-01", "„bis“ darf nicht vor „von“ liegen."),
        ("zeitraum=custom&von=morgen&bis=2026-10-01", "Bitte ein Datum im Format TT.MM.JJJJ"),
        ("zeitraum=custom&von=2026-10-01", "bis: Bitte einen Tag angeben."),
        ("partner=99999", "Diese Auswahl gibt es nicht."),
        ("ziel=vielleicht", "„ziel“ muss 1 oder 0 sein."),
        ("status=weg", "Diesen Status gibt es nicht."),
        ("grund=keiner", "Diesen Grund gibt es nicht."),
    ],
)
def test_invalid_parameters_say_what_is_wrong(session, client, supervisor, query, message):
    page = get(client, "uebergaben.csv", query).get_data(as_text=True)
    assert message in page


def test_days_as_typed_in_german_are_understood(session, client, supervisor):
    response = get(client, "kennzahlen.csv", "zeitraum=custom&von=01.10.2026&bis=31.10.2026")
    assert response.status_code == 200
    assert "2026-10-01-bis-2026-10-31" in response.headers["Content-Disposition"]


def test_report_pages_link_to_the_exports_with_their_filter(session, client, october, supervisor):
    page = client.get(f"/leitung/?{QUERY}").get_data(as_text=True)
    args = QUERY.replace("&", "&amp;")
    for path in ("kennzahlen.csv", "kennzahlen.xlsx", "uebergaben.csv", "uebergaben.xlsx"):
        assert f'href="/leitung/export/{path}?{args}"' in page, path
    page = client.get(f"/leitung/uebergaben?{QUERY}&status=declined").get_data(as_text=True)
    assert "/leitung/export/kennzahlen.csv" not in page
    link = re.search(r'href="(/leitung/export/uebergaben\.csv\?[^"]*)"', page)[1]
    assert "status=declined" in link
    lines = rows_of(client.get(link.replace("&amp;", "&")).data)[1:]
    assert [line[0] for line in lines] == [october[1].reference]


@pytest.mark.parametrize("role,partner", [("frontdesk", None), ("advisor", "ihk")])
def test_only_supervisors_and_admins_may_export(session, client, users, auth, role, partner):
    auth.login(users(role, partner=partner))
    for path in ("kennzahlen.csv", "kennzahlen.xlsx", "uebergaben.csv", "uebergaben.xlsx"):
        assert get(client, path).status_code == 403, (role, path)


def test_admins_may_export_and_anonymous_users_must_log_in(session, client, users, auth):
    response = get(client, "uebergaben.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(users("admin"))
    assert get(client, "uebergaben.xlsx").status_code == 200


def test_statements_do_not_grow_with_the_export(session, client, cases, supervisor, count_queries):
    def export_statements():
        with count_queries() as statements:
            assert get(client, "uebergaben.csv", "zeitraum=week").status_code == 200
        return len(statements)

    cases.offer(cases("Eins", "Fall", consents=["ihk"]), "ihk")
    few = export_statements()
    for i in range(8):
        cases.offer(cases(f"Fall{i}", "Mehr", consents=["ihk"], topics=("work", "school")), "ihk")
    assert export_statements() == few


def test_topics_of_many_cases_come_in_one_statement(session, cases, count_queries):
    made = [cases(f"Thema{i}", "Fall", topics=("work", "apprenticeship")).id for i in range(3)]
    with count_queries() as statements:
        topics = topics_by_case(session, [*made, made[0], 10**9])
    assert len(statements) == 1
    assert topics == {case_id: ["Ausbildung", "Arbeit und Beruf"] for case_id in made}
    assert topics_by_case(session, []) == {}


@pytest.mark.parametrize("text", ["=1+1", "+49 202", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_starts(text):
    assert neutralise(text) == "'" + text


def test_neutralise_leaves_plain_text():
    assert neutralise("Jugendamt Wuppertal") == "Jugendamt Wuppertal"
    assert neutralise("a=b") == "a=b"


def test_csv_cells_in_german_notation():
    table = Table("T", ["Zahl", "Anteil", "Tag", "Leer"], [[3, 87.5, date(2026, 1, 2), None]])
    assert to_csv([table], titled=False).decode("utf-8-sig") == (
        "Zahl;Anteil;Tag;Leer\r\n3;87,5;02.01.2026;\r\n"
    )


def test_sheet_names_are_unique_and_allowed():
    taken: set[str] = set()
    assert sheet_name("Übergaben", taken) == "Übergaben"
    assert sheet_name("übergaben", taken) == "übergaben (2)"
    assert sheet_name("A/B: [x]?", taken) == "A B   x"
    assert len(sheet_name("x" * 40, taken)) == 31
