"""Subject access (Art. 15) for admins, and the generated record of processing (Art. 30)."""

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.services.test_retention import worked_case
from zentrum.domain.vocab import AuditAction
from zentrum.models import AuditEntry, CaseMember, Partner
from zentrum.services.audit import record, verify
from zentrum.services.notes import add_note


@pytest.fixture
def admin(users, auth):
    user = users("admin")
    auth.login(user)
    return user


@pytest.fixture
def lena(session, cases, users):
    """Lena Müller's worked case, with her mother Petra on it, and a second case of her own."""
    case = worked_case(session, cases, users, last="Müller")
    cases("Lena", "Müller", date(2005, 5, 17), existing_person_id=case.young_person.id)
    return case


def audit_entries(session, action: str) -> list[AuditEntry]:
    session.rollback()
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(stmt))


@pytest.mark.parametrize("role", ["frontdesk", "advisor", "supervisor"])
def test_only_admins_give_subject_access(client, users, auth, lena, role):
    auth.login(users(role, partner="ihk" if role == "advisor" else None))
    person_id = lena.young_person.id
    for url in (
        "/admin/auskunft",
        f"/admin/auskunft/{person_id}",
        f"/admin/auskunft/{person_id}.json",
    ):
        assert client.get(url).status_code == 403, url


def lena_case_ids(session, person_id: int) -> list[int]:
    session.rollback()
    stmt = sa.select(CaseMember.case_id).where(CaseMember.person_id == person_id)
    return sorted(session.scalars(stmt))


def test_search_ignores_spelling(session, client, admin, lena):
    page = client.get("/admin/auskunft?name=lena+MUELLER").get_data(as_text=True)
    assert "Lena Müller" in page and lena.reference in page
    assert "Petra" not in page  # another person
    page = client.get("/admin/auskunft?name=mueller").get_data(as_text=True)
    assert "Lena Müller" in page and "Petra Müller" in page
    page = client.get("/admin/auskunft?name=m%C3%BCller&birth_date=17.05.2005").get_data(
        as_text=True
    )
    assert "Lena Müller" in page and "Petra Müller" not in page
    page = client.get("/admin/auskunft?name=mueller&birth_date=2001-01-01").get_data(as_text=True)
    assert "0 Personen gefunden" in page
    searches = audit_entries(session, AuditAction.SEARCH)
    assert len(searches) == 4 and "ller" not in str([e.details for e in searches])
    assert searches[0].details["case_ids"] == lena_case_ids(session, lena.young_person.id)
    assert searches[-1].details == {"results": 0, "case_ids": []}


def test_access_log_lists_searches_that_showed_the_persons_cases(session, client, admin, lena):
    client.get("/admin/auskunft?name=lena+mueller")
    data = json.loads(
        client.get(f"/admin/auskunft/{lena.young_person.id}.json").get_data(as_text=True)
    )
    [search] = data["access_log"]
    assert search["action"] == "Suche" and lena.reference in search["case"]


def test_search_refuses_bad_input_beside_the_field(client, admin):
    response = client.get("/admin/auskunft?name=&birth_date=31.02.2005")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page and "Bitte einen Namen angeben." in page
    assert 'id="birth_date-error"' in page and "TT.MM.JJJJ" in page


def test_page_shows_everything_about_the_person_but_not_about_others(session, client, admin, lena):
    person_id = lena.young_person.id
    record(session, AuditAction.CASE_VIEW, user=admin, case_id=lena.id)
    session.commit()
    response = client.get(f"/admin/auskunft/{person_id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert page.count("<h1>") == 1 and "Lena Müller" in page
    assert "0202 123456" in page and "lena@example.org" in page and "42103" in page
    assert lena.reference in page and "Ausbildung" in page
    assert "Lena hat einen Termin am Montag." in page and "Intern: Mutter anrufen." in page
    assert "Lena ist schon bei uns" in page and "Lena zog nach Köln" in page
    assert "IHK Wuppertal-Solingen-Remscheid" in page and "Jobcenter Wuppertal" in page
    assert "Elternteil" in page and "Petra" not in page
    assert "Test Advisor" not in page  # staff by organisation, not by name
    assert "Zugriffsprotokoll" in page and "Fall angesehen" in page
    assert "print.css" in page  # base.html links the print styles on every page


def test_json_download_holds_the_same_and_is_logged(session, client, admin, lena):
    person_id = lena.young_person.id
    response = client.get(f"/admin/auskunft/{person_id}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["first_name"] == "Lena" and data["person"]["birth_date"] == "2005-05-17"
    assert [c["reference"] for c in data["cases"]][0] == lena.reference and len(data["cases"]) == 2
    first = data["cases"][0]
    assert first["other_members"] == ["Elternteil"]
    assert [n["text"] for n in first["notes"]][1] == "Intern: Mutter anrufen."
    assert first["notes"][1]["internal"] is True
    assert [h["status"] for h in first["handovers"]] == ["abgelehnt", "angenommen"]
    assert first["history"][-1]["kind"] == "Fall abgeschlossen"
    assert first["history"][-1]["details"] == {
        "Ergebnis": "anderes Ergebnis (bitte erläutern)",
        "Kommentar": "Lena zog nach Köln",
    }
    assert first["history"][4]["details"] == {"Wartezeit": "2 Std. 0 Min."}
    assert {c["partner"] for c in data["consents"]} == {
        "IHK Wuppertal-Solingen-Remscheid",
        "Jobcenter Wuppertal",
    }
    assert "Petra" not in json.dumps(data, ensure_ascii=False)
    [entry] = audit_entries(session, AuditAction.SUBJECT_ACCESS)
    assert entry.person_id == person_id and entry.user_id == admin.id
    assert entry.details == {"format": "json"}
    # The next export lists the earlier one in its access log.
    again = json.loads(client.get(f"/admin/auskunft/{person_id}.json").get_data(as_text=True))
    assert [e["action"] for e in again["access_log"]] == ["Auskunft nach Art. 15 DSGVO"]
    assert again["access_log"][0]["organisation"] == "Administration"
    assert verify(session) == []


def test_unknown_person_is_404_and_not_logged(session, client, admin):
    assert client.get("/admin/auskunft/99999").status_code == 404
    assert client.get("/admin/auskunft/99999.json").status_code == 404
    assert audit_entries(session, AuditAction.SUBJECT_ACCESS) == []


def test_export_runs_a_fixed_number_of_statements(
    session, client, admin, cases, users, count_queries
):
    one = worked_case(session, cases, users, first="Anna", last="Eins")
    many = worked_case(session, cases, users, first="Ben", last="Viele")
    desk = cases.frontdesk()
    for _ in range(3):
        case = cases("Ben", "Viele", date(2005, 5, 17), existing_person_id=many.young_person.id)
        add_note(session, desk, datetime.now(UTC), case, "Noch eine Notiz")
        session.commit()
    # The first audit entry creates the chain's head: warm up before counting.
    client.get(f"/admin/auskunft/{one.young_person.id}")
    counts = []
    for case in (one, many):
        with count_queries() as statements:
            assert client.get(f"/admin/auskunft/{case.young_person.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_record_of_processing_for_admins_and_supervisors(client, users, auth):
    for role in ("frontdesk", "advisor"):
        auth.login(users(role, partner="ihk" if role == "advisor" else None))
        assert client.get("/verarbeitungsverzeichnis").status_code == 403
        auth.logout()
    for role in ("supervisor", "admin"):
        auth.login(users(role))
        page = client.get("/verarbeitungsverzeichnis").get_data(as_text=True)
        assert "Verzeichnis von Verarbeitungstätigkeiten" in page
        assert ("Auskunft nach Art. 15" in page) == (role == "admin")
        auth.logout()


def test_record_follows_configuration_and_partners(app, session, client, admin):
    page = client.get("/verarbeitungsverzeichnis").get_data(as_text=True)
    assert "3 Jahre nach Abschluss anonymisiert" in page
    assert "Jugendamt Wuppertal – Kinderschutz" in page
    assert "Argon2id" in page and "Stadt Wuppertal" in page
    assert "Vorname, Nachname, Geburtsdatum" in page and "Elternteil" in page
    assert "Jugendberufshilfe" not in page
    app.config["RETENTION_YEARS"] = 5
    session.add(Partner(code="jbh", name="Jugendberufshilfe Wuppertal", child_protection=False))
    session.commit()
    page = client.get("/verarbeitungsverzeichnis").get_data(as_text=True)
    assert "5 Jahre nach Abschluss anonymisiert" in page
    assert "Jugendberufshilfe Wuppertal" in page


def test_vvz_command_prints_markdown(app, session):
    app.config["CONTROLLER_NAME"] = "Stadt Musterstadt"
    result = app.test_cli_runner().invoke(args=["vvz"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Verzeichnis von Verarbeitungstätigkeiten")
    assert "## Empfänger" in result.output and "- Jobcenter Wuppertal" in result.output
    assert "Stadt Musterstadt" in result.output and "3 Jahre" in result.output
    assert "&" not in result.output.replace("&amp;", "")  # not HTML-escaped
    app.config["RETENTION_YEARS"] = 10
    assert "10 Jahre nach Abschluss" in app.test_cli_runner().invoke(args=["vvz"]).output


def test_record_names_every_stored_account_field_in_words(client, admin):
    page = client.get("/verarbeitungsverzeichnis").get_data(as_text=True)
    assert "muss Passwort ändern" in page and "must_change_password" not in page
    assert "locale" not in page


def test_consent_and_legal_basis_steps_show_in_words(app):
    """The consent branch's history details: labels, not stored keys and codes; no ids."""
    from zentrum.subject_access import _details

    with app.test_request_context():
        shown = _details(
            {
                "consent_id": 7,
                "basis_id": 3,
                "categories": ["master_data", "contact"],
                "given_by": "guardians",
                "given_on": "2026-11-24",
                "revoked_by": "young_person",
                "basis": "sgb_ii_50",
            }
        )
    assert shown == {
        "Datenkategorien": "Stammdaten (Name, Geburtsdatum, Anschrift), Kontaktdaten (Telefon, E-Mail)",
        "Erteilt von": "die Sorgeberechtigten (unter 15 Jahren)",
        "Erteilt am": "2026-11-24",
        "Widerrufen von": "der junge Mensch selbst (ab 15 Jahren)",
        "Rechtsgrundlage": "§ 50 SGB II – Datenübermittlung durch das Jobcenter",
    }
