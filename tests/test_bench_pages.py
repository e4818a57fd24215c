"""``zentrum bench``, tiny: the seeded histories are consistent and every page is measured.

Behaviour only; how long anything takes is the benchmark's output, never a test's assertion.
"""

from collections import Counter

import pytest
import sqlalchemy as sa

from tests.conftest import make_app
from zentrum import bench_pages
from zentrum.bench_history import LONG_HISTORY
from zentrum.bench_pages import (
    POST_REPEAT,
    PageTiming,
    SizeResult,
    empty,
    format_table,
    has_cases,
    intake_rate,
    seed,
)
from zentrum.bench_worker import measure
from zentrum.domain.names import name_pairs, name_tokens
from zentrum.extensions import db
from zentrum.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseMember,
    CaseNote,
    Consent,
    Handover,
    Person,
    PersonNamePair,
    PersonNameToken,
)
from zentrum.services.cases import SEARCH_LIMIT

CASES = 400


@pytest.fixture(scope="module")
def bench_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench-pages') / 'bench.db'}"
    lines = []
    seed(url, CASES, lines.append)
    assert "case_events" in lines[0]
    # As the refresh of the cron jobs.
    assert any(line.startswith("Wochen-, Tages- und Stundensummen:") for line in lines)
    return url


@pytest.fixture
def seeded(bench_url):
    app = make_app(bench_url)
    with app.app_context():
        yield db.session
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_every_case_has_its_history_from_intake_on(seeded):
    assert seeded.scalar(sa.select(sa.func.count()).select_from(Case)) == CASES
    intakes = Counter(
        seeded.scalars(sa.select(CaseEvent.case_id).where(CaseEvent.kind == "intake"))
    )
    assert len(intakes) == CASES and set(intakes.values()) == {1}
    offers = Counter(seeded.scalars(sa.select(Handover.case_id)))
    offer_events = Counter(
        seeded.scalars(sa.select(CaseEvent.case_id).where(CaseEvent.kind == "offer"))
    )
    assert offers == offer_events
    first = seeded.execute(
        sa.select(CaseEvent.case_id, sa.func.min(CaseEvent.at)).group_by(CaseEvent.case_id)
    ).all()
    created = dict(seeded.execute(sa.select(Case.id, Case.created_at)).all())
    assert all(at == created[case_id] for case_id, at in first)  # nothing before the intake


def test_one_case_has_exactly_the_long_history(seeded):
    per_case = Counter(seeded.scalars(sa.select(CaseEvent.case_id)))
    long_cases = [case_id for case_id, n in per_case.items() if n == LONG_HISTORY]
    assert long_cases
    assert seeded.get(Case, long_cases[-1]).holder_partner_id is not None


def test_note_events_name_notes_of_their_case(seeded):
    notes = dict(seeded.execute(sa.select(CaseNote.id, CaseNote.case_id)).all())
    events = seeded.execute(
        sa.select(CaseEvent.case_id, CaseEvent.details).where(CaseEvent.kind == "note")
    ).all()
    assert len(events) == len(notes) >= 2 * CASES
    assert all(notes[details["note_id"]] == case_id for case_id, details in events)


def test_partners_offered_a_case_may_see_it_and_have_consent(seeded):
    offered = set(seeded.execute(sa.select(Handover.case_id, Handover.to_partner_id)).all())
    access = set(seeded.execute(sa.select(CaseAccess.case_id, CaseAccess.partner_id)).all())
    assert offered <= access
    consents = set(
        seeded.execute(
            sa.select(Consent.case_id, Consent.partner_id)
            .join(CaseMember, CaseMember.person_id == Consent.person_id)
            .where(CaseMember.role == "young_person", CaseMember.case_id == Consent.case_id)
        ).all()
    )
    assert access == consents


def test_every_name_is_in_the_search_index(seeded):
    persons = seeded.scalar(sa.select(sa.func.count()).select_from(Person))
    indexed = seeded.scalar(sa.select(sa.func.count(sa.distinct(PersonNameToken.person_id))))
    assert indexed == persons
    keys = dict(seeded.execute(sa.select(Person.id, Person.name_key)).all())
    pairs = seeded.execute(sa.select(PersonNamePair.person_id, PersonNamePair.pair)).all()
    expected = {(pid, pair) for pid, key in keys.items() for pair in name_pairs(name_tokens(key))}
    assert set(pairs) == expected and len(pairs) == len(expected)


def test_every_page_is_measured_through_the_app(bench_url):
    found = measure(bench_url, 2)
    pages = {page: (millis, statements) for page, millis, statements, _cpu in found["pages"]}
    seeded_name = [page for page in pages if page.startswith("Suche Name (gesät, ")]
    assert len(seeded_name) == 1 and int(seeded_name[0].split(", ")[1].split()[0]) >= 1
    pages.pop(seeded_name[0])
    rows = {}
    for name in ("Eingang", "Meine Fälle"):
        (listed,) = [page for page in pages if page.startswith(name + " (")]
        rows[name] = int(listed.split("(")[1].split()[0])
        pages[name] = pages.pop(listed)
    # The queue is filled to a full page (offers of new cases, untimed) at every size.
    assert rows["Eingang"] == 25 and 0 <= rows["Meine Fälle"] <= 25
    assert set(pages) == {
        "Eingang",
        "Meine Fälle",
        "Fall (100 Einträge)",
        "Suche Name (eindeutig)",
        # A full page of hits at every size: the name recorded for as many new people.
        f"Suche Name ({SEARCH_LIMIT} Gleichnamige)",
        "Suche Aktenzeichen",
        "Startseite",
        "Anliegen POST",
        "Dashboard",
        "Dashboard (ein Tag neu gebaut)",
        "Dashboard (eine Stunde neu gebaut)",
        "Dashboard (Prozessstart)",
    }
    assert all(statements > 0 for _millis, statements in pages.values())
    # Without the kept sums the dashboard reads them: more statements than with them;
    # after one day's rebuild it reads that day's sums only, not the weeks'.
    assert pages["Dashboard (Prozessstart)"][1] > pages["Dashboard (ein Tag neu gebaut)"][1]
    assert pages["Dashboard (ein Tag neu gebaut)"][1] > pages["Dashboard"][1]
    assert found["peak_mib"] > 0
    # Today's volume beside the figures: at least the enquiries this run recorded (the
    # timed ones, the search targets) and the page of offers it made. Those came after the
    # hours' sums were built: the dashboard counted them from the rows.
    cases_today, offers_today, open_offers, cases_read, offers_read = found["today"]
    assert cases_today >= cases_read >= POST_REPEAT + 2 + SEARCH_LIMIT
    assert offers_today >= offers_read >= 25 and open_offers >= 25
    result = SizeResult("sqlite", CASES, 1.0, 1, [PageTiming(*p) for p in found["pages"]], 1.0)
    result.today = tuple(found["today"])
    table = format_table([result])
    assert "| sqlite | 400 | Suche Name (eindeutig) |" in table and "Anliegen/s" in table
    assert f"| sqlite | 400 | Heute beim Dashboard: {cases_today:,} Anliegen, " in table


def test_parallel_intakes_are_each_stored_once(bench_url, seeded):
    before = seeded.scalar(sa.select(sa.func.count()).select_from(Case))
    seeded.rollback()
    done, refused, span = intake_rate(bench_url, 2, 1.0)
    after = seeded.scalar(sa.select(sa.func.count()).select_from(Case))
    assert done > 0 and refused == 0 and span >= 1.0
    assert after - before == done
    new_names = seeded.scalars(
        sa.select(Person.first_name).where(Person.last_name == "Neuaufnahme")
    ).all()
    assert len(new_names) == len(set(new_names))  # every enquiry a new person


def test_the_pages_asked_for_stay_the_same_when_enquiries_are_added(bench_url, seeded):
    from zentrum.bench_worker import _targets

    before = _targets(seeded)
    seeded.rollback()
    done, _refused, _span = intake_rate(bench_url, 1, 0.5)
    assert done > 0
    seeded.expire_all()
    # The name searched for and the reference are those of the middle seeded case: a
    # reused database, grown by earlier runs' enquiries, is asked the same questions.
    assert _targets(seeded) == before


def test_the_database_is_emptied_afterwards(bench_url):
    assert has_cases(bench_url)
    empty(bench_url)
    engine = sa.create_engine(bench_url)
    with engine.connect() as connection:
        assert sa.inspect(connection).get_table_names() == []
    engine.dispose()
    assert not has_cases(bench_url)


@pytest.mark.parametrize(
    ("keep", "reuse", "emptied"),
    [(False, False, True), (True, False, False), (False, True, False)],
)
def test_only_a_database_neither_kept_nor_reused_is_emptied(monkeypatch, keep, reuse, emptied):
    calls = []
    monkeypatch.setattr(bench_pages, "has_cases", lambda _url: True)
    monkeypatch.setattr(bench_pages, "seed", lambda *_a: calls.append("seed") or (1.0, 10))
    monkeypatch.setattr(
        bench_pages,
        "_child",
        lambda *_a: {"peak_mib": 1.0, "load": 0.0, "pages": [], "today": [0, 0, 0, 0, 0]},
    )
    monkeypatch.setattr(bench_pages, "empty", lambda _url: calls.append("empty"))
    monkeypatch.setattr(bench_pages, "catch_up", lambda *_a: calls.append("catch_up"))
    options = bench_pages.Options(repeat=1, workers=0, keep=keep, reuse=reuse)
    bench_pages.run_size("sqlite:///x.db", "sqlite", 10, options, lambda _text: None)
    assert ("empty" in calls) is emptied
    assert ("seed" in calls) is not reuse  # a reused database is measured as it is
    assert ("catch_up" in calls) is reuse  # ... once brought to the code's schema


def test_a_reused_database_is_migrated_to_the_code_before_it_is_measured(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    said = []
    bench_pages.catch_up(url, said.append)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert "report_open_weeks" in sa.inspect(connection).get_table_names()
    engine.dispose()
    assert said == [said[0]] and said[0].startswith("Summen nachgeholt: 0 in")
