"""The Protokoll pages: search, paging, who saw a case or person; leadership only, read only."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from zentrum.domain.vocab import AuditAction
from zentrum.models import AuditEntry
from zentrum.services import audit
from zentrum.services.audit import record, record_search


def _rows(page: str) -> int:
    table = page.split('id="audit-entries"', 1)
    if len(table) == 1:
        return 0
    return table[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")


def _searches(session) -> list[AuditEntry]:
    session.rollback()
    stmt = sa.select(AuditEntry).where(AuditEntry.action == AuditAction.AUDIT_SEARCH)
    return list(session.scalars(stmt.order_by(AuditEntry.id)))


@pytest.fixture
def leitung(client, users, auth):
    user = users("supervisor")
    auth.login(user)
    return user


@pytest.mark.parametrize("role", ["frontdesk", "advisor"])
def test_only_leadership_reads_the_log(client, users, auth, role):
    auth.login(users(role, partner="ihk" if role == "advisor" else None))
    for url in ("/protokoll/", "/protokoll/fall/1", "/protokoll/person/1"):
        assert client.get(url).status_code == 403, url
    assert "Protokoll</a>" not in client.get("/").get_data(as_text=True)


def test_admin_reads_the_log_too(client, users, auth):
    auth.login(users("admin"))
    assert client.get("/protokoll/").status_code == 200


def test_no_route_of_the_log_changes_anything(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_the_log_filters_by_user_and_action_and_records_the_search(session, client, leitung, users):
    other = users("frontdesk")
    record(session, AuditAction.LOGIN, user=other)
    record(session, AuditAction.LOGOUT, user=other)
    session.commit()
    page = client.get(f"/protokoll/?benutzer={other.username.upper()}&aktion=login")
    assert page.status_code == 200
    table = page.get_data(as_text=True).split('id="audit-entries"')[1]
    assert _rows(page.get_data(as_text=True)) == 1
    assert "<td>Anmeldung</td>" in table and "Abmeldung" not in table
    (search,) = _searches(session)
    assert search.user_id == leitung.id
    assert search.details == {"username": other.username.upper(), "action": "login"}


def test_the_log_finds_a_case_by_reference_with_its_search_hits(
    session, client, leitung, cases, users
):
    case, other = cases(), cases("Max", "Muster")
    record(session, AuditAction.CASE_VIEW, user=leitung, case_id=case.id)
    record(session, AuditAction.CASE_VIEW, user=leitung, case_id=other.id)
    record_search(session, [other.id, case.id], user=leitung)
    session.commit()
    text = client.get(f"/protokoll/?fall={case.reference.lower()}").get_data(as_text=True)
    assert _rows(text) == 2
    assert "Fall angesehen" in text and "Fallsuche" in text
    assert _searches(session)[-1].case_id == case.id


def test_an_unknown_reference_is_explained_beside_the_field(session, client, leitung):
    response = client.get("/protokoll/?fall=ZZ-2026-99999")
    assert response.status_code == 422
    assert "Einen Fall mit diesem Aktenzeichen gibt es nicht." in response.get_data(as_text=True)
    bad = client.get("/protokoll/?fall=hallo&von=31.12.2026&bis=01.01.2026")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Aktenzeichen wie ZZ-2026-00042" in text and "„bis“ darf nicht vor „von“" in text
    assert _searches(session) == []


def _at(monkeypatch, moment: datetime) -> None:
    """Entries recorded from now on carry this time."""
    monkeypatch.setattr(audit, "utcnow", lambda: moment)


def test_the_period_is_read_in_wuppertal_time(session, client, leitung, monkeypatch):
    # 23:30 UTC on 30 Nov is 00:30 on 1 Dec in Wuppertal.
    _at(monkeypatch, datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    record(session, AuditAction.LOGIN, username="nachteule")
    session.commit()
    monkeypatch.undo()
    assert "nachteule" not in client.get("/protokoll/?bis=2026-11-30").get_data(as_text=True)
    text = client.get("/protokoll/?von=2026-12-01&bis=2026-12-01").get_data(as_text=True)
    assert "nachteule" in text and "01.12.2026, 00:30" in text


def test_the_log_pages_newest_first_without_gaps(session, client, leitung, monkeypatch):
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(60):
        _at(monkeypatch, start + timedelta(minutes=n // 2))  # pairs share a moment
        record(session, AuditAction.LOGIN_FAILED, username=f"u{n:02d}")
    session.commit()
    monkeypatch.undo()
    first = client.get("/protokoll/?aktion=login_failed").get_data(as_text=True)
    assert _rows(first) == 50
    shown = re.findall(r"<td>(u\d\d)</td>", first)
    assert shown[0] == "u59" and shown[-1] == "u10"
    next_url = re.search(r'href="([^"]+)" rel="next"', first)[1].replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert re.findall(r"<td>(u\d\d)</td>", second) == [f"u{n:02d}" for n in range(9, -1, -1)]
    assert 'rel="next"' not in second


def test_the_log_page_runs_a_fixed_number_of_statements(session, client, leitung, count_queries):
    def statements() -> int:
        session.commit()  # the same start each time: the logged-in user is read anew
        with count_queries() as seen:
            assert client.get("/protokoll/").status_code == 200
        return len(seen)

    few = statements()
    for n in range(30):
        record(session, AuditAction.CASE_VIEW, username=f"x{n}", case_id=n + 1)
    assert statements() == few


def test_who_saw_this_case_lists_every_access_and_nothing_else(
    session, client, leitung, cases, users, auth
):
    case, other = cases(consents=["jobcenter"]), cases("Max", "Muster")
    advisor = users("advisor", partner="jobcenter")
    record(session, AuditAction.CASE_VIEW, user=advisor, case_id=case.id)
    record(session, AuditAction.ACCESS_REFUSED, user=advisor, case_id=case.id)
    record_search(session, [case.id], user=advisor)
    record(session, AuditAction.CASE_VIEW, user=advisor, case_id=other.id)
    session.commit()
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert f'href="/protokoll/fall/{case.id}"' in page
    text = client.get(f"/protokoll/fall/{case.id}").get_data(as_text=True)
    assert "Wer hat diesen Fall gesehen?" in text
    # The three accesses above and the supervisor's own view of the case page just now.
    assert _rows(text) == 4
    assert text.count("Zugriff verweigert") == 1 and text.count("Fallsuche") == 1
    (search,) = _searches(session)
    assert (search.case_id, search.details) == (case.id, {"view": "case"})


def test_front_desk_sees_no_link_to_who_saw_the_case(client, cases, users, auth):
    case = cases()
    auth.login(users("frontdesk"))
    assert "/protokoll/" not in client.get(f"/faelle/{case.id}").get_data(as_text=True)


def test_accesses_to_a_person_cover_all_their_cases(session, client, leitung, cases):
    first = cases("Kunigunde", "Quastenflosser")
    person_id = first.members[0].person_id
    second = cases("Kunigunde", "Quastenflosser", existing_person_id=person_id)
    stranger = cases("Max", "Muster")
    record(session, AuditAction.CASE_VIEW, username="a", case_id=first.id)
    record(session, AuditAction.CASE_VIEW, username="b", case_id=second.id)
    record(session, AuditAction.SUBJECT_ACCESS, username="c", person_id=person_id)
    record(session, AuditAction.CASE_VIEW, username="d", case_id=stranger.id)
    session.commit()
    text = client.get(f"/protokoll/person/{person_id}").get_data(as_text=True)
    assert "Kunigunde Quastenflosser" in text
    assert sorted(re.findall(r"<td>([abcd])</td>", text)) == ["a", "b", "c"]
    (search,) = _searches(session)
    assert search.person_id == person_id
