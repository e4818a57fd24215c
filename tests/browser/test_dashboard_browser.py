"""A supervisor reads the dashboard of the demo history and drills down to the handovers."""

import re
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from tests.browser.conftest import login
from zentrum.services.dashboard import build_dashboard
from zentrum.services.periods import preset

pytestmark = pytest.mark.browser


def _number(text: str) -> int:
    """The count at the start of a cell ("12 – IHK: angenommen" → 12)."""
    return int(re.match(r"\s*(\d+)", text).group(1))


def test_supervisor_sees_the_figures_and_the_handovers_behind_one(app, session, live_server, page):
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve", "--cases", "60"])
    assert result.exit_code == 0, result.output
    now = datetime.now(UTC)
    dash = build_dashboard(session, preset("4weeks", now), None, now)
    received = sum(fig.received for fig in dash.partners)
    assert received > 0

    login(page, live_server, "leitung", "zukunft-demo")
    page.get_by_role("link", name="Auswertung").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Auswertung: Übergabezeiten"
    total = page.locator("#partner-figures tfoot tr")
    assert _number(total.locator("td").nth(0).inner_text()) == received
    assert page.get_by_role("img", name="Übergabezeit je Woche in Arbeitszeit").is_visible()
    assert page.get_by_role("img", name="Wartende Angebote nach verbrauchter Zielzeit").is_visible()

    # Both exports download from the dashboard, pseudonymised.
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV (Kennzahlen)").click()
    figures_csv = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    total_line = next(
        line for line in figures_csv.splitlines() if line.startswith("Alle gewählten Partner;")
    )
    assert int(total_line.split(";")[2]) == received  # Partner; Zielzeit; Eingegangen
    assert csv_download.value.suggested_filename.endswith(".csv")
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel (Übergaben)").click()
    workbook = openpyxl.load_workbook(BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    sheet = workbook.worksheets[0]
    references = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    assert len(references) == received
    assert all(re.fullmatch(r"ZZ-\d{4}-\d{5}", ref) for ref in references)

    # A partner's "angenommen" figure small enough for one page of the list.
    figure = next(fig for fig in dash.partners if 0 < fig.accepted <= 25)
    row = page.locator("#partner-figures tbody tr").filter(has_text=figure.partner.name)
    link = row.locator("td").nth(1).get_by_role("link")
    assert _number(link.inner_text()) == figure.accepted
    link.click()

    assert page.get_by_role("heading", level=1).inner_text() == "Übergaben hinter der Zahl"
    filters = page.locator("#drill-filter").inner_text()
    assert figure.partner.name in filters and "angenommen" in filters
    rows = page.locator("#handovers tbody tr")
    assert rows.count() == figure.accepted
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        assert cells.nth(2).inner_text() == figure.partner.name
        assert cells.nth(5).inner_text() == "angenommen"
        assert re.fullmatch(r"ZZ-\d{4}-\d{5}", cells.nth(0).inner_text())

    # The handover leads on to its case.
    reference = rows.first.locator("td").first.inner_text()
    rows.first.get_by_role("link", name=reference).click()
    assert reference in page.get_by_role("heading", level=1).inner_text()
