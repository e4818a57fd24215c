"""Start page, case page, search, error pages and headers."""

import re
from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture
def frontdesk(users, auth):
    user = users("frontdesk")
    auth.login(user)
    return user


def test_start_page_lists_newest_first_and_pages_by_index(app, client, cases, frontdesk):
    app.config["PAGE_SIZE"] = 3
    now = datetime.now(UTC)
    made = [cases(f"Vorname{i}", "Seite", at=now - timedelta(days=10 - i)) for i in range(7)]
    page = client.get("/").get_data(as_text=True)
    refs = re.findall(r">(ZZ-\d{4}-\d{5})</a>", page)
    assert refs == [c.reference for c in reversed(made)][:3]
    next_url = re.search(r'href="(/\?vor=\d+)" rel="next"', page)[1]
    second = client.get(next_url).get_data(as_text=True)
    assert (
        re.findall(r">(ZZ-\d{4}-\d{5})</a>", second) == [c.reference for c in reversed(made)][3:6]
    )
    assert "Zu den neuesten" in second


def test_start_page_counts_todays_enquiries(client, cases, frontdesk):
    cases("Heute", "Eins")
    cases("Heute", "Zwei")
    cases("Alt", "Drei", at=datetime.now(UTC) - timedelta(days=3))
    page = client.get("/").get_data(as_text=True)
    assert "wurden 2 Anliegen aufgenommen" in page


def test_case_lists_show_todays_cases_as_today_and_older_ones_with_their_date(
    client, cases, frontdesk
):
    now = datetime.now(UTC)
    cases("Heute", "Liste", at=now)
    cases("Gestern", "Liste", at=now - timedelta(days=2))
    page = client.get("/faelle/suche", query_string={"q": "Liste"}).get_data(as_text=True)
    cells = re.findall(
        r"<td>(<strong>heute</strong>, \d\d:\d\d|\d\d\.\d\d\.\d{4}, \d\d:\d\d)</td>", page
    )
    assert len(cells) == 2
    assert cells[0].startswith("<strong>heute</strong>, ")
    assert not cells[1].startswith("<strong>")


def test_start_page_runs_the_same_number_of_statements_for_few_and_many(
    client, cases, frontdesk, count_queries
):
    cases("Eins", "Wenig")
    with count_queries() as few:
        client.get("/")
    for i in range(20):
        cases(
            f"Viele{i}",
            "Mehr",
            members=[("Eva", "Mehr", "parent")],
            topics=("apprenticeship", "benefits"),
        )
    with count_queries() as many:
        client.get("/")
    assert len(few) == len(many)
    assert len(many) <= 6


def test_case_page_shows_times_in_wuppertal_as_german_dates(client, cases, frontdesk):
    case = cases(at=datetime(2026, 11, 24, 13, 5, tzinfo=UTC))
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert "24.11.2026, 14:05" in page  # 13:05 UTC is 14:05 in Wuppertal in winter
    summer = cases("Sommer", "Kind", at=datetime(2026, 7, 1, 6, 30, tzinfo=UTC))
    assert "01.07.2026, 08:30" in client.get(f"/faelle/{summer.id}").get_data(as_text=True)


def test_case_page_is_not_cached(client, cases, frontdesk):
    case = cases()
    assert client.get(f"/faelle/{case.id}").headers["Cache-Control"] == "no-store"


def test_unknown_case_is_404_in_german(client, frontdesk):
    response = client.get("/faelle/999999")
    assert response.status_code == 404
    assert "Nicht gefunden" in response.get_data(as_text=True)


def test_advisor_gets_404_until_their_partner_is_offered_the_case(
    session, client, cases, users, auth
):
    case = cases(consents=["jobcenter"])
    auth.login(users("advisor", partner="jobcenter"))
    assert client.get(f"/faelle/{case.id}").status_code == 404
    link = f'href="/faelle/{case.id}"'
    assert link not in client.get("/").get_data(as_text=True)
    found = client.get(f"/faelle/suche?q={case.reference}").get_data(as_text=True)
    assert link not in found and "0 Treffer" in found
    cases.offer(case, "jobcenter")
    assert client.get(f"/faelle/{case.id}").status_code == 200


def test_search_finds_by_reference_and_by_name(client, cases, frontdesk):
    jurgen = cases("Jürgen", "Weiß")
    cases("Anna", "Berg")
    by_ref = client.get(f"/faelle/suche?q={jurgen.reference.lower()}").get_data(as_text=True)
    assert jurgen.reference in by_ref and "Anna Berg" not in by_ref
    by_name = client.get("/faelle/suche?q=juergen+weiss").get_data(as_text=True)
    assert "Jürgen Weiß" in by_name and "1 Treffer" in by_name
    nothing = client.get("/faelle/suche?q=Niemand").get_data(as_text=True)
    assert "Keine Anliegen gefunden" in nothing


def test_search_says_when_it_shows_only_the_newest_hits(monkeypatch, client, cases, frontdesk):
    from zentrum.web.cases import views

    monkeypatch.setattr(views, "SEARCH_LIMIT", 3)
    now = datetime.now(UTC)
    made = [cases(f"Vorname{i}", "Vielfach", at=now - timedelta(days=i)) for i in range(3)]
    page = client.get("/faelle/suche?q=Vielfach").get_data(as_text=True)
    assert "3 Treffer" in page and "Mehr als" not in page
    older = cases("Vorname9", "Vielfach", at=now - timedelta(days=9))
    page = client.get("/faelle/suche?q=Vielfach").get_data(as_text=True)
    assert "Mehr als 3 Treffer" in page and "Die 3 neuesten werden gezeigt" in page
    shown = re.findall(r">(ZZ-\d{4}-\d{5})</a>", page)
    assert shown == [case.reference for case in made] and older.reference not in shown


def test_every_response_carries_security_headers(client, frontdesk):
    for url in ("/", "/faelle/suche", "/gibt-es-nicht", "/login"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_are_german_with_one_h1_a_skip_link_and_no_inline_script(client, cases, frontdesk):
    case = cases()
    for url in ("/", "/anliegen/neu", f"/faelle/{case.id}", "/faelle/suche?q=Lena"):
        page = client.get(url).get_data(as_text=True)
        assert '<html lang="de">' in page
        assert page.count("<h1") == 1, url
        assert 'href="#inhalt"' in page
        # Scripts only as static files (the CSP allows nothing else), never inline.
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
        assert len(scripts) == page.count("<script"), url
        assert all(body == "" for body in scripts), url
        assert all(
            re.fullmatch(r'<script src="/static/[\w.-]+\.js" defer>', tag)
            for tag in re.findall(r"<script\b[^>]*>", page)
        ), url
        assert "style=" not in page, url
        assert not re.search(r"<[^>]+\son[a-z]+=", page), url  # no inline event handlers


def test_every_intake_field_has_a_label(client, frontdesk):
    page = client.get("/anliegen/neu").get_data(as_text=True)
    fields = re.findall(r"<(?:input|select|textarea)[^>]*>", page)
    fields = [f for f in fields if 'type="submit"' not in f and 'type="hidden"' not in f]
    ids = [re.search(r'\bid="([^"]+)"', f)[1] for f in fields]
    assert len(ids) > 20
    for field_id in ids:
        if field_id == "csrf_token":
            continue
        assert f'for="{field_id}"' in page, field_id
