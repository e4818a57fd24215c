"""An admin finds a person, reads the subject access page, prints it and downloads the JSON."""

import json
from pathlib import Path

import pytest

from tests.browser.conftest import login
from tests.services.test_retention import worked_case

pytestmark = pytest.mark.browser


def test_admin_gives_subject_access_in_the_browser(session, cases, users, live_server, page):
    case = worked_case(session, cases, users, first="Jörg", last="Weiß")
    admin = users("admin")
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    login(page, live_server, admin.username)
    page.get_by_role("link", name="Datenschutz").click()
    assert (
        "Verzeichnis von Verarbeitungstätigkeiten"
        in page.get_by_role("heading", level=1).inner_text()
    )
    page.get_by_role("link", name="Auskunft nach Art. 15 DSGVO erteilen").click()
    page.get_by_label("Name").fill("joerg weiss")
    page.get_by_role("button", name="Person suchen").click()
    page.get_by_role("link", name="Auskunft anzeigen – Jörg Weiß").click()
    assert "Jörg Weiß" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", name=f"Fall {case.reference}").is_visible()
    assert page.get_by_text("Jörg zog nach Köln").is_visible()

    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Hauptnavigation").is_visible()
    assert not page.get_by_role("link", name="Als JSON herunterladen").is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Als JSON herunterladen").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["person"]["last_name"] == "Weiß"
    assert errors == []  # no CSP violations or script errors
