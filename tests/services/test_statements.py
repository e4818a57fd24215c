"""Statements built once and run with the viewer's values as parameters."""

from datetime import UTC, datetime

import sqlalchemy as sa

from zentrum.models import Case
from zentrum.services.notes import add_note, newest_case_history, newest_case_notes
from zentrum.services.statements import prepared

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_statement_is_built_once_per_key():
    built = []

    def build():
        built.append(1)
        return sa.select(Case.id).where(Case.id == sa.bindparam("case_id"))

    first = prepared(("test statement", 1), build)
    assert prepared(("test statement", 1), build) is first
    assert prepared(("test statement", 2), build) is not first
    assert len(built) == 2


def test_the_first_viewer_does_not_decide_what_the_next_one_reads(session, cases, users):
    """The statements are kept across requests: each viewer's partner is a parameter,
    so an internal note stays with its partner whoever opened the case first."""
    case = cases("Mia", "Yilmaz", consents=["ihk", "hwk"])
    cases.offer(case, "ihk")
    ihk = users("advisor", partner="ihk")
    hwk = users("advisor", partner="hwk")
    add_note(session, ihk, NOW, case, "Nur für die IHK.", internal=True)
    add_note(session, ihk, NOW, case, "Für alle Beteiligten.")
    session.flush()

    def read(viewer):
        notes, total = newest_case_notes(session, viewer, case, 10)
        events, _ = newest_case_history(session, viewer, case, 25)
        note_events = [e for e in events if e.kind == "note"]
        return sorted(n.body for n in notes), total, len(note_events)

    for _ in range(2):  # in turns: the statement built for one serves the other
        assert read(ihk) == (["Für alle Beteiligten.", "Nur für die IHK."], 2, 2)
        assert read(hwk) == (["Für alle Beteiligten."], 1, 1)
    frontdesk = users("frontdesk")
    assert read(frontdesk) == (["Für alle Beteiligten."], 1, 1)
