"""Retention: closed cases are anonymised some years after closure; the figures stay."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.retention import ANONYMISED_NAME
from zentrum.domain.vocab import DeclineReason, Outcome
from zentrum.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseNote,
    Consent,
    Handover,
    Person,
    PersonNamePair,
    PersonNameToken,
    Referral,
    User,
)
from zentrum.services.case_actions import close_case, record_first_contact, reopen_case
from zentrum.services.cases import search_cases
from zentrum.services.dashboard import build_dashboard
from zentrum.services.handover import accept_offer, decline_offer, offer_case
from zentrum.services.intake import find_matching_persons
from zentrum.services.notes import add_note
from zentrum.services.periods import Period
from zentrum.services.referrals import answer_referral, refer_case
from zentrum.services.retention import anonymise_next_batch, plan

T0 = datetime(2022, 1, 10, 9, 0, tzinfo=UTC)
# Three years after T0 plus a little: the 2022 closures are due, later ones are not.
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
YEARS = 3
# Words of the free texts that worked_case writes.
TYPED = ("Lena", "Köln", "Termin", "Mutter", "zurück", "bezieht", "Geld", "0202")


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def worked_case(session, cases, users, *, first="Lena", last="Schmitz", start=0.0, **kwargs):
    """A case with every kind of free text: offer note, declined offer, notes, referral, close."""
    desk = cases.frontdesk()
    ihk = users("advisor", partner="ihk")
    jc = users("advisor", partner="jobcenter")
    case = cases(
        first,
        last,
        date(2005, 5, 17),
        consents=["ihk", "jobcenter"],
        members=[("Petra", last, "parent")],
        description=f"{first} {last} sucht eine Ausbildung, Tel. 0202 123456.",
        at=at(start),
        **kwargs,
    )
    person = case.young_person
    person.phone, person.email, person.postcode = "0202 123456", "lena@example.org", "42103"
    first_offer = offer_case(
        session, desk, at(start + 1), case, cases.partner("ihk"), note=f"{first} ruft zurück"
    )
    decline_offer(
        session,
        ihk,
        at(start + 2),
        case,
        first_offer.id,
        DeclineReason.OTHER,
        f"{first} ist schon bei uns",
    )
    offer = offer_case(session, desk, at(start + 3), case, cases.partner("ihk"))
    accept_offer(session, ihk, at(start + 5), case, offer.id)
    add_note(session, ihk, at(start + 6), case, f"{first} hat einen Termin am Montag.")
    add_note(session, ihk, at(start + 6.5), case, "Intern: Mutter anrufen.", internal=True)
    referral = refer_case(session, ihk, at(start + 7), case, cases.partner("jobcenter"), "Geld?")
    answer_referral(
        session,
        jc,
        at(start + 8),
        case,
        referral.id,
        accept=False,
        reason=DeclineReason.OTHER,
        comment=f"{first} bezieht nichts",
    )
    record_first_contact(session, ihk, at(start + 9), case)
    close_case(session, ihk, at(start + 30), case, Outcome.OTHER, f"{first} zog nach Köln")
    session.commit()
    return case


@pytest.fixture
def closed_2022(session, cases, users):
    return worked_case(session, cases, users)


def texts(session, case_id: int) -> list:
    """Every free text stored for a case."""
    rows = [session.get(Case, case_id).description]
    rows += session.scalars(sa.select(CaseNote.body).where(CaseNote.case_id == case_id)).all()
    for model in (Handover, Referral):
        for row in session.scalars(sa.select(model).where(model.case_id == case_id)):
            rows += [row.note, row.decline_comment]
    rows += [
        value
        for details in session.scalars(
            sa.select(CaseEvent.details).where(CaseEvent.case_id == case_id)
        )
        for value in (details or {}).values()
        if isinstance(value, str)
    ]
    return [text for text in rows if text]


def snapshot(session) -> list:
    """Every row of the tables retention touches, fresh from the database."""
    session.expire_all()
    result = []
    for model in (Case, Person, CaseNote, CaseEvent, Handover, Referral, Consent):
        table = model.__table__
        result.append(session.execute(sa.select(table).order_by(*table.primary_key)).all())
    return result


def test_plan_counts_what_a_run_would_do_and_changes_nothing(session, closed_2022):
    before = snapshot(session)
    counts = plan(session, NOW, YEARS)
    assert counts.references == [closed_2022.reference]
    assert (counts.cases, counts.persons, counts.persons_kept) == (1, 2, 0)
    assert counts.notes == 2
    assert counts.handovers == 1  # the first offer: its note and the decline comment
    assert counts.referrals == 1
    assert counts.events == 3  # the decline comment, the referral's and the closing comment
    assert counts.consents_kept == 2
    session.rollback()
    assert snapshot(session) == before


def test_run_removes_names_contacts_and_free_texts(session, closed_2022):
    case_id = closed_2022.id
    assert any("Lena" in text for text in texts(session, case_id))
    counts = anonymise_next_batch(session, NOW, YEARS)
    session.commit()
    assert (counts.cases, counts.persons) == (1, 2)
    assert not any(word in text for text in texts(session, case_id) for word in TYPED)
    case = session.get(Case, case_id)
    assert case.anonymised_at == NOW
    for member in case.members:
        person = member.person
        assert person.first_name == ANONYMISED_NAME and person.last_name == ""
        assert person.name_key == "" and person.anonymised_at == NOW
        assert (person.phone, person.email, person.postcode, person.language) == (None,) * 4
    young = case.young_person
    assert young.birth_date == date(2005, 4, 1)
    assert young.district == "barmen"  # reports count by district
    # Found neither by the case search nor as a known person at the next intake.
    desk = session.get(User, closed_2022.created_by_id)
    assert search_cases(session, desk, "Lena Schmitz") == []
    assert find_matching_persons(session, "Lena", "Schmitz", date(2005, 5, 17)) == []
    member_ids = [m.person_id for m in case.members]
    tokens = sa.select(PersonNameToken).where(PersonNameToken.person_id.in_(member_ids))
    assert session.scalars(tokens).all() == []  # the name words are gone from the index
    pairs = sa.select(PersonNamePair).where(PersonNamePair.person_id.in_(member_ids))
    assert session.scalars(pairs).all() == []  # and their pairs
    notes = session.scalars(sa.select(CaseNote).where(CaseNote.case_id == case_id)).all()
    assert [n.body for n in notes] == ["", ""] and [n.internal for n in notes] == [False, True]


def test_run_keeps_the_figures_and_the_consent_records(session, closed_2022):
    period = Period(date(2022, 1, 1), date(2022, 12, 31))
    ids = [None, [closed_2022.holder_partner_id]]
    before = [build_dashboard(session, period, partner_ids, NOW) for partner_ids in ids]
    consents = session.execute(
        sa.select(Consent.partner_id, Consent.granted_at, Consent.case_id).order_by(Consent.id)
    ).all()
    anonymise_next_batch(session, NOW, YEARS)
    session.commit()
    after = [build_dashboard(session, period, partner_ids, NOW) for partner_ids in ids]
    assert after == before
    assert before[0].partners and before[0].by_district == [("barmen", 1)]
    case = session.get(Case, closed_2022.id)
    assert case.outcome == Outcome.OTHER and [t.code for t in case.topics] == ["apprenticeship"]
    declined = session.scalar(sa.select(Handover).where(Handover.status == "declined"))
    assert declined.decline_reason == "other" and declined.wait_seconds == 3600
    assert (
        session.execute(
            sa.select(Consent.partner_id, Consent.granted_at, Consent.case_id).order_by(Consent.id)
        ).all()
        == consents
    )


def test_a_case_is_anonymised_once(session, closed_2022):
    assert anonymise_next_batch(session, NOW, YEARS).cases == 1
    session.commit()
    before = snapshot(session)
    later = NOW + timedelta(days=400)
    assert anonymise_next_batch(session, later, YEARS).cases == 0
    assert plan(session, later, YEARS).cases == 0
    session.commit()
    assert snapshot(session) == before


def test_cases_closed_within_the_period_stay(session, cases, users, closed_2022):
    recent = worked_case(session, cases, users, first="Max", last="Muster", start=24 * 365 * 2)
    counts = anonymise_next_batch(session, NOW, YEARS)
    session.commit()
    assert counts.references == [closed_2022.reference]
    assert session.get(Case, recent.id).anonymised_at is None
    assert session.get(Case, recent.id).young_person.first_name == "Max"
    assert any("Max" in text for text in texts(session, recent.id))


def test_person_keeps_data_until_all_their_cases_are_due(session, cases, users, closed_2022):
    lena = closed_2022.young_person
    lena_id = lena.id
    later = cases(
        "Lena", "Schmitz", date(2005, 5, 17), existing_person_id=lena_id, at=at(24 * 365 * 2)
    )
    counts = anonymise_next_batch(session, NOW, YEARS)
    session.commit()
    assert (counts.cases, counts.persons, counts.persons_kept) == (1, 1, 1)
    lena = session.get(Person, lena_id)
    assert (lena.first_name, lena.birth_date, lena.phone) == (
        "Lena",
        date(2005, 5, 17),
        "0202 123456",
    )
    assert lena.anonymised_at is None
    # The mother was only on the old case.
    parent = [m.person for m in session.get(Case, closed_2022.id).members if m.role == "parent"]
    assert parent[0].first_name == ANONYMISED_NAME
    # The old case's own texts went anyway.
    assert not any("Lena" in text for text in texts(session, closed_2022.id))

    ihk = users("advisor", partner="ihk")
    desk = cases.frontdesk()
    offer = offer_case(session, desk, at(24 * 365 * 2 + 1), later, cases.partner("ihk"))
    accept_offer(session, ihk, at(24 * 365 * 2 + 2), later, offer.id)
    close_case(session, ihk, at(24 * 365 * 2 + 3), later, Outcome.ADVICE_GIVEN)
    session.commit()
    assert anonymise_next_batch(session, NOW, YEARS).cases == 0
    much_later = NOW + timedelta(days=365 * 2)
    counts = anonymise_next_batch(session, much_later, YEARS)
    session.commit()
    assert (counts.cases, counts.persons, counts.persons_kept) == (1, 1, 0)
    lena = session.get(Person, lena_id)
    assert lena.first_name == ANONYMISED_NAME and lena.birth_date == date(2005, 4, 1)


def test_batches_split_the_work(session, cases, users):
    desk = cases.frontdesk()
    ihk = users("advisor", partner="ihk")
    made = []
    for i in range(5):
        # Born 2000: old enough to consent for themselves at the time of the case.
        case = cases(f"Kind{i}", "Test", date(2000, 3, 1), consents=["ihk"], at=at(i))
        offer = offer_case(session, desk, at(i + 0.5), case, cases.partner("ihk"))
        accept_offer(session, ihk, at(i + 0.7), case, offer.id)
        close_case(session, ihk, at(i + 1), case, Outcome.ADVICE_GIVEN)
        made.append(case.reference)
    session.commit()
    sizes = []
    while (counts := anonymise_next_batch(session, NOW, YEARS, batch_size=2)).cases:
        session.commit()
        sizes.append(counts.cases)
    assert sizes == [2, 2, 1]
    persons = session.scalars(sa.select(Person.first_name).join(CaseMember)).all()
    assert set(persons) == {ANONYMISED_NAME}


def test_an_anonymised_case_cannot_be_reopened(session, cases, closed_2022):
    anonymise_next_batch(session, NOW, YEARS)
    session.commit()
    case = session.get(Case, closed_2022.id)
    holder = session.get(Case, closed_2022.id).responsible_user
    with pytest.raises(TransitionError) as caught:
        reopen_case(session, holder, NOW, case, "neue Frage")
    assert caught.value.code == "case_anonymised"
