"""Keyboard only: skip link, visible focus, logical order, no trap, and the journeys of all roles.

No clicks here: after the first page.goto everything is Tab, Shift+Tab, typing,
Space, Enter and arrow keys. ``Keys`` counts every key press (a typed letter
is one) so that the intake test can state what a typical enquiry costs.
"""

import re
import time
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from playwright.sync_api import expect

from tests.factories import TOTP_SECRET
from zentrum.domain.vocab import AuditAction
from zentrum.services.audit import record
from zentrum.services.handover import accept_offer

pytestmark = pytest.mark.browser

# What the focused element is, and how its focus ring looks.
ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : "";
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    id: el.id, tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
    label: label, text: (el.innerText || el.value || "").trim().slice(0, 80),
    classes: el.className || "", k: el.dataset.k,
    ring: [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow].join(" "),
    top: box.top + window.scrollY, left: box.left + window.scrollX,
    bottom: box.bottom + window.scrollY, visible: box.width > 0 && box.height > 0,
    inForm: !!el.closest("form.intake"),
  };
}"""

# Every element's look without focus, keyed by a data-k number the test gives it.
UNFOCUSED_RINGS = """() => {
  if (document.activeElement) document.activeElement.blur();
  return [...document.querySelectorAll("body *")].map((el, k) => {
    el.dataset.k = k;
    const style = getComputedStyle(el);
    return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow].join(" ");
  });
}"""


class Keys:
    """Key presses on a page, counted."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def active(self) -> dict | None:
        return self.page.evaluate(ACTIVE)

    def tab_to(self, matches, limit: int = 60, key: str = "Tab") -> dict:
        """Press Tab until the focused element matches (a label, text or id, or a predicate)."""
        check = (
            matches
            if callable(matches)
            else (lambda a: matches in (a["label"], a["text"], a["id"]))
        )
        for _ in range(limit):
            self.press(key)
            active = self.active()
            if active and check(active):
                return active
        raise AssertionError(f"{matches!r} not reached with {limit} × {key}")


def date_keys(page, day: int, month: int, year: int) -> str:
    """The digits to type into a date field, in the order this browser shows its parts.

    A German browser shows TT.MM.JJJJ; headless Chromium on Linux keeps MM/DD/YYYY
    whatever the locale. The count of key presses is the same.
    """
    probe = page.context.new_page()
    probe.set_content('<input id="d" type="date">')
    probe.focus("#d")
    probe.keyboard.type("01022003")
    month_first = probe.eval_on_selector("#d", "d => d.value") == "2003-01-02"
    probe.close()
    first, second = (month, day) if month_first else (day, month)
    return f"{first:02d}{second:02d}{year:04d}"


def _login(page, base: str, username: str) -> Keys:
    """Log in by keyboard: the user name field has the focus on arrival."""
    page.goto(f"{base}/login")
    keys = Keys(page)
    # autofocus is applied once the page has rendered, which may be just after goto. Wait with
    # Playwright's retrying assertion: wait_for_function polls through a string evaluated in the
    # page, which the page's CSP (script-src 'self') refuses whenever the first look fails.
    expect(page.locator("#username")).to_be_focused(timeout=5000)
    assert keys.active()["id"] == "username"
    keys.type(username)
    keys.press("Tab")
    keys.type("richtig-geheim-1")
    keys.press("Enter")
    page.wait_for_url(re.compile(r".*/(eingang|login/code)?$"))
    if page.url.endswith("/login/code"):
        # Supervisors and admins: the code field gets the focus, Enter confirms. Chromium
        # may apply autofocus just after the load event, so wait for it (or time out).
        expect(page.locator("#code")).to_be_focused(timeout=5000)
        keys.type(pyotp.TOTP(TOTP_SECRET).now())
        keys.press("Enter")
        page.wait_for_url(re.compile(r".*/(eingang)?$"))
    return keys


def test_skip_link_is_the_first_stop_and_jumps_to_the_content(live_server, page, users):
    users("frontdesk", username="empfang")
    keys = _login(page, live_server, "empfang")
    keys.press("Tab")
    first = keys.active()
    assert first["text"] == "Zum Inhalt springen" and "skip-link" in first["classes"]
    box = page.locator(".skip-link").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the skip link shows itself when focused"
    keys.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    # The next stop is inside the content, not the navigation.
    keys.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")


def test_every_stop_of_the_intake_form_shows_focus_in_reading_order_without_trap(
    live_server, page, users
):
    users("frontdesk", username="empfang")
    keys = _login(page, live_server, "empfang")
    page.goto(f"{live_server}/anliegen/neu")
    keys.tab_to("Angehörige hinzufügen")
    keys.press("Enter")  # one member row, added in place
    page.goto(f"{live_server}/anliegen/neu")  # and once more from the top, row-less
    unfocused = page.evaluate(UNFOCUSED_RINGS)
    stops, seen_skip_link = [], 0
    for _ in range(250):
        keys.press("Tab")
        active = keys.active()
        if active is None:  # focus left the page (the browser's own controls): wrap on
            continue
        if "skip-link" in active["classes"]:
            seen_skip_link += 1
            if seen_skip_link == 2:
                break
        if stops and stops[-1]["k"] == active["k"]:
            continue  # the next part (day, month, year) of the same date field
        assert active["visible"], active
        assert active["ring"] != unfocused[int(active["k"])], f"no visible focus on {active}"
        assert not active["ring"].startswith("none") or not active["ring"].endswith("none"), active
        if active["inForm"] and seen_skip_link == 1:  # one whole round from the top
            stops.append(active)
    assert seen_skip_link == 2, "Tab must come round to the start again (no trap)"
    # Shift+Tab walks back the same way.
    keys.tab_to("save", key="Shift+Tab", limit=20)
    keys.press("Shift+Tab")
    assert keys.active()["k"] == stops[-2]["k"]
    ids = [s["id"] for s in stops]
    expected_start = ["first_name", "last_name", "birth_date", "phone", "email", "district"]
    assert ids[: len(expected_start)] == expected_start
    assert ids[-1] == "save"
    for before, after in zip(stops, stops[1:], strict=False):
        same_line = abs(after["top"] - before["top"]) < 8
        assert after["top"] > before["top"] - 8, (
            f"focus jumps up from {before['id']} to {after['id']}"
        )
        if same_line:
            assert after["left"] > before["left"], (
                f"focus goes left: {before['id']} → {after['id']}"
            )


def test_typical_enquiry_by_keyboard_from_login_to_offer(live_server, page, users, capsys):
    """Young person, birth date, one parent, two topics, urgency, consent, routed to the IHK."""
    users("frontdesk", username="empfang")
    users("advisor", partner="ihk", username="ihk")
    keys = _login(page, live_server, "empfang")
    login_keys = keys.count
    keys.tab_to("Neues Anliegen")
    keys.press("Enter")
    page.wait_for_url("**/anliegen/neu")
    started, before_intake = time.perf_counter(), keys.count

    assert keys.active()["id"] == "first_name"  # autofocus
    keys.type("Aylin")
    keys.press("Tab")
    keys.type("Kaya")
    keys.press("Tab")
    keys.type(date_keys(page, 14, 3, 2009))  # the date field moves on by itself
    keys.tab_to("Angehörige hinzufügen")
    keys.press("Enter")
    assert keys.active()["id"] == "members-0-first_name"
    keys.type("Fatma")
    keys.press("Tab")
    keys.type("Kaya")  # relation: "Elternteil" is preset
    keys.tab_to("Ausbildung")
    keys.press("Space")
    keys.press("Tab")
    assert keys.active()["label"] == "Schule und Schulabschluss"
    keys.press("Space")
    keys.tab_to("Beschreibung des Anliegens")
    keys.type("Sucht Ausbildungsplatz")
    keys.tab_to(lambda a: a["name"] == "urgency")
    keys.press("ArrowDown")  # normal → dringend
    keys.tab_to("IHK Wuppertal-Solingen-Remscheid")
    keys.press("Space")
    keys.press("Enter")  # Enter in the form saves it
    page.wait_for_url(re.compile(r".*/faelle/\d+#weiterleiten$"))
    assert "wurde gespeichert" in page.locator(".flashes").inner_text()
    # The case page: the rules suggest the IHK, preselected; the focus goes on from the panel.
    chosen = page.get_by_label("Übergeben an").evaluate("s => s.options[s.selectedIndex].text")
    assert chosen == "IHK Wuppertal-Solingen-Remscheid"
    keys.tab_to("Übergabe anbieten")
    keys.press("Enter")
    page.locator(".flashes").wait_for()
    seconds = time.perf_counter() - started
    intake_keys = keys.count - before_intake

    assert "Die Übergabe wurde angeboten." in page.locator(".flashes").inner_text()
    assert (
        "Angeboten an IHK Wuppertal-Solingen-Remscheid"
        in page.locator("#weiterleiten").inner_text()
    )
    persons = page.get_by_role("table", name="Personen im Anliegen").inner_text()
    assert "Aylin Kaya" in persons and "Fatma Kaya" in persons and "14.03.2009" in persons
    body = page.locator("main").inner_text()
    assert "dringend" in body and "Ausbildung, Schule und Schulabschluss" in body
    with capsys.disabled():
        print(
            f"\ntypical intake: {intake_keys} key presses ({keys.count - login_keys} with opening "
            f"the form, {keys.count} with login), {seconds:.1f} s in the test browser"
        )
    assert intake_keys <= 110  # a regression guard: the figures in the README


def test_advisor_accepts_an_offer_and_writes_a_note_by_keyboard(
    live_server, page, users, cases, session
):
    users("advisor", partner="ihk", username="ihk")
    case = cases("Jonas", "Becker", consents=["ihk"])
    cases.offer(case, "ihk")
    keys = _login(page, live_server, "ihk")
    keys.tab_to(case.reference)
    keys.press("Enter")
    page.wait_for_url(f"**/faelle/{case.id}")
    keys.tab_to("Fall annehmen")
    keys.press("Enter")
    assert "Sie haben den Fall übernommen." in page.locator(".flashes").inner_text()
    keys.tab_to("Neue Fallnotiz")
    keys.type("Erstgespräch am Dienstag.")
    keys.tab_to("Notiz speichern")
    keys.press("Enter")
    page.locator("#notizen .note").first.wait_for()
    assert "Erstgespräch am Dienstag." in page.locator("#notizen").inner_text()


def test_supervisor_opens_the_dashboard_and_a_drill_down_by_keyboard(
    live_server, page, users, cases, session
):
    users("supervisor", username="leitung")
    advisor = users("advisor", partner="ihk")
    now = datetime.now(UTC)
    case = cases("Jonas", "Becker", consents=["ihk"], at=now - timedelta(days=2))
    offer = cases.offer(case, "ihk", at=now - timedelta(days=2))
    accept_offer(session, advisor, now - timedelta(days=1), case, offer.id)
    session.commit()
    keys = _login(page, live_server, "leitung")
    keys.tab_to("Auswertung")
    keys.press("Enter")
    page.wait_for_url("**/leitung/")
    keys.tab_to(lambda a: a["text"].startswith("1") and "angenommen" in a["text"])
    keys.press("Enter")
    page.wait_for_url("**/leitung/uebergaben**")
    assert page.get_by_role("heading", level=1).inner_text() == "Übergaben hinter der Zahl"
    keys.tab_to(case.reference)
    keys.press("Enter")
    page.wait_for_url(f"**/faelle/{case.id}")


def test_supervisor_finds_who_saw_a_case_in_the_log_by_keyboard(
    live_server, page, users, cases, session
):
    """Code step, Protokoll, a filter by reference, the case's accesses, and back via the case."""
    users("supervisor", username="leitung")
    advisor = users("advisor", partner="ihk", username="ihk")
    case = cases("Jonas", "Becker", consents=["ihk"])
    record(session, AuditAction.CASE_VIEW, user=advisor, case_id=case.id)
    session.commit()
    keys = _login(page, live_server, "leitung")
    keys.tab_to("Protokoll")
    keys.press("Enter")
    page.wait_for_url("**/protokoll/")
    keys.tab_to("Fall (Aktenzeichen oder Nummer)")
    keys.type(case.reference)
    keys.press("Enter")  # Enter in the filter searches
    page.wait_for_url(re.compile(r".*/protokoll/\?.*fall="))
    # The case column of the advisor's view (the filter field holds the reference too).
    keys.tab_to(lambda a: a["tag"] == "a" and a["text"] == case.reference)
    keys.press("Enter")
    page.wait_for_url(f"**/protokoll/fall/{case.id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Wer hat diesen Fall gesehen?"
    accesses = page.get_by_role("table", name="Zugriffe, neueste zuerst").inner_text()
    assert "ihk" in accesses and "Fall angesehen" in accesses
    keys.tab_to("Zum Fall")
    keys.press("Enter")
    page.wait_for_url(f"**/faelle/{case.id}")
    keys.tab_to("Wer hat diesen Fall gesehen?")
    keys.press("Enter")
    page.wait_for_url(f"**/protokoll/fall/{case.id}")
    accesses = page.get_by_role("table", name="Zugriffe, neueste zuerst").inner_text()
    assert "leitung" in accesses, "the supervisor's own look at the case is listed too"


def test_front_desk_records_a_consent_by_keyboard(live_server, page, users, cases):
    """Partner chosen by typing its name; categories, day and giver as preset; a purpose."""
    users("frontdesk", username="empfang")
    case = cases("Lena", "Schmitz", consents=["ihk"])
    keys = _login(page, live_server, "empfang")
    keys.tab_to(case.reference)
    keys.press("Enter")
    page.wait_for_url(f"**/faelle/{case.id}")
    keys.tab_to("Neue Einwilligung erfassen")
    keys.press("Enter")
    page.wait_for_url(f"**/faelle/{case.id}/einwilligungen")
    keys.tab_to("Einwilligung zur Weitergabe an")
    keys.type("Jobc")  # a closed select jumps to the option typed
    chosen = page.locator("#consent-partner").evaluate("s => s.options[s.selectedIndex].text")
    assert chosen == "Jobcenter Wuppertal"
    keys.tab_to("Zweck der Weitergabe")
    keys.type("Beratung zum Bürgergeld")
    keys.tab_to("Einwilligung erfassen")
    keys.press("Enter")
    page.wait_for_url(f"**/faelle/{case.id}#einwilligungen")
    assert "Die Einwilligung wurde erfasst." in page.locator(".flashes").inner_text()
    consents = page.get_by_role("table", name=re.compile("Einwilligungen des jungen Menschen"))
    row = consents.get_by_role("row").filter(has_text="Jobcenter Wuppertal")
    assert "Beratung zum Bürgergeld" in row.inner_text() and "gültig" in row.inner_text()
