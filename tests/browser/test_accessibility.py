"""axe-core in headless Chromium over every page of every role, error states included.

Every GET endpoint of the app needs an entry in ``PAGES`` (or a reason in
``NOT_HTML``): a new page without one fails ``test_every_get_page_is_checked``.
To add a page, add a ``Visit`` under its endpoint: who looks at it (a key of
``LOGINS`` or None for nobody logged in), how to get there (``goto(path)`` or a
function of page, base URL and scenario), and optionally a CSS selector that must
be on the page, so an error state is really the error state.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.browser.conftest import login
from zentrum import create_app
from zentrum.models import RoutingRule
from zentrum.services.handover import accept_offer
from zentrum.services.notes import add_note

pytestmark = pytest.mark.browser

# WCAG 2.1 A and AA, nothing else (best-practice rules are not asked for).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# The user each role logs in as (created by ``scenario``).
LOGINS = {
    "frontdesk": "empfang",
    "advisor": "ihk",
    "supervisor": "leitung",
    "admin": "admin",
}

# GET endpoints that answer with something else than an HTML page.
NOT_HTML = {
    "static": "style sheet and script files",
    "exports.figures_as_csv": "a CSV download",
    "exports.figures_as_xlsx": "an Excel download",
    "exports.handovers_as_csv": "a CSV download",
    "exports.handovers_as_xlsx": "an Excel download",
    "intake.persons": "JSON for the duplicate-person hint",
}

Go = Callable[..., None]


@dataclass(frozen=True)
class Visit:
    """One state of one page, seen by one role."""

    name: str
    role: str | None
    go: Go
    expect: str | None = None


def goto(path: str | Callable[[SimpleNamespace], str]) -> Go:
    """Open a path (or a path computed from the scenario)."""

    def go(page, base, data):
        page.goto(base + (path(data) if callable(path) else path))

    return go


def _login_error(page, base, _data):
    page.goto(f"{base}/login")
    page.get_by_label("Benutzername").fill("empfang")
    page.get_by_label("Passwort").fill("falsch-falsch-1")
    page.get_by_role("button", name="Anmelden").click()


def _intake_every_error(page, base, _data):
    page.goto(f"{base}/anliegen/neu")
    page.get_by_role("button", name="Angehörige hinzufügen").click()
    member = page.get_by_role("group", name="Angehörige Person 1")
    member.get_by_label("Geburtsdatum (optional)").fill("2999-01-01")
    page.get_by_label("Geburtsdatum", exact=True).fill("2999-01-01")
    page.get_by_label("Telefon (optional)").fill("abc")
    page.get_by_label("E-Mail (optional)").fill("nicht-gueltig@")
    page.get_by_label("Postleitzahl (optional)").fill("123")
    page.get_by_label("Beschreibung des Anliegens").fill("x" * 5001)
    page.get_by_role("button", name="Anliegen speichern").click()


def _intake_duplicate(page, base, _data):
    page.goto(f"{base}/anliegen/neu")
    page.get_by_label("Vorname").first.fill("Lena")
    page.get_by_label("Nachname").first.fill("Schmitz")
    page.get_by_label("Geburtsdatum", exact=True).fill("2007-05-17")
    page.get_by_label("Ausbildung").check()
    page.get_by_role("button", name="Anliegen speichern").click()


def _decline_error(page, base, data):
    page.goto(f"{base}/faelle/{data.offered.id}")
    page.locator("#offer-decline-reason").select_option("other")
    page.get_by_role("button", name="Ablehnen").click()


def _note_error(page, base, data):
    page.goto(f"{base}/faelle/{data.held.id}")
    page.get_by_role("button", name="Notiz speichern").click()


def _offer_error(page, base, data):
    page.goto(f"{base}/faelle/{data.fresh.id}")
    page.get_by_label("Übergeben an").select_option(
        label="Jobcenter Wuppertal – keine Einwilligung"
    )
    page.get_by_role("button", name="Übergabe anbieten").click()


def _rule_error(page, base, _data):
    page.goto(f"{base}/admin/regeln/neu")
    page.get_by_label("Priorität").fill("100000")
    page.get_by_role("button", name="Regel speichern").click()


def _partner_error(page, base, data):
    page.goto(f"{base}/admin/partner/{data.ihk_id}")
    page.get_by_label("Zielzeit", exact=False).first.fill("abc")
    page.get_by_role("button", name="Speichern").click()


def _case(attr: str) -> Callable[[SimpleNamespace], str]:
    return lambda data: f"/faelle/{getattr(data, attr).id}"


ERROR_SUMMARY = ".error-summary"

PAGES: dict[str, list[Visit]] = {
    "auth.login": [
        Visit("Anmeldung", None, goto("/login")),
        Visit("Anmeldung, falsches Passwort", None, _login_error, ".field__error, .flash"),
    ],
    "intake.start": [Visit("Übersicht", role, goto("/")) for role in LOGINS],
    "intake.new": [
        Visit("Aufnahme, leer", "frontdesk", goto("/anliegen/neu")),
        Visit("Aufnahme, alle Fehler", "frontdesk", _intake_every_error, ERROR_SUMMARY),
        Visit("Aufnahme, bekannte Person", "frontdesk", _intake_duplicate, "#matches-heading"),
    ],
    "cases.show": [
        Visit("Fall am Empfang", "frontdesk", goto(_case("fresh")), ".suggestion"),
        Visit("Fall, Übergabe ohne Einwilligung", "frontdesk", _offer_error, ERROR_SUMMARY),
        Visit(
            "Fall mit Angebot an mich", "advisor", goto(_case("offered")), "#offer-decline-reason"
        ),
        Visit("Fall, Ablehnung ohne Erläuterung", "advisor", _decline_error, ".field__error"),
        Visit("Fall in meiner Zuständigkeit", "advisor", goto(_case("held")), "#notizen form"),
        Visit("Fall, leere Notiz", "advisor", _note_error, ".field__error"),
        Visit("Fall für die Leitung", "supervisor", goto(_case("held"))),
    ],
    "cases.search": [
        Visit("Suche mit Treffern", "frontdesk", goto("/faelle/suche?q=Schmitz"), "table"),
        Visit("Suche ohne Treffer", "frontdesk", goto("/faelle/suche?q=Niemand")),
        Visit("Suche, leer", "advisor", goto("/faelle/suche")),
    ],
    "queues.inbox": [Visit("Eingang", "advisor", goto("/eingang"), "table")],
    "queues.mine": [Visit("Meine Fälle", "advisor", goto("/meine-faelle"), "table")],
    "admin.rules": [
        Visit("Routing-Regeln", "admin", goto("/admin/regeln"), "table"),
        Visit(
            "Routing-Regeln ausprobiert",
            "admin",
            goto("/admin/regeln?probe-age=17&probe-run=1#probe"),
            ".probe-results, .suggestion",
        ),
        Visit(
            "Routing-Regeln, Fehler beim Ausprobieren",
            "admin",
            goto("/admin/regeln?probe-age=x&probe-run=1"),
            ERROR_SUMMARY,
        ),
    ],
    "admin.new_rule": [
        Visit("Neue Regel", "admin", goto("/admin/regeln/neu")),
        Visit("Neue Regel, Fehler", "admin", _rule_error, ERROR_SUMMARY),
    ],
    "admin.edit_rule": [
        Visit("Regel bearbeiten", "admin", goto(lambda d: f"/admin/regeln/{d.rule_id}"))
    ],
    "admin.partners": [Visit("Partner und Zielzeiten", "admin", goto("/admin/partner"), "table")],
    "admin.edit_partner": [
        Visit("Partner bearbeiten", "admin", goto(lambda d: f"/admin/partner/{d.ihk_id}")),
        Visit("Partner bearbeiten, Fehler", "admin", _partner_error, ERROR_SUMMARY),
    ],
    "reports.dashboard": [
        Visit("Auswertung", "supervisor", goto("/leitung/"), "#partner-figures"),
        Visit("Auswertung als Admin", "admin", goto("/leitung/?zeitraum=quarter")),
        Visit(
            "Auswertung, falscher Zeitraum",
            "supervisor",
            goto("/leitung/?zeitraum=custom&von=2026-05-01&bis=2020-01-01"),
            ERROR_SUMMARY,
        ),
    ],
    "reports.handovers": [
        Visit("Übergaben hinter der Zahl", "supervisor", goto("/leitung/uebergaben"), "#handovers"),
        Visit("Übergaben, keine", "supervisor", goto("/leitung/uebergaben?status=declined")),
    ],
}

# Pages that belong to no endpoint of their own.
ERROR_PAGES = [
    Visit("Seite nicht gefunden (404)", "advisor", goto("/faelle/999999"), "h1"),
    Visit("Kein Zugriff (403)", "frontdesk", goto("/leitung/"), "h1"),
    Visit("Unbekannte Adresse (404)", None, goto("/gibt-es-nicht")),
]


def get_endpoints() -> set[str]:
    """Every endpoint that answers GET."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def test_every_get_page_is_checked():
    missing = sorted(get_endpoints() - PAGES.keys() - NOT_HTML.keys())
    assert not missing, (
        "GET pages without an accessibility check – add them to PAGES in "
        f"tests/browser/test_accessibility.py (or to NOT_HTML with a reason): {missing}"
    )
    stale = sorted((PAGES.keys() | NOT_HTML.keys()) - get_endpoints())
    assert not stale, f"entries for endpoints that no longer exist: {stale}"


@pytest.fixture
def scenario(session, users, cases):
    """A case at the front desk, one offered to the IHK, one held by the IHK advisor."""
    users("frontdesk", username="empfang")
    advisor = users("advisor", partner="ihk", username="ihk")
    users("supervisor", username="leitung")
    users("admin", username="admin")
    now = datetime.now(UTC)
    consents = ["ihk", "hwk"]
    fresh = cases("Lena", "Schmitz", consents=consents, at=now - timedelta(hours=1))
    offered = cases(
        "Jonas", "Becker", consents=consents, urgency="urgent", at=now - timedelta(days=2)
    )
    offer = cases.offer(offered, "ihk", at=now - timedelta(days=2))
    held = cases("Mia", "Yilmaz", consents=consents, urgency="crisis", at=now - timedelta(days=3))
    held_offer = cases.offer(held, "ihk", at=now - timedelta(days=3))
    accept_offer(session, advisor, now - timedelta(days=1), held, held_offer.id)
    add_note(session, advisor, now - timedelta(hours=20), held, "Erstgespräch vereinbart.")
    session.commit()
    rule_id = session.scalar(sa.select(RoutingRule.id).order_by(RoutingRule.id).limit(1))
    return SimpleNamespace(
        fresh=fresh,
        offered=offered,
        offer=offer,
        held=held,
        ihk_id=cases.partner("ihk").id,
        rule_id=rule_id,
    )


def _format(violations) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"  {v['id']} ({v['impact']}): {v['help']} – {targets}")
    return "\n".join(lines)


def _each_visit(open_page, base: str, data, **context):
    """Go to every state of every page as its role; yields (visit, page), or (visit, None) when
    the expected element is missing."""
    pages: dict[str | None, object] = {}
    for visit in [v for entries in PAGES.values() for v in entries] + ERROR_PAGES:
        if visit.role not in pages:
            pages[visit.role] = open_page(**context)
            if visit.role:
                login(pages[visit.role], base, LOGINS[visit.role])
        page = pages[visit.role]
        visit.go(page, base, data)
        page.wait_for_load_state()
        found = not visit.expect or page.locator(visit.expect).count()
        yield visit, page if found else None


def test_every_page_of_every_role_has_no_wcag_violations(live_server, new_page, scenario):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems, checked = [], 0
    for visit, page in _each_visit(new_page, live_server, scenario):
        if page is None:
            problems.append(f"{visit.name} ({visit.role}): {visit.expect} missing")
            continue
        checked += 1
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            problems.append(f"{visit.name} ({visit.role}) at {page.url}:\n{_format(violations)}")
    print(f"axe checked {checked} page states")
    assert not problems, "\n".join(problems)


# The outermost elements that stick out to the right, to say where a page is too wide.
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > 321
    && el.parentElement.getBoundingClientRect().right <= 321)
  .slice(0, 4)
  .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.className && el.className.baseVal === undefined ? "." + el.className.split(" ").join(".") : "")
    + " " + Math.round(el.getBoundingClientRect().right) + "px")"""


def test_every_page_fits_a_320_pixel_screen(live_server, new_page, scenario):
    """WCAG 1.4.10 reflow: at 320 CSS pixels the page never scrolls sideways, and axe is content."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    viewport = {"width": 320, "height": 640}
    for visit, page in _each_visit(new_page, live_server, scenario, viewport=viewport):
        if page is None:
            problems.append(f"{visit.name} ({visit.role}): {visit.expect} missing")
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            culprits = page.evaluate(WIDEST)
            problems.append(f"{visit.name} ({visit.role}): {width}px wide, by {culprits}")
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            problems.append(f"{visit.name} ({visit.role}) at 320px:\n{_format(violations)}")
    assert not problems, "\n".join(problems)


def test_axe_finds_a_violation_under_our_csp(live_server, page, scenario):
    """The check is real: an unlabelled field slipped into a page is reported."""
    from axe_playwright_python.sync_playwright import Axe

    login(page, live_server, LOGINS["frontdesk"])
    page.goto(f"{live_server}/anliegen/neu")
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert "label" in {v["id"] for v in violations}
