"""A live server and headless Debian Chromium driven by Playwright."""

import os
import threading

import pytest
from werkzeug.serving import make_server

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


@pytest.fixture
def browser():
    """Headless Chromium; skips with the reason when it is not installed."""
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
    """Log in through the form and wait for the start page."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
