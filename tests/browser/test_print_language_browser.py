"""Print views and the language choice in a real browser: CSP-clean script, print media."""

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_case_summary_prints_without_navigation(live_server, page, users, cases):
    users("frontdesk", username="empfang")
    case = cases("Jonas", "Becker", consents=["ihk"])
    cases.offer(case, "ihk")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    login(page, live_server, "empfang")
    page.goto(f"{live_server}/faelle/{case.id}")
    page.get_by_role("link", name="Drucken").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == f"Zusammenfassung des Anliegens {case.reference}"
    button = page.get_by_role("button", name="Drucken")
    assert button.is_visible()  # print.js ran under the strict CSP and showed it
    assert page.locator(".site-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not button.is_visible()
    assert page.locator("h1").is_visible()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Übergabeblatt").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == f"Übergabeblatt {case.reference}"
    assert problems == []


def test_choosing_english_in_the_header(live_server, page, users):
    users("advisor", partner="ihk", username="ihk")
    login(page, live_server, "ihk")
    page.get_by_role("link", name="Sprache").click()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "The language has been saved." in page.locator(".flashes").inner_text()
    assert page.get_by_role("button", name="Log out").is_visible()
    page.get_by_role("link", name="Inbox").click()
    assert page.locator("h1").inner_text().startswith("Inbox")
