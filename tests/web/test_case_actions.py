"""Routing, handover and work on a case through the case page."""

import re

import pytest
import sqlalchemy as sa

from zentrum.models import Case, CaseEvent, CaseNote, Handover, Referral


def _events(session, case) -> list[str]:
    session.rollback()
    stmt = sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def _page(client, case) -> str:
    response = client.get(f"/faelle/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def desk(client, users, auth):
    user = users("frontdesk")
    auth.login(user)
    return user


def test_front_desk_sees_the_suggestion_and_why(client, cases, desk):
    case = cases(topics=("apprenticeship",), consents=["ihk"])
    page = _page(client, case)
    assert "Vorschlag: IHK Wuppertal-Solingen-Remscheid" in page
    assert "Thema Ausbildung, 16–24 Jahre → IHK" in page
    assert "Weitere passende Regeln:" in page and "Handwerkskammer" in page


def test_no_rule_matching_keeps_the_case_at_the_front_desk(client, cases, desk):
    case = cases(topics=("culture",))
    assert "Keine Regel passt – der Fall bleibt beim Empfang" in _page(client, case)


def test_offer_to_the_suggested_partner_needs_no_reason(session, client, cases, desk):
    case = cases(consents=["ihk"])
    ihk = cases.partner("ihk")
    response = client.post(
        f"/faelle/{case.id}/anbieten", data={"offer-partner": ihk.id, "offer-note": "Bitte melden"}
    )
    assert response.status_code == 302
    offer = session.scalar(sa.select(Handover).where(Handover.case_id == case.id))
    assert offer.to_partner_id == ihk.id and offer.status == "pending"
    assert offer.suggestion_reason == "Thema Ausbildung, 16–24 Jahre → IHK"
    assert offer.override_reason is None
    assert _events(session, case) == ["intake", "offer"]
    assert session.get(Case, case.id).holder_partner_id is None  # not before acceptance


def test_choosing_another_partner_asks_for_a_reason_beside_the_field(session, client, cases, desk):
    case = cases(consents=["ihk", "jobcenter"])
    other = cases.partner("jobcenter")
    response = client.post(f"/faelle/{case.id}/anbieten", data={"offer-partner": other.id})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="offer-override_reason-error"' in page
    assert "warum Sie vom Vorschlag abweichen" in page
    assert _events(session, case) == ["intake"]
    ok = client.post(
        f"/faelle/{case.id}/anbieten",
        data={"offer-partner": other.id, "offer-override_reason": "Hat schon Kontakt"},
    )
    assert ok.status_code == 302
    offer = session.scalar(sa.select(Handover).where(Handover.case_id == case.id))
    assert offer.override_reason == "Hat schon Kontakt"
    assert "Abweichend vom Vorschlag, weil: Hat schon Kontakt" in _page(client, case)


def test_offer_without_consent_is_refused_with_a_clear_message(session, client, cases, desk):
    case = cases(consents=[])
    response = client.post(
        f"/faelle/{case.id}/anbieten", data={"offer-partner": cases.partner("ihk").id}
    )
    assert response.status_code == 422
    assert "keine Einwilligung der Person vor" in response.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count(Handover.id))) == 0


def test_crisis_goes_to_the_jugendamt_without_consent_and_says_so(session, client, cases, desk):
    case = cases(urgency="crisis", topics=("family",), consents=[])
    jugendamt = cases.partner("jugendamt")
    response = client.post(f"/faelle/{case.id}/anbieten", data={"offer-partner": jugendamt.id})
    assert response.status_code == 302
    offer = session.scalar(sa.select(Handover).where(Handover.case_id == case.id))
    assert offer.legal_basis == "child_protection"
    assert "Kinderschutz (§ 8a SGB VIII)" in _page(client, case)


def test_advisor_accepts_from_the_queue_and_owns_the_case(session, client, cases, users, auth):
    case = cases(consents=["ihk"])
    offer = cases.offer(case, "ihk")
    advisor = users("advisor", partner="ihk")
    auth.login(advisor)
    inbox = client.get("/eingang").get_data(as_text=True)
    assert case.reference in inbox and "seit unter 1 Min." in inbox
    response = client.post(f"/faelle/{case.id}/angebote/{offer.id}/annehmen")
    assert response.status_code == 302
    session.rollback()
    stored = session.get(Case, case.id)
    assert stored.holder_partner_id == cases.partner("ihk").id
    assert stored.responsible_user_id == advisor.id and stored.status == "with_partner"
    assert case.reference in client.get("/meine-faelle").get_data(as_text=True)
    assert case.reference not in client.get("/eingang").get_data(as_text=True)
    assert "angenommen nach unter 1 Min." in _page(client, case)


def test_second_accept_is_told_who_took_the_offer(session, client, cases, users, auth):
    case = cases(consents=["ihk"])
    offer = cases.offer(case, "ihk")
    first = users("advisor", partner="ihk")
    auth.login(first)
    assert client.post(f"/faelle/{case.id}/angebote/{offer.id}/annehmen").status_code == 302
    auth.logout()
    auth.login(users("advisor", partner="ihk"))
    late = client.post(f"/faelle/{case.id}/angebote/{offer.id}/annehmen")
    assert late.status_code == 409
    assert f"bereits von {first.display_name} angenommen" in late.get_data(as_text=True)
    assert _events(session, case).count("accept") == 1


def test_decline_needs_a_reason_and_leaves_the_case_with_the_sender(
    session, client, cases, users, auth
):
    case = cases(consents=["ihk"])
    offer = cases.offer(case, "ihk")
    auth.login(users("advisor", partner="ihk"))
    url = f"/faelle/{case.id}/angebote/{offer.id}/ablehnen"
    missing = client.post(url, data={"decline-reason": "other", "decline-comment": ""})
    assert missing.status_code == 422
    assert "Bitte den Grund kurz erläutern." in missing.get_data(as_text=True)
    assert client.post(url, data={"decline-reason": "no_capacity"}).status_code == 302
    session.rollback()
    assert session.get(Handover, offer.id).decline_reason == "no_capacity"
    assert session.get(Case, case.id).holder_partner_id is None
    assert "Grund: derzeit keine Kapazität" in _page(client, case)


def test_holder_withdraws_and_can_offer_again(session, client, cases, desk):
    case = cases(consents=["ihk", "hwk"])
    offer = cases.offer(case, "ihk", actor=desk)
    assert client.post(f"/faelle/{case.id}/angebote/{offer.id}/zurueckziehen").status_code == 302
    again = client.post(
        f"/faelle/{case.id}/anbieten", data={"offer-partner": cases.partner("ihk").id}
    )
    assert again.status_code == 302
    assert _events(session, case) == ["intake", "offer", "withdraw", "offer"]


def test_second_offer_while_one_is_open_is_refused(session, client, cases, desk):
    case = cases(consents=["ihk", "hwk"])
    cases.offer(case, "ihk", actor=desk)
    response = client.post(
        f"/faelle/{case.id}/anbieten",
        data={"offer-partner": cases.partner("hwk").id, "offer-override_reason": "x"},
    )
    assert response.status_code == 409
    assert "schon ein offenes Übergabeangebot" in response.get_data(as_text=True)


def _held_by(cases, users, session, code="ihk", consents=("ihk", "hwk", "jobcenter")):
    """A case accepted by an advisor of ``code``; returns (case, advisor)."""
    from datetime import UTC, datetime

    from zentrum.services.handover import accept_offer

    case = cases(consents=list(consents))
    offer = cases.offer(case, code)
    advisor = users("advisor", partner=code)
    accept_offer(session, advisor, datetime.now(UTC), session.get(Case, case.id), offer.id)
    session.commit()
    return case, advisor


def test_handover_to_another_partner_keeps_responsibility_until_accepted(
    session, client, cases, users, auth
):
    case, advisor = _held_by(cases, users, session)
    auth.login(advisor)
    response = client.post(
        f"/faelle/{case.id}/anbieten",
        data={
            "offer-partner": cases.partner("hwk").id,
            "offer-note": "Handwerk passt besser",
            "offer-override_reason": "Tischlerlehre gewünscht",
        },
    )
    assert response.status_code == 302
    session.rollback()
    assert session.get(Case, case.id).holder_partner_id == cases.partner("ihk").id
    auth.logout()
    hwk = users("advisor", partner="hwk")
    auth.login(hwk)
    page = _page(client, case)
    assert "Handwerk passt besser" in page
    offer_id = re.search(r"/angebote/(\d+)/annehmen", page)[1]
    assert client.post(f"/faelle/{case.id}/angebote/{offer_id}/annehmen").status_code == 302
    session.rollback()
    assert session.get(Case, case.id).holder_partner_id == cases.partner("hwk").id


def test_referral_involves_a_partner_while_the_lead_stays(session, client, cases, users, auth):
    case, advisor = _held_by(cases, users, session)
    auth.login(advisor)
    jobcenter = cases.partner("jobcenter")
    assert (
        client.post(
            f"/faelle/{case.id}/hinzuziehen",
            data={"refer-partner": jobcenter.id, "refer-note": "BAB prüfen"},
        ).status_code
        == 302
    )
    auth.logout()
    auth.login(users("advisor", partner="jobcenter"))
    inbox = client.get("/eingang").get_data(as_text=True)
    assert case.reference in inbox and "Hinzuziehung" in inbox
    referral = session.scalar(sa.select(Referral).where(Referral.case_id == case.id))
    url = f"/faelle/{case.id}/hinzuziehungen/{referral.id}/annehmen"
    assert client.post(url).status_code == 302
    session.rollback()
    assert session.get(Referral, referral.id).status == "active"
    assert session.get(Case, case.id).holder_partner_id == cases.partner("ihk").id
    assert _events(session, case)[-2:] == ["refer", "referral_accept"]


def test_advisor_records_first_contact_once_and_closes(session, client, cases, users, auth):
    case, advisor = _held_by(cases, users, session)
    auth.login(advisor)
    assert client.post(f"/faelle/{case.id}/erstkontakt").status_code == 302
    assert client.post(f"/faelle/{case.id}/erstkontakt").status_code == 409
    missing = client.post(f"/faelle/{case.id}/abschliessen", data={"close-outcome": ""})
    assert missing.status_code == 422 and "Bitte ein Ergebnis wählen." in missing.get_data(
        as_text=True
    )
    done = client.post(
        f"/faelle/{case.id}/abschliessen", data={"close-outcome": "apprenticeship_found"}
    )
    assert done.status_code == 302
    session.rollback()
    stored = session.get(Case, case.id)
    assert stored.status == "closed" and stored.outcome == "apprenticeship_found"
    assert case.reference not in client.get("/meine-faelle").get_data(as_text=True)
    reopen = client.post(f"/faelle/{case.id}/wiedereroeffnen", data={"reopen-reason": "Neue Frage"})
    assert reopen.status_code == 302
    assert _events(session, case)[-3:] == ["first_contact", "close", "reopen"]


def test_notes_are_shared_or_internal(session, client, cases, users, auth):
    case, advisor = _held_by(cases, users, session)
    auth.login(advisor)
    client.post(f"/faelle/{case.id}/notizen", data={"note-body": "Geteilte Notiz"})
    client.post(
        f"/faelle/{case.id}/notizen", data={"note-body": "Nur für die IHK", "note-internal": "y"}
    )
    own = _page(client, case)
    assert "Geteilte Notiz" in own and "Nur für die IHK" in own
    auth.logout()
    auth.login(users("frontdesk"))
    other = _page(client, case)
    assert "Geteilte Notiz" in other and "Nur für die IHK" not in other
    assert other.count(">zur Notiz</a>") == 1  # the internal note leaves no trace in the history
    first = session.scalar(sa.select(CaseNote).where(CaseNote.internal.is_(False)))
    client.post(
        f"/faelle/{case.id}/notizen",
        data={"note-body": "Korrektur: Termin am Montag", "note-addendum_to": first.id},
    )
    assert "Ergänzung" in _page(client, case)
    assert session.scalar(sa.select(sa.func.count(CaseNote.id))) == 3


def test_supervisor_reads_but_cannot_act(session, client, cases, users, auth):
    case = cases(consents=["ihk"])
    auth.login(users("supervisor"))
    page = _page(client, case)
    assert "Übergabe anbieten" not in page and "Notiz speichern" not in page
    response = client.post(
        f"/faelle/{case.id}/anbieten", data={"offer-partner": cases.partner("ihk").id}
    )
    assert response.status_code == 409
    assert _events(session, case) == ["intake"]


def test_actions_on_cases_out_of_sight_are_404(session, client, cases, users, auth):
    case = cases(consents=["ihk"])
    offer = cases.offer(case, "ihk")
    auth.login(users("advisor", partner="jobcenter"))
    for url in (
        f"/faelle/{case.id}/angebote/{offer.id}/annehmen",
        f"/faelle/{case.id}/notizen",
        f"/faelle/{case.id}/anbieten",
        f"/faelle/{case.id}/abschliessen",
    ):
        assert client.post(url, data={"note-body": "x"}).status_code == 404, url
    assert _events(session, case) == ["intake", "offer"]


def test_button_forms_refuse_a_missing_csrf_token(app_factory, session, cases, users):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    case = cases(consents=["ihk"])
    offer = cases.offer(case, "ihk")
    advisor = users("advisor", partner="ihk")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    client.post(
        "/login",
        data={"username": advisor.username, "password": "richtig-geheim-1", "csrf_token": token},
    )
    response = client.post(f"/faelle/{case.id}/angebote/{offer.id}/annehmen")
    assert response.status_code == 400
    assert _events(session, case) == ["intake", "offer"]


def test_front_desk_internal_notes_stay_at_the_front_desk(session, client, cases, users, auth):
    case = cases(consents=["ihk"])
    auth.login(users("frontdesk"))
    client.post(
        f"/faelle/{case.id}/notizen",
        data={"note-body": "Nur für den Empfang", "note-internal": "y"},
    )
    assert "Nur für den Empfang" in _page(client, case)
    for role in ("supervisor", "admin"):
        auth.logout()
        auth.login(users(role))
        assert "Nur für den Empfang" not in _page(client, case), role


def test_uninvolved_advisor_cannot_write_notes_even_on_a_guessed_case(session, cases, users):
    from datetime import UTC, datetime

    from zentrum.domain.lifecycle import TransitionError
    from zentrum.services.notes import add_note

    case = cases()
    with pytest.raises(TransitionError, match="not_involved"):
        add_note(
            session,
            users("advisor", partner="uni"),
            datetime.now(UTC),
            session.get(Case, case.id),
            "Hallo",
        )
