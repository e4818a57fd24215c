"""The supervisors' dashboard and the handovers behind its figures, through the web."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest

from zentrum.domain.vocab import DeclineReason
from zentrum.models import Case, User
from zentrum.services.dashboard import build_dashboard
from zentrum.services.handover import accept_offer, decline_offer, withdraw_offer
from zentrum.services.periods import preset
from zentrum.services.timing import working_seconds
from zentrum.web.formatting import format_duration

NOW = datetime.now(UTC)


class Tables(HTMLParser):
    """Every table of a page by id: rows of (cell text, first link in the cell)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._link: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell, self._link = [], None
        elif tag == "a" and self._cell is not None and self._link is None:
            self._link = unescape(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.tables[self._table][-1].append((text, self._link))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict:
    parser = Tables()
    parser.feed(page)
    return parser.tables


def row(page: str, table_id: str, name: str) -> list[tuple[str, str | None]]:
    """The row of a table whose first cell starts with ``name``."""
    return next(r for r in tables(page)[table_id] if r and r[0][0].startswith(name))


def refs(page: str) -> list[str]:
    """Case references in the handover table, in order."""
    rows = tables(page).get("handovers", [])[1:]
    return [r[0][0] for r in rows]


def count_text(cell: tuple[str, str | None]) -> int:
    """The number in a count cell (its hidden context text cut off)."""
    return int(cell[0].split(" ")[0])


@dataclass
class History:
    """Offers with known fates, made 3 to 12 days ago."""

    accepted: list[str] = field(default_factory=list)
    within: list[str] = field(default_factory=list)
    declined: dict[str, str] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    old: list[str] = field(default_factory=list)


def _offer(session, cases, code, offered):
    """A case recorded an hour before it is offered to the partner ``code``."""
    case = cases(
        "Mirela", "Geheimname", consents=["ihk", "jobcenter"], at=offered - timedelta(hours=1)
    )
    offer = cases.offer(case, code, at=offered)
    return session.get(Case, case.id), offer


@pytest.fixture
def history(session, cases, users) -> History:
    """IHK: 3 accepted (one within its target), 2 declined, 1 withdrawn; Jobcenter: 1 pending."""
    made = History()
    ihk = users("advisor", partner="ihk")
    desk = cases.frontdesk()
    start = NOW - timedelta(days=12)
    for i, hours in enumerate((1, 30, 60)):
        case, offer = _offer(session, cases, "ihk", start + timedelta(days=i))
        accept_offer(session, ihk, offer.offered_at + timedelta(hours=hours), case, offer.id)
        session.commit()
        made.accepted.append(case.reference)
        # An hour is within any target; longer waits depend on the weekday the test runs.
        if working_seconds(offer.offered_at, offer.decided_at) <= 600 * 60:
            made.within.append(case.reference)
    for i, reason in enumerate((DeclineReason.NO_CAPACITY, DeclineReason.NOT_RESPONSIBLE)):
        case, offer = _offer(session, cases, "ihk", start + timedelta(days=4 + i))
        decline_offer(session, ihk, offer.offered_at + timedelta(hours=2), case, offer.id, reason)
        session.commit()
        made.declined[case.reference] = reason.value
    case, offer = _offer(session, cases, "ihk", start + timedelta(days=6))
    withdraw_offer(session, desk, offer.offered_at + timedelta(hours=1), case, offer.id)
    session.commit()
    made.withdrawn.append(case.reference)
    # Eight days hold more than one working day (the target), holidays or not.
    case, _offer_row = _offer(session, cases, "jobcenter", NOW - timedelta(days=8))
    made.pending.append(case.reference)
    # Long before every period: never counted, never listed.
    case, offer = _offer(session, cases, "ihk", NOW - timedelta(days=400))
    accept_offer(session, ihk, offer.offered_at + timedelta(hours=1), case, offer.id)
    session.commit()
    made.old.append(case.reference)
    return made


@pytest.fixture
def leitung(users, auth):
    user = users("supervisor")
    auth.login(user)
    return user


def _custom(days_back=20):
    first = (NOW - timedelta(days=days_back)).date()
    return {"zeitraum": "custom", "von": first.isoformat(), "bis": NOW.date().isoformat()}


def test_dashboard_shows_the_figures_of_a_chosen_period(client, history, leitung):
    page = client.get("/leitung/", query_string=_custom()).get_data(as_text=True)
    first = (NOW - timedelta(days=20)).date().strftime("%d.%m.%Y")
    assert f"Angebote vom {first} bis" in page
    ihk = row(page, "partner-figures", "IHK")
    counts = [count_text(cell) for cell in ihk[1:6]]
    assert counts == [6, 3, 2, 1, 0]  # received, accepted, declined, withdrawn, pending
    share = round(100 * len(history.within) / 5)  # of 3 accepted and 2 declined
    assert ihk[6][0].startswith(f"{share} %")
    jobcenter = row(page, "partner-figures", "Jobcenter")
    assert [count_text(cell) for cell in jobcenter[1:6]] == [1, 0, 0, 0, 1]
    total = row(page, "partner-figures", "Alle gezeigten Partner")
    assert [count_text(cell) for cell in total[1:6]] == [7, 3, 2, 1, 1]


def test_german_typed_days_are_understood(client, history, leitung):
    first = NOW - timedelta(days=20)
    query = {
        "zeitraum": "custom",
        "von": first.strftime("%d.%m.%Y"),
        "bis": NOW.strftime("%d.%m.%Y"),
    }
    page = client.get("/leitung/", query_string=query).get_data(as_text=True)
    assert count_text(row(page, "partner-figures", "IHK")[1]) == 6


@pytest.mark.parametrize("name", ["week", "4weeks", "quarter"])
def test_every_preset_shows_what_the_service_computes(session, client, history, leitung, name):
    response = client.get("/leitung/", query_string={"zeitraum": name})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    now = datetime.now(UTC)
    dash = build_dashboard(session, preset(name, now), None, now)
    assert f"Angebote vom {dash.period.first.strftime('%d.%m.%Y')} bis" in page
    for fig in dash.partners:
        cells = row(page, "partner-figures", fig.partner.name)
        shown = [count_text(cell) for cell in cells[1:6]]
        assert shown == [fig.received, fig.accepted, fig.declined, fig.withdrawn, fig.pending]
        times = row(page, "partner-times", fig.partner.name)
        if fig.pending == 0:  # a pending wait grows while the test runs
            expected = [fig.business.median, fig.business.p90, fig.business.maximum]
            assert [c[0] for c in times[2:5]] == [
                format_duration(s) if s is not None else "–keine Angabe" for s in expected
            ]
    assert 'role="img"' in page and "Werte des Diagramms als Tabelle" in page


def test_default_is_the_last_four_weeks(client, history, leitung):
    page = client.get("/leitung/").get_data(as_text=True)
    assert 'value="4weeks" checked' in page
    assert count_text(row(page, "partner-figures", "IHK")[1]) == 6


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"von": "2026-11-20", "bis": "2026-11-01"}, "bis", "„bis“ darf nicht vor „von“ liegen."),
        ({"von": "2026-13-45", "bis": "2026-11-01"}, "von", "Bitte ein Datum im Format TT.MM.JJJJ"),
        ({"von": "gestern", "bis": "2026-11-01"}, "von", "Bitte ein Datum im Format TT.MM.JJJJ"),
        ({"von": "2023-01-01", "bis": "2026-11-01"}, "bis", "höchstens zwei Jahre"),
        ({"von": "2026-11-01", "bis": ""}, "bis", "Bitte einen Tag angeben."),
        ({"von": "0001-01-01", "bis": "2026-11-01"}, "von", "Bitte ein Datum von 2000 bis 2100"),
    ],
)
def test_bad_days_are_refused_beside_the_field(client, leitung, query, field, message):
    response = client.get("/leitung/", query_string={"zeitraum": "custom", **query})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="field__error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert re.search(
        rf'<input[^>]*aria-invalid="true"[^>]*id="{field}"|id="{field}"[^>]*aria-invalid', page
    )
    assert 'id="partner-figures"' not in page


@pytest.mark.parametrize("query", [{"zeitraum": "jahr"}, {"partner": "abc"}, {"partner": "99999"}])
def test_unknown_choices_on_the_dashboard_are_refused(client, leitung, query):
    response = client.get("/leitung/", query_string=query)
    assert response.status_code == 422
    assert "Diese Auswahl gibt es nicht" in response.get_data(as_text=True)


def test_partner_choice_limits_the_figures(session, client, history, leitung, cases):
    ihk = cases.partner_id("ihk")
    page = client.get("/leitung/", query_string={**_custom(), "partner": ihk}).get_data(
        as_text=True
    )
    names = [r[0][0] for r in tables(page)["partner-figures"][1:]]
    assert names == ["IHK Wuppertal-Solingen-Remscheid", "Alle gezeigten Partner"]
    assert f'value="{ihk}" checked' in page


@pytest.mark.parametrize(
    ("column", "expected"),
    [(1, "all"), (2, "accepted"), (3, "declined"), (4, "withdrawn"), (6, "within")],
)
def test_each_ihk_count_leads_to_exactly_its_handovers(client, history, leitung, column, expected):
    page = client.get("/leitung/", query_string=_custom()).get_data(as_text=True)
    cell = row(page, "partner-figures", "IHK")[column]
    drill = client.get(cell[1])
    assert drill.status_code == 200
    shown = refs(drill.get_data(as_text=True))
    everything = history.accepted + list(history.declined) + history.withdrawn
    wanted = {
        "all": everything,
        "accepted": history.accepted,
        "declined": list(history.declined),
        "withdrawn": history.withdrawn,
        "within": history.within,
    }[expected]
    assert sorted(shown) == sorted(wanted)
    linked = cell[0] if expected != "within" else cell[0].split("(")[1]
    assert int(linked.split(" ")[0]) == len(shown)


def test_pending_count_leads_to_the_waiting_offer_flagged_over_target(client, history, leitung):
    page = client.get("/leitung/", query_string=_custom()).get_data(as_text=True)
    cell = row(page, "partner-figures", "Jobcenter")[5]
    drill = client.get(cell[1]).get_data(as_text=True)
    assert refs(drill) == history.pending
    assert "(läuft)" in drill
    waiting = row(page, "waiting-offers", history.pending[0])
    assert "Zielzeit überschritten" in waiting[-1][0]
    assert waiting[0][1].startswith("/faelle/")


def test_decline_reason_count_leads_to_that_decline(client, history, leitung):
    page = client.get("/leitung/", query_string=_custom()).get_data(as_text=True)
    declines = tables(page)["declines"]
    header = [text for text, _link in declines[0]]
    ihk = row(page, "declines", "IHK")
    cell = ihk[header.index("derzeit keine Kapazität")]
    assert count_text(cell) == 1
    shown = refs(client.get(cell[1]).get_data(as_text=True))
    assert shown == [ref for ref, reason in history.declined.items() if reason == "no_capacity"]


def test_drilldown_links_to_the_case_and_names_nobody(client, history, leitung):
    page = client.get("/leitung/uebergaben", query_string=_custom()).get_data(as_text=True)
    assert "Geheimname" not in page and "Mirela" not in page
    rows = tables(page)["handovers"][1:]
    assert all(r[0][1].startswith("/faelle/") for r in rows)
    assert history.old[0] not in refs(page)
    dashboard = client.get("/leitung/", query_string=_custom()).get_data(as_text=True)
    assert "Geheimname" not in dashboard and "Mirela" not in dashboard


@pytest.fixture
def many(session, cases, users):
    """Eight accepted IHK offers; (offered at, working seconds waited) by reference."""
    ihk = users("advisor", partner="ihk")
    made = {}
    start = NOW - timedelta(days=10)
    for i, minutes in enumerate((50, 20, 20, 90, 5, 70, 70, 30)):
        case, offer = _offer(session, cases, "ihk", start + timedelta(hours=i * 5))
        accept_offer(session, ihk, offer.offered_at + timedelta(minutes=minutes), case, offer.id)
        session.commit()
        # Offers made out of hours wait 0 working seconds: ties, to be broken by id.
        made[case.reference] = (offer.offered_at, offer.wait_business_seconds)
    return made


def _walk(client, url) -> tuple[list[str], list[str]]:
    """Every reference over all pages, following the "next" link; and the pages' aria-sort."""
    seen, sorts = [], []
    while url:
        page = client.get(url).get_data(as_text=True)
        assert len(refs(page)) <= 3
        seen += refs(page)
        sorts += re.findall(r'aria-sort="(\w+)"', page)
        link = re.search(r'<a class="button button--quiet" href="([^"]+)" rel="next">', page)
        url = unescape(link.group(1)) if link else None
    return seen, sorts


@pytest.mark.parametrize(
    ("sort", "direction"),
    [("angeboten", "auf"), ("angeboten", "ab"), ("wartezeit", "auf"), ("wartezeit", "ab")],
)
def test_sorted_pages_have_no_gaps_and_no_repeats(app, client, many, leitung, sort, direction):
    app.config["PAGE_SIZE"] = 3
    query = {**_custom(), "status": "accepted", "sortierung": sort, "richtung": direction}
    seen, sorts = _walk(
        client, "/leitung/uebergaben?" + "&".join(f"{k}={v}" for k, v in query.items())
    )
    assert sorted(seen) == sorted(many)  # all of them, each once
    assert len(seen) == len(many)
    position = 0 if sort == "angeboten" else 1
    keys = [many[ref][position] for ref in seen]
    assert keys == sorted(keys, reverse=direction == "ab")
    assert set(sorts) == {"descending" if direction == "ab" else "ascending"}


def test_sort_headers_switch_direction(client, many, leitung):
    page = client.get("/leitung/uebergaben", query_string=_custom()).get_data(as_text=True)
    assert '<th scope="col" aria-sort="ascending">' in page
    links = dict(re.findall(r'<a href="([^"]+)">(angeboten|Wartezeit \(Arbeitszeit\))', page))
    by_text = {text: unescape(url) for url, text in links.items()}
    assert "sortierung=angeboten&richtung=ab" in by_text["angeboten"]
    assert "sortierung=wartezeit&richtung=ab" in by_text["Wartezeit (Arbeitszeit)"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "verloren"},
        {"grund": "keine_lust"},
        {"ziel": "vielleicht"},
        {"partner": "abc"},
        {"partner": "99999"},
        {"zeitraum": "custom", "von": "2026-02-30", "bis": "2026-03-01"},
        {"zeitraum": "jahr"},
    ],
)
def test_drilldown_refuses_unknown_filters_with_400(client, leitung, query):
    response = client.get("/leitung/uebergaben", query_string=query)
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [{"sortierung": "name"}, {"richtung": "seitwärts"}, {"nach": "abc"}, {"nach": "999999"}],
)
def test_drilldown_ignores_unknown_order_and_position(client, history, leitung, query):
    assert client.get("/leitung/uebergaben", query_string=query).status_code == 200


@pytest.mark.parametrize("role", ["frontdesk", "advisor"])
def test_other_roles_get_403(client, users, auth, role):
    auth.login(users(role, partner="ihk" if role == "advisor" else None))
    assert client.get("/leitung/").status_code == 403
    assert client.get("/leitung/uebergaben").status_code == 403
    assert "Auswertung" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_find_the_dashboard_in_the_navigation(client, users, auth, role):
    auth.login(users(role))
    page = client.get("/leitung/").get_data(as_text=True)
    assert re.search(r'<a href="/leitung/" aria-current="page">Auswertung</a>', page)
    start = client.get("/").get_data(as_text=True)
    assert '<a href="/leitung/">Auswertung</a>' in start


def test_login_is_required(client):
    response = client.get("/leitung/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_carry_no_inline_style_and_are_not_cached(client, history, leitung):
    for url in ("/leitung/", "/leitung/uebergaben"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert "style=" not in page and "<style" not in page and "<script" not in page
        assert response.headers["Cache-Control"] == "no-store"


def test_charts_have_a_table_below(client, history, leitung):
    page = client.get("/leitung/", query_string=_custom()).get_data(as_text=True)
    for chart in ("chart-weekly", "chart-waiting"):
        svg = page.index(f'id="{chart}-title"')
        assert page.index("<details", svg) < page.index("</section>", svg)


def test_dashboard_statements_do_not_grow_with_the_data(
    session, client, cases, users, auth, count_queries
):
    ihk = users("advisor", partner="ihk")
    ihk_id = ihk.id

    def add(n, offset):
        for i in range(n):
            case, offer = _offer(
                session, cases, "ihk", NOW - timedelta(days=2 + (i + offset) % 20, hours=i)
            )
            if i % 3:
                advisor = session.get(User, ihk_id)
                accept_offer(
                    session, advisor, offer.offered_at + timedelta(hours=2), case, offer.id
                )
                session.commit()

    add(2, 0)
    auth.login(users("supervisor"))  # after the commits: its user must not expire in ``g``
    session.remove()  # requests share the test's session: start each count from a clean one
    with count_queries() as few:
        assert client.get("/leitung/").status_code == 200
    add(25, 2)
    session.remove()
    with count_queries() as many:
        assert client.get("/leitung/").status_code == 200
    assert len(few) == len(many) <= 26, "\n".join(s.split("\n")[0][:120] for s in many)
    session.remove()
    with count_queries() as drill:
        assert client.get("/leitung/uebergaben").status_code == 200
    assert len(drill) <= 4


def test_the_longest_waiting_offers_are_listed_and_all_are_counted(
    session, client, cases, leitung, monkeypatch
):
    monkeypatch.setattr("zentrum.services.dashboard.WAITING_SHOWN", 3)
    made = []
    for hours in (5, 50, 1, 30, 8):  # waiting that long, all at the IHK
        case, _offer_row = _offer(session, cases, "ihk", NOW - timedelta(hours=hours))
        made.append((hours, case.reference))
    session.commit()
    page = client.get("/leitung/").get_data(as_text=True)
    assert "5 Angebote warten jetzt auf Antwort" in page
    assert "Die 3 am längsten wartenden von 5 Angeboten" in page
    listed = [r[0][0] for r in tables(page)["waiting-offers"][1:]]
    longest = [ref for _hours, ref in sorted(made, reverse=True)[:3]]
    assert listed == longest
    dash = build_dashboard(session, preset("4weeks", NOW), None, NOW)
    assert dash.waiting_count == 5 and len(dash.waiting) == 3
    assert sum(n for _key, n in dash.waiting_by_share) == 5
