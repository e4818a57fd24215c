"""A case worked on for years opens with its newest entries; "alle" shows everything."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from zentrum.models import Case, User
from zentrum.services.handover import accept_offer
from zentrum.services.notes import add_note
from zentrum.web.cases.page import HISTORY_PAGE, NOTES_PAGE

SHARED = 60
INTERNAL = 3


@pytest.fixture
def long_case(session, cases, users):
    """A case held by the IHK: intake, offer, accept, 60 shared and 3 internal notes."""
    case = cases(consents=["ihk"])
    case_id = case.id
    offer = cases.offer(case, "ihk")
    advisor = users("advisor", partner="ihk")
    advisor_id = advisor.id
    start = datetime.now(UTC) + timedelta(minutes=1)
    accept_offer(session, advisor, start, session.get(Case, case_id), offer.id)
    for i in range(SHARED):
        at = start + timedelta(minutes=i + 1)
        add_note(session, advisor, at, session.get(Case, case_id), f"Vermerk-{i:03d}")
    for i in range(INTERNAL):
        at = start + timedelta(minutes=SHARED + i + 1)
        add_note(session, advisor, at, session.get(Case, case_id), f"Intern-{i}", internal=True)
    session.commit()
    return case_id, advisor_id


def _sections(page: str) -> tuple[str, str]:
    notes = page.split('id="notizen"', 1)[1].split("</section>", 1)[0]
    history = page.split('id="verlauf"', 1)[1].split("</section>", 1)[0]
    return notes, history


def _note_numbers(notes: str) -> list[int]:
    return [int(n) for n in re.findall(r"Vermerk-(\d{3})", notes)]


def test_the_holder_sees_the_newest_entries_and_a_link_to_all(
    session, client, long_case, users, auth
):
    case_id, advisor_id = long_case
    auth.login(session.get(User, advisor_id))
    notes, history = _sections(client.get(f"/faelle/{case_id}").get_data(as_text=True))

    total_events = 3 + SHARED + INTERNAL  # intake, offer, accept and one per note
    assert history.count('class="timeline__item') == HISTORY_PAGE
    assert f"Alle {total_events} Einträge anzeigen (hier die neuesten {HISTORY_PAGE})" in history
    # The newest 50 are all note entries: intake, offer and accept are older.
    assert history.count("timeline__item--note") == HISTORY_PAGE
    assert "timeline__item--intake" not in history

    shown = _note_numbers(notes)
    assert shown == list(range(SHARED - NOTES_PAGE + INTERNAL, SHARED))
    assert notes.count("Intern-") == INTERNAL
    assert f"Alle {SHARED + INTERNAL} Notizen anzeigen (hier die neuesten {NOTES_PAGE})" in notes
    # A history entry whose note is not on the page links to the full page.
    hidden_note = re.findall(r'href="([^"]*)#notiz-(\d+)"', history)
    assert any(f"/faelle/{case_id}?alle=1" in href for href, _ in hidden_note)
    assert any(href == "" for href, _ in hidden_note)

    notes, history = _sections(client.get(f"/faelle/{case_id}?alle=1").get_data(as_text=True))
    assert history.count('class="timeline__item') == total_events
    assert "timeline__item--intake" in history
    assert _note_numbers(notes) == list(range(SHARED))
    assert "Einträge anzeigen" not in history and "Notizen anzeigen" not in notes
    links = re.findall(r'href="([^"]*)#notiz-', history)
    assert len(links) == SHARED + INTERNAL and set(links) == {""}


def test_counts_leave_out_notes_the_viewer_may_not_read(session, client, long_case, users, auth):
    case_id, _advisor_id = long_case
    auth.login(users("frontdesk"))
    notes, history = _sections(client.get(f"/faelle/{case_id}").get_data(as_text=True))
    assert "Intern-" not in notes
    assert _note_numbers(notes) == list(range(SHARED - NOTES_PAGE, SHARED))
    assert f"Alle {SHARED} Notizen anzeigen" in notes
    assert f"Alle {3 + SHARED} Einträge anzeigen" in history
    assert history.count('class="timeline__item') == HISTORY_PAGE
    assert history.count("timeline__item--note") == HISTORY_PAGE

    notes, history = _sections(client.get(f"/faelle/{case_id}?alle=1").get_data(as_text=True))
    assert history.count('class="timeline__item') == 3 + SHARED
    assert len(_note_numbers(notes)) == SHARED and "Intern-" not in notes


def test_a_short_case_shows_everything_without_a_link(session, client, cases, users, auth):
    case = cases(consents=["ihk"])
    auth.login(users("frontdesk"))
    notes, history = _sections(client.get(f"/faelle/{case.id}").get_data(as_text=True))
    assert history.count('class="timeline__item') == 1
    assert "anzeigen (hier die neuesten" not in notes + history
