"""What the audit log records from the web: logins, views, refusals, searches, exports, changes."""

import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from zentrum.domain.vocab import AuditAction
from zentrum.extensions import db
from zentrum.models import AuditCaseRef, AuditEntry, Case, CaseNote
from zentrum.models.base import utcnow
from zentrum.services import audit
from zentrum.web.auth import sessions

SECRET_NOTE = "Vertrauliche Notiz über Familie Quastenflosser"


def _entries(session, action=None) -> list[AuditEntry]:
    session.rollback()  # see what the requests committed
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    return list(session.scalars(stmt))


def _everything(session) -> str:
    """Every stored field of every entry, as one text to search for secrets."""
    return json.dumps(
        [[e.username, e.action, e.address, e.details] for e in _entries(session)],
        ensure_ascii=False,
    )


def test_login_failed_login_and_logout_are_recorded(session, client, auth, users):
    user = users("frontdesk")
    assert auth.login("Niemand-Hier", "geheimes-passwort-9").status_code == 401
    assert auth.login(user).status_code == 302
    assert auth.logout().status_code == 302
    entries = _entries(session)
    assert [e.action for e in entries] == ["login_failed", "login", "logout"]
    failed, login, logout = entries
    assert (failed.user_id, failed.username) == (None, "Niemand-Hier")
    assert (login.user_id, login.username) == (user.id, user.username)
    assert logout.user_id == user.id
    assert all(e.address == "127.0.0.1" for e in entries)
    assert "geheimes-passwort-9" not in _everything(session)
    assert PASSWORD not in _everything(session)
    assert audit.verify(session) == []


def test_an_expired_session_is_recorded_for_its_user(session, client, auth, users, monkeypatch):
    user = users("frontdesk")
    auth.login(user)
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(sessions, "session_clock", lambda: later)
    assert client.get("/").status_code == 302
    expired = _entries(session, AuditAction.SESSION_EXPIRED)
    assert [(e.user_id, e.username) for e in expired] == [(user.id, user.username)]


def test_a_case_view_is_recorded_after_the_page_was_built(session, client, auth, cases, users):
    case = cases()
    user = users("frontdesk")
    auth.login(user)
    assert client.get(f"/faelle/{case.id}").status_code == 200
    (view,) = _entries(session, AuditAction.CASE_VIEW)
    assert (view.case_id, view.user_id) == (case.id, user.id)


def test_refused_case_access_is_recorded_and_answers_404(session, client, auth, cases, users):
    case = cases()
    advisor = users("advisor", partner="jobcenter")
    auth.login(advisor)
    assert client.get(f"/faelle/{case.id}").status_code == 404
    assert client.post(f"/faelle/{case.id}/notizen", data={"note-body": "x"}).status_code == 404
    assert client.get("/faelle/987654").status_code == 404
    refused = _entries(session, AuditAction.ACCESS_REFUSED)
    assert [(e.case_id, e.user_id, e.details["endpoint"]) for e in refused] == [
        (case.id, advisor.id, "cases.show"),
        (case.id, advisor.id, "cases.add_note"),
        (987654, advisor.id, "cases.show"),
    ]
    assert _entries(session, AuditAction.CASE_VIEW) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(CaseNote)) == 0


def test_a_search_keeps_the_cases_shown_never_the_name_typed(session, client, auth, cases, users):
    found = cases("Kunigunde", "Quastenflosser")
    cases("Anna", "Andere")
    auth.login(users("frontdesk"))
    page = client.get("/faelle/suche?q=Quastenflosser").get_data(as_text=True)
    assert found.reference in page
    (search,) = _entries(session, AuditAction.SEARCH)
    assert search.details == {"results": 1, "case_ids": [found.id]}
    refs = session.execute(sa.select(AuditCaseRef.case_id, AuditCaseRef.entry_id)).all()
    assert refs == [(found.id, search.id)]
    assert "Quastenflosser" not in _everything(session)


def test_a_note_is_recorded_as_a_change_without_its_text(session, client, auth, cases, users):
    case = cases()
    user = users("frontdesk")
    auth.login(user)
    response = client.post(f"/faelle/{case.id}/notizen", data={"note-body": SECRET_NOTE})
    assert response.status_code == 302
    (change,) = _entries(session, AuditAction.CHANGE)
    assert (change.case_id, change.user_id) == (case.id, user.id)
    assert change.details["endpoint"] == "cases.add_note"
    assert "case_notes" in change.details["tables"]
    assert "Quastenflosser" not in _everything(session)


def test_an_intake_is_recorded_with_the_new_case(session, client, auth, users):
    from tests.web.test_intake import _form

    auth.login(users("frontdesk"))
    assert client.post("/anliegen/neu", data=_form(session)).status_code == 302
    (change,) = _entries(session, AuditAction.CHANGE)
    case_id = session.scalar(sa.select(Case.id))
    assert change.case_id == case_id
    assert change.person_id == session.get(Case, case_id).young_person.id
    assert change.details["endpoint"] == "intake.new"
    assert {"cases", "persons", "case_events"} <= set(change.details["tables"])


def test_an_offer_records_one_change_for_its_two_commits(session, client, auth, cases, users):
    case = cases(consents=["ihk"])
    auth.login(users("frontdesk"))
    ihk = cases.partner("ihk")
    response = client.post(f"/faelle/{case.id}/anbieten", data={"offer-partner": ihk.id})
    assert response.status_code == 302
    changes = _entries(session, AuditAction.CHANGE)
    assert [(c.case_id, c.details["endpoint"]) for c in changes] == [(case.id, "cases.offer")]


def test_an_export_is_recorded(session, client, auth, users):
    user = users("supervisor")
    auth.login(user)
    query = "zeitraum=custom&von=2026-10-01&bis=2026-10-31"
    assert client.get(f"/leitung/export/uebergaben.csv?{query}").status_code == 200
    (export,) = _entries(session, AuditAction.EXPORT)
    assert export.user_id == user.id
    assert export.details == {
        "what": "uebergaben",
        "format": "csv",
        "period": ["2026-10-01", "2026-10-31"],
        "partner_ids": [],
        "rows": 0,
    }


@pytest.fixture
def error_pages(app):
    """A client that gets the error pages (as in production) instead of the exception."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app.test_client()


def _failing(monkeypatch) -> None:
    """Every audit write fails, wherever ``record`` was imported."""

    def fail(*_args, **_kwargs):
        raise audit.AuditError("audit store unavailable")

    monkeypatch.setattr(audit, "_lock_head", fail)


def test_a_login_that_cannot_be_recorded_does_not_log_in(error_pages, users, monkeypatch):
    user = users("frontdesk")
    _failing(monkeypatch)
    response = error_pages.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 500
    assert error_pages.get("/").status_code == 302  # still not logged in


def test_a_failed_change_entry_rolls_the_action_back(
    session, error_pages, cases, users, monkeypatch
):
    case = cases()
    user = users("frontdesk")
    client = error_pages
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    _failing(monkeypatch)
    response = client.post(f"/faelle/{case.id}/notizen", data={"note-body": SECRET_NOTE})
    assert response.status_code == 500
    assert "Es wurde nichts gespeichert." in response.get_data(as_text=True)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(CaseNote)) == 0
    monkeypatch.undo()
    assert _entries(session, AuditAction.CHANGE) == []


def test_a_case_page_is_not_shown_when_its_view_cannot_be_recorded(
    error_pages, cases, users, monkeypatch
):
    case = cases()
    user = users("frontdesk")
    client = error_pages
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    _failing(monkeypatch)
    response = client.get(f"/faelle/{case.id}")
    assert response.status_code == 500
    assert case.reference not in response.get_data(as_text=True)


def _begins(app):
    """Collect the BEGIN statements SQLite transactions start with (SQLite's own trace:
    the write lock is asked for on the driver's connection, past SQLAlchemy's events)."""
    seen: list[str] = []

    def trace(statement):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    def checkout(dbapi_connection, _record, _proxy):
        dbapi_connection.set_trace_callback(trace)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "checkout", checkout)
    return engine, checkout, seen


def test_sqlite_requests_take_the_write_lock_unless_read_only(
    app, session, client, auth, cases, users
):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite's locking")
    url = f"/faelle/{cases().id}"
    auth.login(users("supervisor"))
    session.rollback()  # the login request ran in the test's session; end its transaction
    engine, listener, seen = _begins(app)
    try:
        with app.app_context():  # a session of its own, as in production
            client.get(url)
        assert seen and set(seen) == {"BEGIN IMMEDIATE"}
        seen.clear()
        with app.app_context():
            client.get("/leitung/")  # the dashboard only reads: no write lock
        assert seen and set(seen) == {"BEGIN"}
    finally:
        sa.event.remove(engine, "checkout", listener)


def test_case_views_and_notes_at_once_all_succeed(app, session, cases, users):
    """Readers (audited views) and writers in parallel: no "database is locked", one chain."""
    case_id = cases().id
    names = [users("frontdesk").username for _ in range(4)]
    session.rollback()
    barrier = threading.Barrier(len(names), timeout=30)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def work(index: int, name: str):
        try:
            client = app.test_client()
            client.post("/login", data={"username": name, "password": PASSWORD})
            barrier.wait()
            for n in range(4):
                if index % 2:
                    url = f"/faelle/{case_id}/notizen"
                    response = client.post(url, data={"note-body": f"Notiz {n}"})
                else:
                    response = client.get(f"/faelle/{case_id}")
                statuses.append(response.status_code)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=pair) for pair in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(set(statuses)) == [200, 302]
    assert len(_entries(session, AuditAction.CASE_VIEW)) == 8
    assert len(_entries(session, AuditAction.CHANGE)) == 8
    assert audit.verify(session) == []


def test_a_change_outside_any_case_names_what_was_changed(session, client, auth, users):
    from zentrum.models import Partner

    admin = users("admin")
    auth.login(admin)
    ihk_id = session.scalar(sa.select(Partner.id).where(Partner.code == "ihk"))
    data = {"target_hours": "8", "email": "team@ihk.example.org", "active": "y", "save": "1"}
    assert client.post(f"/admin/partner/{ihk_id}", data=data).status_code == 302
    (change,) = _entries(session, AuditAction.CHANGE)
    assert (change.user_id, change.case_id) == (admin.id, None)
    assert change.details == {
        "endpoint": "admin.edit_partner",
        "tables": ["partners"],
        "ids": {"partner_id": ihk_id},
    }
