"""A live server and headless Debian Chromium driven by Playwright."""

import os
import threading

import pyotp
import pytest
from werkzeug.serving import make_server

from tests.factories import TOTP_SECRET

CHROMIUM = os.environ.get("ZENTRUM_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def live_server(app, app_factory):
    """The app, with CSRF on as in production, served on a free loopback port."""
    served = app_factory(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, started once per test module (every test opens its own
    contexts); skips with the reason when it is not installed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages in separate browser contexts (one per user, like separate desks)."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A fresh browser page."""
    return new_page()


def login(page, base_url: str, username: str, password: str = "richtig-geheim-1") -> None:
    """Log in through the form, with the second factor where asked, and wait for the page.

    A user with the test factor types its code; a user without one who must have it
    sets it up from the key shown on the page, as a person with an app would.
    """
    page.goto(f"{base_url}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):
        page.get_by_label("Code aus der Authenticator-App").fill(pyotp.TOTP(TOTP_SECRET).now())
        page.get_by_role("button", name="Bestätigen").click()
    elif page.url.endswith("/login/einrichten"):
        secret = page.locator("code.secret").first.inner_text().replace(" ", "")
        page.get_by_label("Code aus der Authenticator-App").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Einrichten und anmelden").click()
    page.wait_for_load_state()
