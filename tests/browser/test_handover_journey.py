"""A case travels from the front desk through two partners, in a real browser."""

import re

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_enquiry_is_routed_accepted_noted_handed_over_and_accepted(
    live_server, new_page, users, cases
):
    users("frontdesk", username="empfang")
    users("advisor", partner="ihk", username="ihk")
    users("advisor", partner="hwk", username="hwk")
    case = cases("Jonas", "Becker", topics=("apprenticeship",), consents=["ihk", "hwk"])

    desk = new_page()
    login(desk, live_server, "empfang")
    desk.goto(f"{live_server}/faelle/{case.id}")
    suggestion = desk.locator(".suggestion").inner_text()
    assert "Vorschlag: IHK Wuppertal-Solingen-Remscheid" in suggestion
    assert "Thema Ausbildung, 16–24 Jahre → IHK" in suggestion
    assert desk.get_by_label("Übergeben an").input_value() == str(cases.partner("ihk").id)
    desk.get_by_label("Übergabenotiz für den Partner (optional)").fill("Sucht Lehrstelle")
    desk.get_by_role("button", name="Übergabe anbieten").click()
    assert "Die Übergabe wurde angeboten." in desk.locator(".flashes").inner_text()

    ihk = new_page()
    login(ihk, live_server, "ihk")
    assert ihk.locator("h1").inner_text().startswith("Eingang")
    row = ihk.get_by_role("row").filter(has_text=case.reference)
    assert "seit" in row.inner_text()
    row.get_by_role("link", name=case.reference).click()
    ihk.get_by_role("button", name="Fall annehmen").click()
    assert "Sie haben den Fall übernommen." in ihk.locator(".flashes").inner_text()
    ihk.get_by_label("Neue Fallnotiz").fill("Erstgespräch am Dienstag vereinbart.")
    ihk.get_by_role("button", name="Notiz speichern").click()
    # The IHK holds the case now, so the rules suggest the next partner.
    assert "Vorschlag: Handwerkskammer Düsseldorf" in ihk.locator(".suggestion").inner_text()
    assert ihk.get_by_label("Übergeben an").input_value() == str(cases.partner("hwk").id)
    ihk.get_by_label("Übergabenotiz für den Partner (optional)").fill("Bitte übernehmen")
    ihk.get_by_role("button", name="Übergabe anbieten").click()
    assert "Angeboten an Handwerkskammer Düsseldorf" in ihk.locator("#weiterleiten").inner_text()

    hwk = new_page()
    login(hwk, live_server, "hwk")
    hwk.get_by_role("link", name=case.reference).click()
    assert "Bitte übernehmen" in hwk.locator("#weiterleiten").inner_text()
    hwk.get_by_role("button", name="Fall annehmen").click()

    history = hwk.locator("#verlauf").inner_text()
    steps = [
        "Anliegen aufgenommen",
        "Übergabe angeboten",
        "an IHK Wuppertal-Solingen-Remscheid",
        "Übergabe angenommen",
        "Fallnotiz",
        "an Handwerkskammer Düsseldorf",
        "Vorschlag der Regeln: Thema Ausbildung, 16–24 Jahre → Handwerkskammer",
    ]
    for step in steps:
        assert step in history, step
    assert history.count("angenommen nach") == 2
    assert len(re.findall(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d", history)) == 6
    responsible = hwk.locator(".facts").inner_text()
    assert "Handwerkskammer Düsseldorf" in responsible
    assert "Erstgespräch am Dienstag vereinbart." in hwk.locator("#notizen").inner_text()
