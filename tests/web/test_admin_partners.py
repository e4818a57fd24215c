"""The partner page: target times in hours and working days, addresses, active flag, roles."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from zentrum.models import Partner
from zentrum.services.partners import (
    InvalidPartner,
    PartnerData,
    PartnerNotAllowed,
    update_partner,
)

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.fixture
def admin(users, auth):
    user = users("admin")
    auth.login(user)
    return user


def partner(session, code: str) -> Partner:
    return session.scalar(sa.select(Partner).where(Partner.code == code))


def snapshot(session) -> list[tuple]:
    """Every partner's editable values, fresh from the database."""
    session.rollback()
    session.expire_all()
    rows = session.scalars(sa.select(Partner).order_by(Partner.id))
    return [(p.id, p.target_minutes, p.email, p.active) for p in rows]


def row(page: str, partner_id: int) -> str:
    return re.search(rf'<tr id="partner-{partner_id}">.*?</tr>', page, re.S)[0]


def form(**overrides) -> dict:
    data = {"target_hours": "7,5", "email": "team@ihk.example.org", "active": "y", "save": "1"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def error_beside(page: str, field_id: str) -> str:
    return re.search(rf'<p class="field__error" id="{field_id}-error">(.*?)</p>', page, re.S)[1]


def test_list_shows_targets_in_hours_and_working_days(session, client, admin):
    partner(session, "hwk").target_minutes = 300
    partner(session, "uni").target_minutes = 1200
    partner(session, "jobcenter").target_minutes = 90
    session.commit()
    page = client.get("/admin/partner").get_data(as_text=True)
    assert "Partnerorganisationen und Zielzeiten" in page
    ihk = row(page, partner(session, "ihk").id)
    assert "IHK Wuppertal-Solingen-Remscheid" in ihk
    assert "10 Std. (1 Arbeitstag)" in ihk
    assert "ihk@zentrum-zukunft.example" in ihk and ">aktiv<" in ihk
    assert "5 Std. (0,5 Arbeitstage)" in row(page, partner(session, "hwk").id)
    assert "20 Std. (2 Arbeitstage)" in row(page, partner(session, "uni").id)
    assert "1,5 Std. (0,15 Arbeitstage)" in row(page, partner(session, "jobcenter").id)
    assert "Kinderschutz" in row(page, partner(session, "jugendamt").id)
    assert "ein Arbeitstag hat 10 Stunden" in page


def test_rules_page_links_to_the_partners(client, admin):
    page = client.get("/admin/regeln").get_data(as_text=True)
    assert 'href="/admin/partner">Partnerorganisationen und Zielzeiten</a>' in page


def test_edit_form_shows_the_stored_values(session, client, admin):
    hwk = partner(session, "hwk")
    hwk.target_minutes = 450
    session.commit()
    page = client.get(f"/admin/partner/{hwk.id}").get_data(as_text=True)
    assert 'value="7,5"' in page
    assert 'value="hwk@zentrum-zukunft.example"' in page
    assert "checked" in re.search(r'<input[^>]*id="active"[^>]*>', page)[0]


def test_saving_stores_target_address_and_flag(session, client, admin):
    ihk_id = partner(session, "ihk").id
    response = client.post(
        f"/admin/partner/{ihk_id}", data=form(target_hours="7,5", email=" Team@IHK.example.org ")
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/partner#partner-{ihk_id}")
    stored = session.get(Partner, ihk_id, populate_existing=True)
    assert (stored.target_minutes, stored.email, stored.active) == (
        450,
        "Team@ihk.example.org",
        True,
    )
    page = client.get("/admin/partner").get_data(as_text=True)
    assert "Die Angaben zu „IHK Wuppertal-Solingen-Remscheid“ wurden gespeichert." in page
    assert "7,5 Std. (0,75 Arbeitstage)" in row(page, ihk_id)


def test_empty_address_and_switching_off(session, client, admin):
    hwk_id = partner(session, "hwk").id
    response = client.post(
        f"/admin/partner/{hwk_id}", data=form(target_hours="200", email="", active=None)
    )
    assert response.status_code == 302
    stored = session.get(Partner, hwk_id, populate_existing=True)
    assert (stored.target_minutes, stored.email, stored.active) == (12000, None, False)
    assert ">inaktiv<" in row(client.get("/admin/partner").get_data(as_text=True), hwk_id)


@pytest.mark.parametrize(
    "overrides,field_id,message",
    [
        ({"target_hours": ""}, "target_hours", "Bitte eine Zielzeit angeben."),
        ({"target_hours": "0,5"}, "target_hours", "von 1 bis 200 Stunden"),
        ({"target_hours": "200,5"}, "target_hours", "von 1 bis 200 Stunden"),
        ({"target_hours": "-3"}, "target_hours", "Zahl von Stunden"),
        ({"target_hours": "zehn"}, "target_hours", "Zahl von Stunden"),
        ({"target_hours": "1e2"}, "target_hours", "Zahl von Stunden"),
        ({"target_hours": "7,555"}, "target_hours", "Zahl von Stunden"),
        ({"target_hours": "\u0663"}, "target_hours", "Zahl von Stunden"),
        ({"email": "kein-at-zeichen"}, "email", "gültige E-Mail-Adresse"),
        ({"email": "a@b"}, "email", "gültige E-Mail-Adresse"),
        ({"email": "a@" + "b" * 260 + ".de"}, "email", "Höchstens 254 Zeichen."),
        ({"email": "team@ihk.de\x1b"}, "email", "Steuerzeichen"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_stored(
    session, client, admin, overrides, field_id, message
):
    before = snapshot(session)
    ihk_id = partner(session, "ihk").id
    response = client.post(f"/admin/partner/{ihk_id}", data=form(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in error_beside(page, field_id)
    assert "Bitte prüfen Sie Ihre Eingaben" in page
    assert snapshot(session) == before


def test_child_protection_partner_stays_active(session, client, admin):
    before = snapshot(session)
    jugendamt_id = partner(session, "jugendamt").id
    response = client.post(f"/admin/partner/{jugendamt_id}", data=form(active=None))
    assert response.status_code == 422
    assert "bleibt deshalb aktiv" in error_beside(response.get_data(as_text=True), "active")
    assert snapshot(session) == before
    assert client.post(f"/admin/partner/{jugendamt_id}", data=form()).status_code == 302


@pytest.mark.parametrize(
    "role,code", [("frontdesk", None), ("advisor", "ihk"), ("supervisor", None)]
)
def test_only_admins_edit_partners(session, client, users, auth, role, code):
    auth.login(users(role, partner=code))
    before = snapshot(session)
    ihk_id = partner(session, "ihk").id
    assert client.get("/admin/partner").status_code == 403
    assert client.get(f"/admin/partner/{ihk_id}").status_code == 403
    assert client.post(f"/admin/partner/{ihk_id}", data=form()).status_code == 403
    assert snapshot(session) == before


def test_unknown_partner_is_a_404(client, admin):
    assert client.get("/admin/partner/99999").status_code == 404
    assert client.post("/admin/partner/99999", data=form()).status_code == 404


def test_service_refuses_non_admins_and_bad_values(session, users):
    ihk = partner(session, "ihk")
    with pytest.raises(PartnerNotAllowed):
        update_partner(session, users("supervisor"), NOW, ihk, PartnerData(600))
    admin = users("admin")
    for data, field in (
        (PartnerData(59), "target_minutes"),
        (PartnerData(12001), "target_minutes"),
        (PartnerData(600, email="nicht gültig"), "email"),
        (PartnerData(600, email="a@" + "b" * 250 + ".de"), "email"),
    ):
        with pytest.raises(InvalidPartner) as refused:
            update_partner(session, admin, NOW, ihk, data)
        assert refused.value.field == field
    assert ihk.target_minutes == 600  # refused before anything was written
    update_partner(session, admin, NOW, ihk, PartnerData(60, email="  ", active=False))
    assert (ihk.target_minutes, ihk.email, ihk.active) == (60, None, False)
