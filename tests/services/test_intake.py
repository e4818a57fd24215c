"""Recording an enquiry: case, persons, consents, history, references."""

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from zentrum.domain.vocab import CaseStatus, EventKind
from zentrum.extensions import db
from zentrum.models import Case, CaseEvent, CaseMember, Consent, Person, User
from zentrum.services.errors import InvalidReference
from zentrum.services.intake import find_matching_persons, next_reference, record_intake

NOW = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)


def _count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def test_intake_creates_case_members_consents_and_first_event(session, cases):
    case = cases(
        members=[("Eva", "Schmitz", "parent"), ("Tim", "Schmitz", "sibling")],
        consents=["ihk", "jobcenter"],
        topics=("apprenticeship", "benefits"),
        at=NOW,
    )
    session.expire_all()
    case = session.get(Case, case.id)
    assert case.reference == "ZZ-2026-00001"
    assert case.status == CaseStatus.AT_FRONT_DESK
    assert case.holder_partner_id is None
    assert case.created_at == NOW
    assert [m.role for m in case.members] == ["young_person", "parent", "sibling"]
    assert case.young_person.full_name == "Lena Schmitz"
    assert sorted(t.code for t in case.topics) == ["apprenticeship", "benefits"]
    consents = session.scalars(sa.select(Consent).where(Consent.case_id == case.id)).all()
    assert sorted(c.partner.code for c in consents) == ["ihk", "jobcenter"]
    assert all(c.person_id == case.young_person.id for c in consents)
    events = session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [(e.kind, e.at) for e in events] == [(EventKind.INTAKE, NOW)]
    assert events[0].actor_id == case.created_by_id


def test_references_count_up_per_year_in_wuppertal_time(session, cases):
    first = cases(at=datetime(2026, 12, 31, 22, 0, tzinfo=UTC))
    second = cases("Max", "Peters", at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    third = cases("Mia", "Peters", at=datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    assert first.reference == "ZZ-2026-00001"
    assert second.reference == "ZZ-2027-00001"  # already 1 January in Wuppertal
    assert third.reference == "ZZ-2027-00002"


def test_unknown_topic_stores_nothing(session, cases, users):
    actor = users("frontdesk")
    data = cases.data()
    data.topic_ids.append(99999)
    with pytest.raises(InvalidReference) as error:
        record_intake(session, actor, NOW, data)
    session.rollback()
    assert error.value.field == "topics"
    assert _count(session, Case) == _count(session, Person) == _count(session, CaseEvent) == 0


def test_unknown_consent_partner_stores_nothing(session, cases, users):
    actor = users("frontdesk")
    data = cases.data()
    data.consent_partner_ids.append(424242)
    with pytest.raises(InvalidReference) as error:
        record_intake(session, actor, NOW, data)
    session.rollback()
    assert error.value.field == "consents"
    assert _count(session, Case) == 0


def test_matching_ignores_case_accents_umlaut_spellings_and_spaces(session, cases):
    cases("Jürgen", "Weiß", date(2005, 1, 2))
    found = find_matching_persons(session, "  JUERGEN ", "weiss", date(2005, 1, 2))
    assert [p.full_name for p in found] == ["Jürgen Weiß"]
    assert find_matching_persons(session, "Jürgen", "Weiß", date(2005, 1, 3)) == []


def test_attaching_to_an_existing_person_adds_no_person(session, cases):
    first = cases("Jürgen", "Weiß", date(2005, 1, 2))
    person_id = first.young_person.id
    persons_before = _count(session, Person)
    second = cases("Juergen", "Weiss", date(2005, 1, 2), existing_person_id=person_id)
    assert second.young_person.id == person_id
    assert _count(session, Person) == persons_before
    cases_of_person = session.scalars(
        sa.select(CaseMember.case_id).where(CaseMember.person_id == person_id)
    ).all()
    assert sorted(cases_of_person) == sorted([first.id, second.id])


def test_attaching_to_a_person_who_does_not_match_is_refused(session, cases, users):
    other = cases("Anna", "Berg", date(2004, 4, 4))
    data = cases.data("Jürgen", "Weiß", date(2005, 1, 2), existing_person_id=other.young_person.id)
    with pytest.raises(InvalidReference):
        record_intake(session, users("frontdesk"), NOW, data)
    session.rollback()
    assert _count(session, Case) == 1


def test_next_reference_starts_a_new_year_counter(session):
    assert next_reference(session, 2031) == "ZZ-2031-00001"
    assert next_reference(session, 2031) == "ZZ-2031-00002"
    assert next_reference(session, 2032) == "ZZ-2032-00001"
    session.rollback()


def test_references_stay_unique_when_many_save_at_the_same_moment(app, session, cases, users):
    """Eight threads, each on its own connection, record enquiries at once."""
    actor_id = users("frontdesk").id
    data = cases.data()
    session.rollback()
    threads_count, per_thread = 8, 5
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def work():
        try:
            with app.app_context():
                actor = db.session.get(User, actor_id)
                db.session.rollback()  # end the read; each intake below takes the write lock
                barrier.wait(timeout=30)
                for _ in range(per_thread):
                    with app.test_request_context(method="POST"):
                        record_intake(db.session, actor, NOW, data)
                        db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session.rollback()  # see what the threads committed
    references = session.scalars(sa.select(Case.reference)).all()
    assert len(references) == threads_count * per_thread
    assert sorted(references) == [f"ZZ-2026-{n:05d}" for n in range(1, 41)]
