"""Screenshots of the main pages for the README, taken from the demo.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--cases 150]

Builds the demo on a temporary SQLite database, serves it on a free loopback
port, logs in as the demo users with Playwright and headless Chromium
(/usr/bin/chromium, or ZENTRUM_CHROMIUM) and writes 1280×800 PNGs.
"""

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("ZENTRUM_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "zukunft-demo"  # noqa: S105 - the demo's published password
VIEWPORT = {"width": 1280, "height": 800}


def build_demo(folder: Path, cases: int):
    """The demo app on a new SQLite file, seeded."""
    os.environ["ZENTRUM_DATABASE_URL"] = f"sqlite:///{folder / 'demo.db'}"
    os.environ.setdefault("ZENTRUM_CONFIG", "development")
    from zentrum import create_app

    app = create_app()
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve", "--cases", str(cases)])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return app


def known_person(app) -> tuple[str, str, str]:
    """First name, last name and ISO birth date of a young person in the demo."""
    from zentrum.extensions import db
    from zentrum.models import Person

    with app.app_context():
        person = db.session.scalar(
            sa.select(Person).where(Person.birth_date.is_not(None)).order_by(Person.id).limit(1)
        )
        return person.first_name, person.last_name, person.birth_date.isoformat()


def busiest_advisor(app) -> str:
    """The demo advisor whose partner has the most offers waiting (their user name is the code)."""
    from zentrum.extensions import db
    from zentrum.models import Handover, Partner, User

    with app.app_context():
        stmt = (
            sa.select(User.username)
            .join(Partner, Partner.id == User.partner_id)
            .join(Handover, Handover.to_partner_id == Partner.id)
            .where(Handover.status == "pending", User.username == Partner.code)
            .group_by(User.username)
            .order_by(sa.func.count().desc())
            .limit(1)
        )
        return db.session.scalar(stmt) or "ihk"


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def shoot(page, out: Path, name: str) -> None:
    page.wait_for_load_state()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(out / f"{name}.png"))
    print(f"{out / name}.png")


def take(base: str, out: Path, person: tuple[str, str, str], advisor: str) -> None:
    """Log in as the demo roles and photograph their main pages."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )

        def desk():
            context = browser.new_context(
                viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin"
            )
            return context.new_page()

        page = desk()
        page.goto(f"{base}/login")
        shoot(page, out, "01-login")

        login(page, base, "empfang")
        shoot(page, out, "02-start")
        page.goto(f"{base}/anliegen/neu")
        first, last, born = person
        page.get_by_label("Vorname").first.fill(first)
        page.get_by_label("Nachname").first.fill(last)
        page.get_by_label("Geburtsdatum", exact=True).fill(born)
        page.locator("#duplicate-hint li").first.wait_for()
        shoot(page, out, "03-intake")

        page = desk()
        login(page, base, advisor)
        shoot(page, out, "04-eingang")
        page.locator("table a").first.click()
        shoot(page, out, "05-case")

        page = desk()
        login(page, base, "leitung")
        page.goto(f"{base}/leitung/?zeitraum=4weeks")
        page.evaluate("document.getElementById('partner-heading').scrollIntoView()")
        shoot(page, out, "06-dashboard")
        page.locator("#partner-figures tbody td a").first.click()
        shoot(page, out, "07-drilldown")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--cases", type=int, default=150)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app = build_demo(Path(folder), args.cases)
        person, advisor = known_person(app), busiest_advisor(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            take(f"http://127.0.0.1:{server.server_port}", args.out, person, advisor)
        finally:
            server.shutdown()
            thread.join(timeout=10)


if __name__ == "__main__":
    main()
