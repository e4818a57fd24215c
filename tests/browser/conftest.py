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
def page():
    """A fresh browser page; skips with the reason when no Chromium is installed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()
