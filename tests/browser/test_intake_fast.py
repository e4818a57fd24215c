"""The intake with script (rows added in place, hint while typing) and without (server round trips)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, login

pytestmark = pytest.mark.browser


def _fill_young_person(page, first="Aylin", last="Kaya", born="2009-03-14"):
    page.get_by_label("Vorname").first.fill(first)
    page.get_by_label("Nachname").first.fill(last)
    page.get_by_label("Geburtsdatum", exact=True).fill(born)


def test_members_are_added_in_place_and_saved(live_server, page, users):
    users("frontdesk", username="empfang")
    login(page, live_server, "empfang")
    page.goto(f"{live_server}/anliegen/neu")
    page.evaluate("window.notReloaded = true")
    _fill_young_person(page)
    add = page.get_by_role("button", name="Angehörige hinzufügen")
    add.click()
    # The new row has the focus, so typing goes on without a mouse.
    assert page.evaluate("document.activeElement.id") == "members-0-first_name"
    first = page.get_by_role("group", name="Angehörige Person 1")
    first.get_by_label("Vorname").fill("Fatma")
    first.get_by_label("Nachname").fill("Kaya")
    first.get_by_label("Beziehung").select_option(label="Elternteil")
    add.click()
    second = page.get_by_role("group", name="Angehörige Person 2")
    second.get_by_label("Vorname").fill("Emre")
    second.get_by_label("Nachname").fill("Kaya")
    second.get_by_label("Geburtsdatum (optional)").fill("2012-07-01")
    second.get_by_label("Beziehung").select_option(label="Geschwister")
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_label("Vorname").first.input_value() == "Aylin"
    ids = page.eval_on_selector_all("form.intake [id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), "ids must stay unique"
    assert page.get_by_text("Keine Angehörigen erfasst.").count() == 0

    page.get_by_label("Ausbildung", exact=True).check()
    page.get_by_role("button", name="Anliegen speichern").click()
    page.wait_for_url(re.compile(r".*/faelle/\d+(#weiterleiten)?$"))
    persons = page.get_by_role("table", name="Personen im Anliegen").inner_text()
    for text in (
        "Aylin Kaya",
        "Fatma Kaya",
        "Elternteil",
        "Emre Kaya",
        "Geschwister",
        "01.07.2012",
    ):
        assert text in persons


def test_known_person_is_pointed_out_while_typing(live_server, page, users, cases):
    users("frontdesk", username="empfang")
    known = cases("Jörg", "Müller", birth_date=date(2008, 1, 2))
    login(page, live_server, "empfang")
    page.goto(f"{live_server}/anliegen/neu")
    hint = page.locator("#duplicate-hint")
    assert hint.get_attribute("aria-live") == "polite"
    page.get_by_label("Vorname").first.fill("Joerg")
    page.get_by_label("Nachname").first.fill("Mueller")
    assert hint.inner_text() == ""  # no birth date yet, nothing asked
    page.get_by_label("Geburtsdatum", exact=True).fill("2008-01-02")
    hint.locator("li").first.wait_for()
    text = hint.inner_text()
    assert "Diese Person ist vielleicht schon bekannt" in text
    assert "Jörg Müller, geb. 02.01.2008" in text and known.reference in text
    # Another birth date: the hint goes away.
    page.get_by_label("Geburtsdatum", exact=True).fill("2008-01-03")
    expect(hint.locator("li")).to_have_count(0)


def test_a_hint_arriving_during_a_click_waits_until_the_click_is_done(
    live_server, page, users, cases
):
    # The hint moves the form down. Shown between pressing and releasing the mouse, it
    # would put another element under the pointer: the topic would not be ticked (the
    # save button not pressed). It waits for the release.
    users("frontdesk", username="empfang")
    cases("Lena", "Schmitz", birth_date=date(2007, 5, 17))
    login(page, live_server, "empfang")
    # Tall enough that typing the date scrolls nothing: only the hint may move the form.
    page.set_viewport_size({"width": 1280, "height": 2000})
    page.goto(f"{live_server}/anliegen/neu")
    page.get_by_label("Vorname").first.fill("Lena")
    page.get_by_label("Nachname").first.fill("Schmitz")
    topic = page.get_by_label("Ausbildung", exact=True)
    box = topic.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    with page.expect_response(re.compile(r".*/anliegen/personen\?.*")):
        page.get_by_label("Geburtsdatum", exact=True).fill("2007-05-17")
    hint = page.locator("#duplicate-hint")
    page.wait_for_timeout(100)  # the answer is in; shown now, it would move the form
    assert hint.inner_text() == ""
    page.mouse.up()
    expect(topic).to_be_checked()
    expect(hint.locator("li")).to_have_count(1)
    assert "Lena Schmitz, geb. 17.05.2007" in hint.inner_text()


def test_without_script_rows_come_from_the_server_and_the_hint_after_saving(
    live_server, browser, users, cases
):
    assert CHROMIUM
    users("frontdesk", username="empfang")
    cases("Lena", "Schmitz")
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, live_server, "empfang")
        page.goto(f"{live_server}/anliegen/neu")
        _fill_young_person(page, "Lena", "Schmitz", "2007-05-17")
        assert page.locator("#duplicate-hint").inner_text() == ""
        page.get_by_role("button", name="Angehörige hinzufügen").click()
        assert page.get_by_label("Vorname").first.input_value() == "Lena"
        member = page.get_by_role("group", name="Angehörige Person 1")
        member.get_by_label("Vorname").fill("Petra")
        member.get_by_label("Nachname").fill("Schmitz")
        page.get_by_label("Ausbildung", exact=True).check()
        page.get_by_role("button", name="Anliegen speichern").click()
        notice = page.locator("#matches-heading")
        assert notice.inner_text() == "Diese Person ist vielleicht schon bekannt"
        assert (
            page.get_by_role("group", name="Angehörige Person 1")
            .get_by_label("Vorname")
            .input_value()
            == "Petra"
        )
    finally:
        context.close()
