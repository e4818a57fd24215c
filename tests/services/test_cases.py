"""Reading cases: pages by index, visibility, search."""

from datetime import UTC, datetime, timedelta

from zentrum.services.cases import (
    count_today,
    get_visible_case,
    recent_cases,
    search_cases,
)

BASE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _make(cases, n):
    return [cases(f"Person{i}", "Beispiel", at=BASE + timedelta(hours=i)) for i in range(n)]


def test_pages_run_newest_first_without_gaps_or_repeats(session, cases, users):
    made = _make(cases, 7)
    viewer = users("frontdesk")
    seen, cursor = [], None
    while True:
        rows, cursor = recent_cases(session, viewer, before_id=cursor, limit=3)
        seen += [row.case.id for row in rows]
        if cursor is None:
            break
    assert seen == [c.id for c in reversed(made)]


def test_cases_recorded_at_the_same_moment_are_not_lost_between_pages(session, cases, users):
    made = [cases(f"Person{i}", "Gleichzeitig", at=BASE) for i in range(5)]
    viewer = users("frontdesk")
    first, cursor = recent_cases(session, viewer, limit=2)
    second, cursor = recent_cases(session, viewer, before_id=cursor, limit=2)
    third, cursor = recent_cases(session, viewer, before_id=cursor, limit=2)
    ids = [r.case.id for r in first + second + third]
    assert sorted(ids) == sorted(c.id for c in made) and len(set(ids)) == 5
    assert cursor is None


def test_count_today_uses_wuppertal_midnight(session, cases, users):
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    cases("Früh", "Heute", at=datetime(2026, 11, 23, 23, 30, tzinfo=UTC))  # 00:30 in Wuppertal
    cases("Spät", "Gestern", at=datetime(2026, 11, 23, 22, 30, tzinfo=UTC))  # 23:30 the day before
    assert count_today(session, users("frontdesk"), now) == 1


def test_advisor_sees_only_cases_their_partner_was_offered(session, cases, users):
    held = cases("Person0", "Beispiel", at=BASE, consents=["jugendamt"])
    cases("Person1", "Beispiel", at=BASE, consents=["jugendamt"])
    other = cases("Person2", "Beispiel", at=BASE)
    cases.offer(held, "jugendamt")
    advisor = users("advisor", partner="jugendamt")
    stranger = users("advisor", partner="ihk")
    assert get_visible_case(session, advisor, held.id) is not None
    assert get_visible_case(session, advisor, other.id) is None  # consent alone is no access
    assert get_visible_case(session, stranger, held.id) is None
    rows, _ = recent_cases(session, advisor)
    assert [r.case.id for r in rows] == [held.id]
    assert search_cases(session, stranger, "Beispiel") == []
    assert search_cases(session, stranger, held.reference) == []
    assert count_today(session, stranger, BASE) == 0


def test_search_by_reference_in_any_case(session, cases, users):
    made = _make(cases, 3)
    found = search_cases(session, users("frontdesk"), made[1].reference.lower())
    assert [r.case.id for r in found] == [made[1].id]


def test_search_by_name_ignores_spelling_and_finds_family_members(session, cases, users):
    jurgen = cases("Jürgen", "Weiß")
    sister = cases("Aylin", "Kaya", members=[("Selin", "Kaya", "sibling")])
    cases("Anna", "Berg")
    viewer = users("frontdesk")
    assert [r.case.id for r in search_cases(session, viewer, "juergen weiss")] == [jurgen.id]
    assert [r.case.id for r in search_cases(session, viewer, "WEISS")] == [jurgen.id]
    assert [r.case.id for r in search_cases(session, viewer, "selin")] == [sister.id]
    assert search_cases(session, viewer, "   ") == []
    assert search_cases(session, viewer, "100%_") == []
