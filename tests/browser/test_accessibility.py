"""axe-core in headless Chromium over every page of every role, error states included.

Every GET endpoint of the app needs an entry in ``PAGES`` (or a reason in
``NOT_HTML``): a new page without one fails ``test_every_get_page_is_checked``.
To add a page, add a ``Visit`` under its endpoint: who looks at it (a key of
``LOGINS`` or None for nobody logged in), how to get there (``goto(path)`` or a
function of page, base URL and scenario), and optionally a CSS selector that must
be on the page, so an error state is really the error state.
"""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.browser import page_states as states
from tests.browser.conftest import login
from tests.browser.page_states import Visit, case_path, goto
from tests.factories import PASSWORD
from zentrum import create_app
from zentrum.models import Consent, RoutingRule
from zentrum.services.accounts import reset_password
from zentrum.services.consents import request_basis, revoke_consent
from zentrum.services.handover import accept_offer
from zentrum.services.notes import add_note

pytestmark = pytest.mark.browser

# The house rules beyond WCAG's own tags: one h1 and headings in order, everything in
# landmarks that can be told apart, ids that are unique (axe counts these as best practice).
HOUSE_RULES = (
    "page-has-heading-one",
    "heading-order",
    "empty-heading",
    "landmark-one-main",
    "landmark-unique",
    "region",
    "duplicate-id",
    "duplicate-id-active",
    "empty-table-header",
)
# WCAG 2.1 A and AA, and the house rules.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {rule: {"enabled": True} for rule in HOUSE_RULES},
    "resultTypes": ["violations"],
}

# What axe lets pass: more than one h1, references (labels, hints, error messages)
# to ids that are not on the page, and an error summary whose links go nowhere or
# list the fields in another order than the form.
STRUCTURE = """() => {
  const problems = [];
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} h1 headings`);
  const refs = "[aria-describedby], [aria-labelledby], [aria-controls], label[for]";
  for (const el of document.querySelectorAll(refs)) {
    const ids = ["aria-describedby", "aria-labelledby", "aria-controls", "for"]
      .flatMap(name => (el.getAttribute(name) || "").split(/\\s+/)).filter(Boolean);
    for (const id of ids) {
      if (!document.getElementById(id)) problems.push(`${el.tagName.toLowerCase()} refers to #${id}`);
    }
  }
  for (const summary of document.querySelectorAll(".error-summary")) {
    let previous = null;
    for (const link of summary.querySelectorAll("a[href^='#']")) {
      const target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) {
        problems.push(`error summary links to ${link.getAttribute("href")}`);
      } else if (previous && previous.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING) {
        problems.push(`error summary lists #${target.id} after #${previous.id}`);
      }
      previous = target || previous;
    }
  }
  return problems;
}"""

ROLES = ("frontdesk", "advisor", "supervisor", "admin")
# The user each role logs in as (created by ``scenario``), and one whose password an
# admin has reset: that user must choose a new one before anything else.
LOGINS = {
    "frontdesk": "empfang",
    "advisor": "ihk",
    "supervisor": "leitung",
    "admin": "admin",
    "reset": "zurueckgesetzt",
}

# GET endpoints that answer with something else than an HTML page.
NOT_HTML = {
    "static": "style sheet and script files",
    "exports.figures_as_csv": "a CSV download",
    "exports.figures_as_xlsx": "an Excel download",
    "exports.handovers_as_csv": "a CSV download",
    "exports.handovers_as_xlsx": "an Excel download",
    "intake.persons": "JSON for the duplicate-person hint",
    "privacy.subject_json": "the subject access export as a JSON download",
}

ERROR_SUMMARY = ".error-summary"
DECIDE_NOTE = "textarea[name=decide-note]"

PAGES: dict[str, list[Visit]] = {
    "auth.login": [
        Visit("Anmeldung", None, goto("/login")),
        Visit("Anmeldung, falsches Passwort", None, states.login_error, ".field__error, .flash"),
    ],
    "auth.code": [
        Visit("Anmeldung, Code", None, states.code_step, "#code"),
        Visit("Anmeldung, falscher Code", None, states.code_wrong, ".field__error"),
    ],
    "auth.enrol": [
        Visit("Anmeldung, Faktor einrichten", None, states.enrol_step, "code.secret"),
        Visit("Anmeldung, Einrichtung falscher Code", None, states.enrol_wrong, ".field__error"),
    ],
    "intake.start": [Visit("Übersicht", role, goto("/")) for role in ROLES],
    "intake.new": [
        Visit("Aufnahme, leer", "frontdesk", goto("/anliegen/neu")),
        Visit("Aufnahme, alle Fehler", "frontdesk", states.intake_every_error, ERROR_SUMMARY),
        Visit(
            "Aufnahme, bekannte Person", "frontdesk", states.intake_duplicate, "#matches-heading"
        ),
    ],
    "cases.show": [
        Visit("Fall am Empfang", "frontdesk", goto(case_path("fresh")), ".suggestion"),
        Visit("Fall, Übergabe ohne Einwilligung", "frontdesk", states.offer_error, ERROR_SUMMARY),
        Visit(
            "Fall mit Angebot an mich",
            "advisor",
            goto(case_path("offered")),
            "#offer-decline-reason",
        ),
        Visit("Fall, Ablehnung ohne Erläuterung", "advisor", states.decline_error, ".field__error"),
        Visit("Fall in meiner Zuständigkeit", "advisor", goto(case_path("held")), "#notizen form"),
        Visit("Fall, leere Notiz", "advisor", states.note_error, ".field__error"),
        Visit("Fall für die Leitung", "supervisor", goto(case_path("held")), DECIDE_NOTE),
        Visit(
            "Fall, Rechtsgrundlage abgelehnt ohne Grund",
            "supervisor",
            states.refusal_without_reason,
            DECIDE_NOTE + "[aria-invalid=true]",
        ),
    ],
    "cases.record_consent": [
        Visit(
            "Einwilligung erfassen",
            "frontdesk",
            goto(lambda d: f"/faelle/{d.fresh.id}/einwilligungen"),
            "#consent-partner",
        ),
        Visit("Einwilligung ohne Angaben", "frontdesk", states.consent_errors, ERROR_SUMMARY),
    ],
    "cases.request_basis": [
        Visit(
            "Rechtsgrundlage beantragen",
            "supervisor",
            goto(lambda d: f"/faelle/{d.fresh.id}/rechtsgrundlagen"),
            "#basis-justification",
        ),
        Visit("Rechtsgrundlage ohne Begründung", "frontdesk", states.basis_errors, ERROR_SUMMARY),
    ],
    "cases.revoke_consent": [
        Visit("Widerruf erfassen", "frontdesk", goto(states.revoke_path("consent_id")), "form"),
        Visit("Widerruf ohne Bestätigung", "frontdesk", states.revoke_unconfirmed, ERROR_SUMMARY),
        Visit("Widerruf, schon widerrufen", "frontdesk", goto(states.revoke_path("revoked_id"))),
    ],
    "cases.print_consent": [
        Visit(
            "Einwilligungsformular, leer",
            "frontdesk",
            goto(lambda d: f"/faelle/{d.fresh.id}/einwilligung/druck?partner={d.jobcenter_id}"),
        ),
        Visit(
            "Einwilligungsformular, erfasst",
            "frontdesk",
            goto(
                lambda d: (
                    f"/faelle/{d.fresh.id}/einwilligung/{d.ihk_id}/druck"
                    f"?einwilligung={d.consent_id}"
                )
            ),
        ),
    ],
    "cases.print_summary": [
        Visit("Druck: Zusammenfassung", "advisor", goto(lambda d: f"/faelle/{d.held.id}/druck")),
        Visit(
            "Druck: Zusammenfassung für die Leitung",
            "supervisor",
            goto(lambda d: f"/faelle/{d.held.id}/druck"),
        ),
    ],
    "cases.print_handover": [
        Visit(
            "Druck: Übergabeblatt",
            "advisor",
            goto(lambda d: f"/faelle/{d.offered.id}/uebergabe/{d.offer.id}/druck"),
        )
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
        Visit("Neue Regel, Fehler", "admin", states.rule_error, ERROR_SUMMARY),
    ],
    "admin.edit_rule": [
        Visit("Regel bearbeiten", "admin", goto(lambda d: f"/admin/regeln/{d.rule_id}"))
    ],
    "admin.partners": [Visit("Partner und Zielzeiten", "admin", goto("/admin/partner"), "table")],
    "admin.edit_partner": [
        Visit("Partner bearbeiten", "admin", goto(lambda d: f"/admin/partner/{d.ihk_id}")),
        Visit("Partner bearbeiten, Fehler", "admin", states.partner_error, ERROR_SUMMARY),
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
    "audit.log": [
        Visit("Protokoll", "supervisor", goto("/protokoll/"), "#audit-entries"),
        Visit("Protokoll, gefiltert", "admin", goto("/protokoll/?aktion=case_view")),
        Visit(
            "Protokoll, falscher Filter",
            "supervisor",
            goto("/protokoll/?fall=XY-12&von=2026-05-01&bis=2026-01-01"),
            ERROR_SUMMARY,
        ),
    ],
    "audit.case_access": [
        Visit(
            "Wer hat diesen Fall gesehen?",
            "supervisor",
            goto(lambda d: f"/protokoll/fall/{d.held.id}"),
            "#audit-entries",
        )
    ],
    "audit.person_access": [
        Visit(
            "Zugriffe auf eine Person",
            "admin",
            goto(lambda d: f"/protokoll/person/{d.person_id}"),
            "#audit-entries",
        )
    ],
    "privacy.records": [
        Visit("Verarbeitungsverzeichnis", "supervisor", goto("/verarbeitungsverzeichnis"))
    ],
    "privacy.subject_access": [
        Visit("Auskunft, Suche", "admin", goto("/admin/auskunft")),
        Visit("Auskunft, Treffer", "admin", goto("/admin/auskunft?name=Schmitz"), "table"),
        Visit(
            "Auskunft, Fehler",
            "admin",
            goto("/admin/auskunft?name=&birth_date=31.02.2007"),
            ERROR_SUMMARY,
        ),
    ],
    "privacy.subject_page": [
        Visit(
            "Auskunft über eine Person", "admin", goto(lambda d: f"/admin/auskunft/{d.person_id}")
        )
    ],
    "admin.users": [Visit("Benutzerkonten", "admin", goto("/admin/benutzer"), "table")],
    "admin.new_user": [
        Visit("Neues Konto", "admin", goto("/admin/benutzer/neu")),
        Visit("Neues Konto, Fehler", "admin", states.new_user_errors, ERROR_SUMMARY),
        Visit("Neues Konto, Passwort einmal angezeigt", "admin", states.new_user_password_shown),
    ],
    "admin.edit_user": [
        Visit(
            "Benutzerkonto",
            "admin",
            goto(lambda d: f"/admin/benutzer/{d.advisor_id}"),
            "#role-heading",
        ),
        Visit("Benutzerkonto, Berater:in ohne Partner", "admin", states.role_error, ERROR_SUMMARY),
        Visit("Eigenes Benutzerkonto", "admin", goto(lambda d: f"/admin/benutzer/{d.admin_id}")),
    ],
    "account.overview": [
        Visit("Mein Konto, ohne zweiten Faktor", "frontdesk", goto("/konto/")),
        Visit("Mein Konto, Faktor freiwillig", "advisor", goto("/konto/"), "#password"),
        Visit(
            "Mein Konto, Ausschalten mit falschem Passwort",
            "advisor",
            states.disable_factor_wrong,
            ".field__error",
        ),
        Visit("Mein Konto, Faktor vorgeschrieben", "supervisor", goto("/konto/")),
    ],
    "account.password": [
        Visit("Passwort ändern", "frontdesk", goto("/konto/passwort")),
        Visit("Passwort ändern, Fehler", "frontdesk", states.password_errors, ERROR_SUMMARY),
        Visit("Passwort ändern nach Zurücksetzen", "reset", goto("/konto/passwort"), "#current"),
    ],
    "account.enrol": [
        Visit("Faktor einrichten (Konto)", "frontdesk", goto("/konto/zweiter-faktor"), "img"),
        Visit(
            "Faktor einrichten, falscher Code",
            "frontdesk",
            states.account_enrol_wrong,
            ".field__error",
        ),
    ],
    "language.choose": [Visit("Sprache", "frontdesk", goto("/sprache"), "fieldset")],
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
    """A case at the front desk, one offered to the IHK, one held by the IHK advisor.

    Around them: the fresh case's young person revoked the Handwerkskammer's consent,
    the advisor asked for a legal basis for the Jobcenter on the held case (the Leitung
    has yet to decide), and an admin reset a colleague's password.
    """
    frontdesk = users("frontdesk", username="empfang")
    # The advisor has a second factor of their own choice (it may be switched off).
    advisor = users("advisor", partner="ihk", username="ihk", totp=True)
    users("supervisor", username="leitung")
    users("supervisor", username="leitung2")  # stops at the code step
    users("supervisor", username="leitung-neu", totp=False)  # must set the factor up
    admin = users("admin", username="admin")
    reset = users("frontdesk", username=LOGINS["reset"])
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
    consent_of = {
        c.partner.code: c.id
        for c in session.scalars(
            sa.select(Consent).where(Consent.person_id == fresh.young_person.id)
        )
    }
    revoke_consent(
        session, frontdesk, now, fresh, consent_of["hwk"], "young_person", "Telefonisch."
    )
    jobcenter = cases.partner("jobcenter")
    request_basis(
        session, advisor, now, held, jobcenter, "sgb_ii_50", "Leistungsbezug klären; " * 3
    )
    passwords = {"reset": reset_password(session, admin, reset)}
    session.commit()
    rule_id = session.scalar(sa.select(RoutingRule.id).order_by(RoutingRule.id).limit(1))
    return SimpleNamespace(
        fresh=fresh,
        offered=offered,
        offer=offer,
        held=held,
        ihk_id=cases.partner("ihk").id,
        jobcenter_id=jobcenter.id,
        rule_id=rule_id,
        person_id=fresh.young_person.id,
        consent_id=consent_of["ihk"],
        revoked_id=consent_of["hwk"],
        frontdesk_id=frontdesk.id,
        advisor_id=advisor.id,
        admin_id=admin.id,
        code_user="leitung2",
        enrol_user="leitung-neu",
        passwords=passwords,
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
                password = data.passwords.get(visit.role, PASSWORD)
                login(pages[visit.role], base, LOGINS[visit.role], password)
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
        if structure := page.evaluate(STRUCTURE):
            problems.append(f"{visit.name} ({visit.role}) at {page.url}: {', '.join(structure)}")
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


def test_house_rules_find_skipped_headings_a_second_h1_and_a_lost_reference(
    live_server, page, scenario
):
    """So are a skipped heading level, a second h1, a hint that points nowhere, and an error
    summary out of the form's order or with a link to nowhere."""
    from axe_playwright_python.sync_playwright import Axe

    login(page, live_server, LOGINS["frontdesk"])
    page.goto(f"{live_server}/konto/passwort")
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend", "<h4>Zu tief</h4><h1>Noch eine</h1>"
            + "<div class='error-summary'><a href='#repeat'>Wiederholung</a>"
            + "<a href='#current'>Bisheriges</a><a href='#weg'>Weg</a></div>");
          document.querySelector("#current").setAttribute("aria-describedby", "gibt-es-nicht");
        }"""
    )
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert "heading-order" in {v["id"] for v in violations}
    assert page.evaluate(STRUCTURE) == [
        "2 h1 headings",
        "input refers to #gibt-es-nicht",
        "error summary lists #current after #repeat",
        "error summary links to #weg",
    ]
