"""The front desk records an enquiry with a family member in a real browser."""

import re

import pytest

pytestmark = pytest.mark.browser


def test_front_desk_records_an_enquiry_with_a_family_member(live_server, page, users):
    frontdesk = users("frontdesk", username="empfang")
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    page.get_by_label("Benutzername").fill(frontdesk.username)
    page.get_by_label("Passwort").fill("richtig-geheim-1")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Neues Anliegen aufnehmen").click()
    assert page.locator("h1").inner_text() == "Neues Anliegen aufnehmen"

    page.get_by_label("Vorname").first.fill("Aylin")
    page.get_by_label("Nachname").first.fill("Kaya")
    page.get_by_label("Geburtsdatum", exact=True).fill("2009-03-14")
    page.get_by_label("Stadtbezirk").select_option(label="Oberbarmen")
    page.get_by_label("Gesprochene Sprache").select_option(label="Türkisch")
    page.get_by_role("button", name="Angehörige hinzufügen").click()
    # Without script the page comes back with one more row and the typed data kept.
    assert page.get_by_label("Vorname").first.input_value() == "Aylin"
    member = page.get_by_role("group", name="Angehörige Person 1")
    member.get_by_label("Vorname").fill("Fatma")
    member.get_by_label("Nachname").fill("Kaya")
    member.get_by_label("Beziehung").select_option(label="Elternteil")
    page.get_by_label("Ausbildung", exact=True).check()
    page.get_by_label("Beschreibung des Anliegens").fill("Sucht einen Ausbildungsplatz.")
    page.get_by_label("dringend").check()
    page.get_by_label("IHK Wuppertal-Solingen-Remscheid").check()
    page.get_by_role("button", name="Anliegen speichern").click()

    page.wait_for_url(re.compile(r".*/faelle/\d+(#weiterleiten)?$"))
    heading = page.locator("h1").inner_text()
    assert re.fullmatch(r"Anliegen ZZ-\d{4}-\d{5}", heading)
    persons = page.get_by_role("table", name="Personen im Anliegen").inner_text()
    assert "Aylin Kaya" in persons and "Fatma Kaya" in persons and "Elternteil" in persons
    assert "14.03.2009" in persons and "Oberbarmen" in persons and "Türkisch" in persons
    body = page.locator("main").inner_text()
    assert "dringend" in body and "Ausbildung" in body
    assert "IHK Wuppertal-Solingen-Remscheid" in body
    assert "Anliegen aufgenommen" in body
    assert "wurde gespeichert" in body


def test_form_errors_are_shown_beside_the_fields(live_server, page, users):
    frontdesk = users("frontdesk", username="empfang")
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill(frontdesk.username)
    page.get_by_label("Passwort").fill("richtig-geheim-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/anliegen/neu")
    page.get_by_label("E-Mail (optional)").fill("nicht-gueltig@")
    page.get_by_role("button", name="Anliegen speichern").click()
    assert page.locator("#first_name-error").inner_text() == "Bitte den Vornamen angeben."
    assert "gültige E-Mail-Adresse" in page.locator("#email-error").inner_text()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("E-Mail (optional)").input_value() == "nicht-gueltig@"
