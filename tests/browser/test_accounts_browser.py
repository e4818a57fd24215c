"""An admin creates a supervisor's account; the supervisor sets up the second factor."""

import pyotp
import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_new_supervisor_enrols_and_chooses_a_password(users, live_server, new_page, tmp_path):
    users("admin", username="chefin")
    admin = new_page()
    login(admin, live_server, "chefin")
    admin.get_by_role("link", name="Benutzer").click()
    admin.get_by_role("link", name="Neues Konto").click()
    admin.get_by_label("Benutzername").fill("m.klein")
    admin.get_by_label("Name", exact=True).fill("Martina Klein")
    admin.get_by_label("Rolle").select_option(label="Leitung")
    admin.get_by_role("button", name="Konto anlegen").click()
    password = admin.locator("#one-time-password").inner_text()
    assert len(password) == 19

    lead = new_page()
    lead.goto(f"{live_server}/login")
    lead.get_by_label("Benutzername").fill("m.klein")
    lead.get_by_label("Passwort").fill(password)
    lead.get_by_role("button", name="Anmelden").click()
    assert lead.get_by_role("heading", level=1).inner_text() == "Zweiten Faktor einrichten"
    qr = lead.get_by_role("img", name="QR-Code mit dem Schlüssel für die Authenticator-App")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 200
    lead.screenshot(path=str(tmp_path / "enrol.png"), full_page=True)
    secret = lead.locator("code.secret").first.inner_text().replace(" ", "")
    lead.get_by_label("Code aus der Authenticator-App").fill(pyotp.TOTP(secret).now())
    lead.get_by_role("button", name="Einrichten und anmelden").click()

    assert lead.get_by_role("heading", level=1).inner_text() == "Passwort ändern"
    lead.get_by_label("Bisheriges Passwort").fill(password)
    lead.get_by_label("Neues Passwort", exact=True).fill("Eigenes-Passwort-2026")
    lead.get_by_label("Neues Passwort wiederholen").fill("Eigenes-Passwort-2026")
    lead.get_by_role("button", name="Passwort ändern").click()
    assert lead.get_by_role("heading", level=1).inner_text() == "Mein Konto"
    assert lead.get_by_role("link", name="Auswertung").is_visible()

    admin.get_by_role("link", name="Benutzer").click()
    row = admin.locator("tr", has_text="m.klein")
    assert "eingerichtet" in row.inner_text() and "Leitung" in row.inner_text()
