"""How to bring each page into the state the accessibility test checks.

A step is a function of the browser page, the base URL and the scenario (see
``scenario`` in ``test_accessibility.py``); ``goto`` makes one that opens a path.
Steps that submit a form leave the page in its error state and store nothing, but for
the new account whose generated password is shown once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import pyotp

from tests.factories import PASSWORD, TOTP_SECRET

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


def login_error(page, base, _data):
    page.goto(f"{base}/login")
    page.get_by_label("Benutzername").fill("empfang")
    page.get_by_label("Passwort").fill("falsch-falsch-1")
    page.get_by_role("button", name="Anmelden").click()


def intake_every_error(page, base, _data):
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


def intake_duplicate(page, base, _data):
    page.goto(f"{base}/anliegen/neu")
    page.get_by_label("Vorname").first.fill("Lena")
    page.get_by_label("Nachname").first.fill("Schmitz")
    page.get_by_label("Geburtsdatum", exact=True).fill("2007-05-17")
    # The hint on a known person moves the form down when it arrives; a click aimed
    # before that lands on whatever moved under it.
    page.locator("#duplicate-hint li").first.wait_for()
    page.get_by_label("Ausbildung", exact=True).check()
    page.get_by_role("button", name="Anliegen speichern").click()


def decline_error(page, base, data):
    page.goto(f"{base}/faelle/{data.offered.id}")
    page.locator("#offer-decline-reason").select_option("other")
    page.get_by_role("button", name="Ablehnen").click()


def note_error(page, base, data):
    page.goto(f"{base}/faelle/{data.held.id}")
    page.get_by_role("button", name="Notiz speichern").click()


def offer_error(page, base, data):
    page.goto(f"{base}/faelle/{data.fresh.id}")
    page.get_by_label("Übergeben an").select_option(
        label="Jobcenter Wuppertal – keine Einwilligung"
    )
    page.get_by_role("button", name="Übergabe anbieten").click()


def rule_error(page, base, _data):
    page.goto(f"{base}/admin/regeln/neu")
    page.get_by_label("Priorität").fill("100000")
    page.get_by_role("button", name="Regel speichern").click()


def partner_error(page, base, data):
    page.goto(f"{base}/admin/partner/{data.ihk_id}")
    page.get_by_label("Zielzeit", exact=False).first.fill("abc")
    page.get_by_role("button", name="Speichern").click()


def case_path(attr: str) -> Callable[[SimpleNamespace], str]:
    return lambda data: f"/faelle/{getattr(data, attr).id}"


def wrong_code(secret: str = TOTP_SECRET) -> str:
    """Six digits the server refuses: no code of the steps it accepts now."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    near = {totp.generate_otp(step + offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def _password_step(page, base, username: str) -> None:
    """The first login step only: the page then asks for the second factor."""
    page.goto(f"{base}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def code_step(page, base, data):
    """A supervisor after the password: the code is asked for."""
    _password_step(page, base, data.code_user)


def code_wrong(page, base, data):
    code_step(page, base, data)
    page.get_by_label("Code aus der Authenticator-App").fill(wrong_code())
    page.get_by_role("button", name="Bestätigen").click()


def enrol_step(page, base, data):
    """A supervisor without a second factor after the password: it must be set up."""
    _password_step(page, base, data.enrol_user)


def _secret_on(page) -> str:
    return page.locator("code.secret").first.inner_text().replace(" ", "")


def enrol_wrong(page, base, data):
    enrol_step(page, base, data)
    page.get_by_label("Code aus der Authenticator-App").fill(wrong_code(_secret_on(page)))
    page.get_by_role("button", name="Einrichten und anmelden").click()


def account_enrol_wrong(page, base, _data):
    page.goto(f"{base}/konto/zweiter-faktor")
    page.get_by_label("Code aus der Authenticator-App").fill(wrong_code(_secret_on(page)))
    page.get_by_role("button", name="Zweiten Faktor einschalten").click()


def password_errors(page, base, _data):
    """No current password, and two new ones that differ."""
    page.goto(f"{base}/konto/passwort")
    page.get_by_label("Neues Passwort", exact=True).fill("kurz")
    page.get_by_label("Neues Passwort wiederholen").fill("anders")
    page.get_by_role("button", name="Passwort ändern").click()


def disable_factor_wrong(page, base, _data):
    page.goto(f"{base}/konto/")
    page.get_by_label("Passwort zur Bestätigung").fill("falsch-falsch-1")
    page.get_by_role("button", name="Zweiten Faktor ausschalten").click()


def new_user_errors(page, base, _data):
    """A username with a space, no name, a broken e-mail, a typed password left empty."""
    page.goto(f"{base}/admin/benutzer/neu")
    page.get_by_label("Benutzername").fill("Hans Meier")
    page.get_by_label("E-Mail (dienstlich)").fill("hans@")
    page.get_by_label("Rolle", exact=True).select_option(label="Berater:in")
    page.get_by_role("radio", name="selbst eingeben").check()
    page.get_by_role("button", name="Konto anlegen").click()


def new_user_password_shown(page, base, _data):
    """A new account with a generated password: the page that shows it once."""
    page.goto(f"{base}/admin/benutzer/neu")
    page.get_by_label("Benutzername").fill("neu.empfang")
    page.get_by_label("Name", exact=True).fill("Neue Kollegin am Empfang")
    page.get_by_label("Rolle", exact=True).select_option(label="Empfang")
    page.get_by_role("button", name="Konto anlegen").click()


def role_error(page, base, data):
    """An advisor without a partner."""
    page.goto(f"{base}/admin/benutzer/{data.frontdesk_id}")
    page.get_by_label("Rolle", exact=True).select_option(label="Berater:in")
    page.get_by_role("button", name="Rolle speichern").click()


def consent_errors(page, base, data):
    """A consent without categories and purpose."""
    page.goto(f"{base}/faelle/{data.fresh.id}/einwilligungen")
    form = page.locator("main form").filter(
        has=page.get_by_role("button", name="Einwilligung erfassen")
    )
    for box in form.get_by_role("checkbox").all():
        box.uncheck()
    form.get_by_role("button", name="Einwilligung erfassen").click()


def basis_errors(page, base, data):
    """A legal basis asked for without choosing one or saying why."""
    page.goto(f"{base}/faelle/{data.fresh.id}/rechtsgrundlagen")
    page.get_by_role("button", name="Rechtsgrundlage beantragen").click()


def refusal_without_reason(page, base, data):
    """The Leitung refuses a legal basis and gives no reason."""
    page.goto(f"{base}/faelle/{data.held.id}#einwilligungen")
    page.locator("#einwilligungen").get_by_role("button", name="Ablehnen").click()


def revoke_unconfirmed(page, base, data):
    """The revocation sent without the tick that it was declared."""
    page.goto(f"{base}/faelle/{data.fresh.id}/einwilligungen/{data.consent_id}/widerrufen")
    page.get_by_role("button", name="Widerruf verbindlich erfassen").click()


def revoke_path(attr: str) -> Callable[[SimpleNamespace], str]:
    """The revocation page of one of the fresh case's consents."""
    return lambda data: f"/faelle/{data.fresh.id}/einwilligungen/{getattr(data, attr)}/widerrufen"
