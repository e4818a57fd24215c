"""The consent section through the case page: forms, roles, revocation, four eyes, print view."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from zentrum.domain.clock import local_date
from zentrum.models import CaseEvent, Consent, Handover, LegalBasisRecord
from zentrum.services.consents import decide_basis, request_basis, revoke_consent
from zentrum.services.handover import accept_offer

WHY = "Leistungsanspruch muss mit dem Jobcenter geklärt werden, Person nicht erreichbar."


def _events(session, case) -> list[str]:
    session.rollback()
    stmt = sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def _consents(session) -> list[Consent]:
    session.rollback()
    return list(session.scalars(sa.select(Consent).order_by(Consent.id)))


def _form(cases, code="hwk", **overrides) -> dict:
    data = {
        "consent-partner": cases.partner_id(code),
        "consent-categories": ["master_data", "family"],
        "consent-purpose": "Beratung zur Ausbildung im Handwerk",
        "consent-given_on": local_date(datetime.now(UTC)).isoformat(),
        "consent-given_by": "young_person",
    }
    return {**data, **overrides}


@pytest.fixture
def desk(client, users, auth):
    user = users("frontdesk")
    auth.login(user)
    return user


def test_front_desk_records_a_consent_with_its_details(session, client, cases, desk):
    case = cases(consents=["ihk"])
    response = client.post(f"/faelle/{case.id}/einwilligungen", data=_form(cases))
    assert response.status_code == 302
    stored = _consents(session)[-1]
    assert (stored.partner_id, stored.categories, stored.given_by) == (
        cases.partner_id("hwk"),
        ["master_data", "family"],
        "young_person",
    )
    assert _events(session, case) == ["intake", "consent_given"]
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert "Einwilligungen und Rechtsgrundlagen" in page
    assert "Familie/Lebenssituation" in page and "Beratung zur Ausbildung im Handwerk" in page


def test_the_case_page_links_to_the_consent_pages_instead_of_holding_their_forms(
    client, cases, desk
):
    case = cases()
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert f'href="/faelle/{case.id}/einwilligungen"' in page
    assert f'href="/faelle/{case.id}/rechtsgrundlagen"' in page
    assert 'name="consent-purpose"' not in page and 'name="basis-justification"' not in page


def test_the_consent_page_starts_with_today_and_the_giver_the_age_asks_for(client, cases, desk):
    child = cases("Mia", "Klein", date(2015, 3, 1))
    page = client.get(
        f"/faelle/{child.id}/einwilligungen", query_string={"partner": cases.partner_id("hwk")}
    ).get_data(as_text=True)
    assert "<h1>Neue Einwilligung erfassen</h1>" in page
    assert f'value="{local_date(datetime.now(UTC)).isoformat()}"' in page
    assert re.search(
        r'<input[^>]*checked[^>]*value="guardians"|value="guardians"[^>]*checked', page
    )
    chosen = re.search(r'<select[^>]*name="consent-partner".*?</select>', page, re.S).group(0)
    assert re.search(rf'<option selected value="{cases.partner_id("hwk")}"', chosen)
    grown = cases("Ben", "Groß", date(2000, 1, 1))
    page = client.get(f"/faelle/{grown.id}/einwilligungen").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*value="young_person"|value="young_person"[^>]*checked', page
    )


def test_bad_input_is_shown_on_the_consent_page_not_the_case_page(session, client, cases, desk):
    case = cases()
    response = client.post(
        f"/faelle/{case.id}/einwilligungen", data=_form(cases, **{"consent-purpose": ""})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<h1>Neue Einwilligung erfassen</h1>" in page and 'id="consent-purpose-error"' in page
    assert 'id="history-heading"' not in page
    assert _consents(session) == []


def test_the_legal_basis_page_is_open_to_supervisors_but_not_admins(client, users, auth, cases):
    case = cases()
    auth.login(users("supervisor"))
    page = client.get(f"/faelle/{case.id}/rechtsgrundlagen").get_data(as_text=True)
    assert 'name="basis-justification"' in page
    assert client.get(f"/faelle/{case.id}/einwilligungen").status_code == 403
    auth.logout()
    auth.login(users("admin"))
    assert client.get(f"/faelle/{case.id}/rechtsgrundlagen").status_code == 403


def test_the_wrong_giver_is_refused_beside_the_field(session, client, cases, desk):
    case = cases("Mia", "Klein", date(2015, 3, 1))
    response = client.post(f"/faelle/{case.id}/einwilligungen", data=_form(cases))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="consent-given_by-error"' in page
    assert "jünger als 15 Jahre: Es willigen die Sorgeberechtigten ein" in page
    assert _consents(session) == []
    response = client.post(
        f"/faelle/{case.id}/einwilligungen", data=_form(cases, **{"consent-given_by": "guardians"})
    )
    assert response.status_code == 422
    assert 'id="consent-guardian_names-error"' in response.get_data(as_text=True)
    ok = client.post(
        f"/faelle/{case.id}/einwilligungen",
        data=_form(
            cases, **{"consent-given_by": "guardians", "consent-guardian_names": "Eva Klein"}
        ),
    )
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "error_id"),
    [
        ("consent-categories", [], "consent-categories-error"),
        ("consent-categories", ["secrets"], "consent-categories-error"),
        ("consent-purpose", "  ", "consent-purpose-error"),
        ("consent-given_on", "gestern", "consent-given_on-error"),
        ("consent-given_on", "2099-01-01", "consent-given_on-error"),
        ("consent-partner", "999999", "consent-partner-error"),
    ],
)
def test_bad_consent_input_is_a_422_and_stores_nothing(
    session, client, cases, desk, field, value, error_id
):
    case = cases()
    response = client.post(f"/faelle/{case.id}/einwilligungen", data=_form(cases, **{field: value}))
    assert response.status_code == 422
    assert f'id="{error_id}"' in response.get_data(as_text=True)
    assert _consents(session) == []


def test_supervisors_and_admins_do_not_record_consents(session, client, users, auth, cases):
    case = cases()
    for role in ("supervisor", "admin"):
        auth.login(users(role))
        response = client.post(f"/faelle/{case.id}/einwilligungen", data=_form(cases))
        assert response.status_code == 409, role
        assert "Die Leitung liest Fälle nur mit." in response.get_data(as_text=True)
        auth.logout()
    assert _consents(session) == []


def test_an_uninvolved_advisor_gets_404(client, users, auth, cases):
    case = cases(consents=["ihk"])
    auth.login(users("advisor", partner="hwk"))
    assert client.post(f"/faelle/{case.id}/einwilligungen", data=_form(cases)).status_code == 404
    assert client.get(f"/faelle/{case.id}/einwilligung/1/druck").status_code == 404


def test_revocation_asks_for_confirmation_then_withdraws_the_offer(session, client, cases, desk):
    case = cases(consents=["ihk"])
    offer = cases.offer(case, "ihk")
    consent = _consents(session)[0]
    url = f"/faelle/{case.id}/einwilligungen/{consent.id}/widerrufen"
    page = client.get(url).get_data(as_text=True)
    assert "Was der Widerruf bewirkt" in page and 'value="young_person" checked' in page
    unconfirmed = client.post(url, data={"revoked_by": "young_person"})
    assert unconfirmed.status_code == 422
    assert "Bitte den Widerruf bestätigen." in unconfirmed.get_data(as_text=True)
    assert _consents(session)[0].revoked_at is None
    wrong = client.post(url, data={"revoked_by": "guardians", "confirm": "y"})
    assert wrong.status_code == 422
    assert "widerruft selbst" in wrong.get_data(as_text=True)
    done = client.post(url, data={"revoked_by": "young_person", "confirm": "y", "note": "per Mail"})
    assert done.status_code == 302
    session.rollback()
    assert session.get(Handover, offer.id).status == "withdrawn"
    assert _events(session, case)[-2:] == ["consent_revoked", "withdraw"]
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert "wegen Widerrufs der Einwilligung" in page and "per Mail" in page
    again = client.post(
        f"/faelle/{case.id}/anbieten", data={"offer-partner": cases.partner_id("ihk")}
    )
    assert again.status_code == 422
    assert 'id="offer-partner-error"' in again.get_data(as_text=True)
    assert "Einwilligung für diese Partnerorganisation wurde widerrufen" in again.get_data(
        as_text=True
    )


def test_revocation_of_another_persons_consent_is_404(session, client, cases, desk):
    first = cases(consents=["ihk"])
    other = cases("Jonas", "Berg", consents=["ihk"])
    consent = _consents(session)[0]
    assert consent.case_id == first.id
    url = f"/faelle/{other.id}/einwilligungen/{consent.id}/widerrufen"
    assert client.get(url).status_code == 404


def test_supervisors_cannot_open_the_revocation_form(session, client, users, auth, cases):
    case = cases(consents=["ihk"])
    auth.login(users("supervisor"))
    consent = _consents(session)[0]
    assert (
        client.get(f"/faelle/{case.id}/einwilligungen/{consent.id}/widerrufen").status_code == 403
    )


def test_legal_basis_request_and_four_eyes_approval(session, client, users, auth, cases):
    case = cases()
    boss, other_boss = users("supervisor"), users("supervisor")
    auth.login(boss)
    short = client.post(
        f"/faelle/{case.id}/rechtsgrundlagen",
        data={
            "basis-partner": cases.partner_id("jobcenter"),
            "basis-basis": "sgb_ii_50",
            "basis-justification": "weil",
        },
    )
    assert short.status_code == 422
    assert 'id="basis-justification-error"' in short.get_data(as_text=True)
    ok = client.post(
        f"/faelle/{case.id}/rechtsgrundlagen",
        data={
            "basis-partner": cases.partner_id("jobcenter"),
            "basis-basis": "sgb_ii_50",
            "basis-justification": WHY,
        },
    )
    assert ok.status_code == 302
    session.rollback()
    record = session.scalar(sa.select(LegalBasisRecord))
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert "Eine andere Person der Leitung entscheidet" in page
    own = client.post(
        f"/faelle/{case.id}/rechtsgrundlagen/{record.id}/entscheiden",
        data={"decide-approve": "1"},
    )
    assert own.status_code == 409
    assert "Vier-Augen-Prinzip" in own.get_data(as_text=True)
    auth.logout()
    auth.login(other_boss)
    no_reason = client.post(
        f"/faelle/{case.id}/rechtsgrundlagen/{record.id}/entscheiden",
        data={"decide-refuse": "1"},
    )
    assert no_reason.status_code == 422
    assert f'id="decide-note-{record.id}-error"' in no_reason.get_data(as_text=True)
    approved = client.post(
        f"/faelle/{case.id}/rechtsgrundlagen/{record.id}/entscheiden",
        data={"decide-approve": "1"},
    )
    assert approved.status_code == 302
    assert _events(session, case)[-2:] == ["basis_requested", "basis_approved"]
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert "freigegeben" in page and "§ 50 SGB II" in page


def test_advisors_cannot_decide_a_legal_basis(session, client, users, auth, cases):
    case = cases(consents=["ihk"])
    desk = users("frontdesk")
    record = request_basis(
        session, desk, datetime.now(UTC), case, cases.partner("hwk"), "other", WHY
    )
    session.commit()
    cases.offer(case, "ihk")
    auth.login(users("advisor", partner="ihk"))
    response = client.post(
        f"/faelle/{case.id}/rechtsgrundlagen/{record.id}/entscheiden", data={"decide-approve": "1"}
    )
    assert response.status_code == 409
    assert "Nur die Leitung gibt Rechtsgrundlagen frei." in response.get_data(as_text=True)


def test_print_view_has_letterhead_categories_revocation_notice_and_no_navigation(
    session, client, cases, desk
):
    case = cases(consents=["ihk"])
    consent = _consents(session)[0]
    response = client.get(
        f"/faelle/{case.id}/einwilligung/{consent.partner_id}/druck?einwilligung={consent.id}"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Zentrum Zukunft Wuppertal" in page and "Lena Schmitz" in page
    assert "IHK Wuppertal-Solingen-Remscheid" in page and "Widerrufsrecht" in page
    assert "☒</span> Stammdaten" in page and "☐</span> Gesundheit" in page
    assert "Unterschrift des jungen Menschen" in page
    assert "print.css" in page and "Hauptnavigation" not in page
    assert page.count("<h1") == 1 and "<script" not in page and "style=" not in page
    blank = client.get(f"/faelle/{case.id}/einwilligung/druck?partner={cases.partner_id('hwk')}")
    assert blank.status_code == 200 and "Handwerkskammer" in blank.get_data(as_text=True)
    assert client.get(f"/faelle/{case.id}/einwilligung/druck").status_code == 404
    assert client.get(f"/faelle/{case.id}/einwilligung/999999/druck").status_code == 404


def test_print_stylesheet_hides_navigation_in_print(client, desk):
    response = client.get("/static/print.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@media print" in css and re.search(r"\.no-print[^{]*\{\s*display:\s*none", css)


def test_supervisors_see_a_flag_when_the_responsible_partner_lost_consent(
    session, client, users, auth, cases
):
    case = cases(consents=["ihk"])
    desk = cases.frontdesk()
    now = datetime.now(UTC)
    offer = cases.offer(case, "ihk", at=now - timedelta(minutes=5))
    accept_offer(
        session, users("advisor", partner="ihk"), now - timedelta(minutes=4), case, offer.id
    )
    session.commit()
    consent = _consents(session)[0]
    revoke_consent(session, desk, now, case, consent.id, "young_person")
    session.commit()
    auth.login(users("supervisor"))
    flag = "Einwilligung widerrufen – Fall liegt noch bei IHK Wuppertal-Solingen-Remscheid"
    start = client.get("/").get_data(as_text=True)
    assert flag in start, start
    assert flag in client.get(f"/faelle/{case.id}").get_data(as_text=True)


def test_jugendamt_notes_are_internal_by_default_and_marked(session, client, users, auth, cases):
    case = cases(consents=["jugendamt"])
    offer = cases.offer(case, "jugendamt")
    ja = users("advisor", partner="jugendamt")
    accept_offer(session, ja, datetime.now(UTC), case, offer.id)
    session.commit()
    auth.login(ja)
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*name="note-internal"|name="note-internal"[^>]*checked', page
    )
    assert "§ 65 SGB VIII" in page
    shared = client.post(f"/faelle/{case.id}/notizen", data={"note-body": "Hausbesuch"})
    assert shared.status_code == 422
    assert 'id="note-internal-error"' in shared.get_data(as_text=True)
    ok = client.post(
        f"/faelle/{case.id}/notizen", data={"note-body": "Hausbesuch", "note-internal": "y"}
    )
    assert ok.status_code == 302
    assert "intern (§ 65 SGB VIII)" in client.get(f"/faelle/{case.id}").get_data(as_text=True)


def test_approved_basis_lets_a_jugendamt_note_reach_that_partner(
    session, client, users, auth, cases
):
    case = cases(consents=["jugendamt", "ihk"])
    ja = users("advisor", partner="jugendamt")
    now = datetime.now(UTC)
    accept_offer(session, ja, now, case, cases.offer(case, "jugendamt").id)
    from zentrum.services.notes import add_note
    from zentrum.services.referrals import refer_case

    refer_case(session, ja, now, case, cases.partner("ihk"))
    record = request_basis(session, ja, now, case, cases.partner("ihk"), "sgb_viii_65_1_4", WHY)
    decide_basis(session, users("supervisor"), now, case, record.id, approve=True)
    add_note(session, ja, now, case, "Geteilte Notiz des Jugendamts", internal=False)
    session.commit()
    auth.login(users("advisor", partner="ihk"))
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert "Geteilte Notiz des Jugendamts" in page
    assert "geteilt mit Partnern mit freigegebener Rechtsgrundlage" in page
    auth.logout()
    auth.login(users("frontdesk"))
    assert "Geteilte Notiz des Jugendamts" not in client.get(f"/faelle/{case.id}").get_data(
        as_text=True
    )


def test_offer_choices_say_why_a_partner_may_or_may_not_receive(
    session, client, users, cases, desk
):
    case = cases(consents=["ihk", "hwk"])
    hwk = session.scalar(sa.select(Consent).where(Consent.partner_id == cases.partner_id("hwk")))
    now = datetime.now(UTC)
    revoke_consent(session, desk, now, case, hwk.id, "young_person")
    record = request_basis(session, desk, now, case, cases.partner("jobcenter"), "sgb_ii_50", WHY)
    decide_basis(session, users("supervisor"), now, case, record.id, approve=True)
    session.commit()
    page = client.get(f"/faelle/{case.id}").get_data(as_text=True)
    assert ">IHK Wuppertal-Solingen-Remscheid</option>" in page
    assert "Handwerkskammer Düsseldorf – Einwilligung widerrufen" in page
    assert "Jobcenter Wuppertal – ohne Einwilligung: Rechtsgrundlage freigegeben" in page
    assert "Bergische Universität Wuppertal – keine Einwilligung" in page
