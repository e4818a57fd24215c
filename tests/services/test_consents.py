"""Consents, revocations and legal bases on the real database: rules, effects, history."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import EventKind, OfferStatus, ReferralStatus
from zentrum.models import CaseEvent, Consent, Handover, LegalBasisRecord, Referral
from zentrum.services.cases import case_consents, get_visible_case, recent_cases
from zentrum.services.consents import (
    ConsentData,
    case_bases,
    decide_basis,
    record_consent,
    request_basis,
    revoke_consent,
    revoked_but_held,
    revoked_holder_flag,
)
from zentrum.services.handover import accept_offer, offer_case
from zentrum.services.lifecycle import receiving_basis
from zentrum.services.referrals import refer_case

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday
WHY = "Leistungsanspruch muss mit dem Jobcenter geklärt werden, Person nicht erreichbar."


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def refused(code: str):
    return pytest.raises(TransitionError, match=f"^{code}$")


def consent_data(**overrides) -> ConsentData:
    values = {
        "categories": ["master_data", "school"],
        "purpose": "Vermittlung in Ausbildung",
        "given_on": date(2026, 11, 20),
        "given_by": "young_person",
    }
    return ConsentData(**{**values, **overrides})


@pytest.fixture
def desk(users):
    return users("frontdesk")


@pytest.fixture
def advisor(users):
    return lambda code: users("advisor", partner=code)


@pytest.fixture
def case(cases, desk):
    """A 19-year-old's case at the front desk with a consent for the IHK only."""
    return cases(consents=["ihk"], at=T0, actor=desk)


def _rows(session, case):
    return case_consents(session, case), case_bases(session, case)


def kinds(session, case) -> list[str]:
    stmt = sa.select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


# --- recording -------------------------------------------------------------------------------


def test_a_consent_records_categories_purpose_giver_and_its_event(session, cases, desk, case):
    consent = record_consent(session, desk, at(5), case, cases.partner("hwk"), consent_data())
    session.commit()
    stored = session.get(Consent, consent.id)
    assert stored.categories == ["master_data", "school"]
    assert (stored.purpose, stored.given_on, stored.given_by) == (
        "Vermittlung in Ausbildung",
        date(2026, 11, 20),
        "young_person",
    )
    assert (stored.granted_at, stored.recorded_by_id, stored.guardian_names) == (
        at(5),
        desk.id,
        None,
    )
    event = session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()[-1]
    assert event.kind == EventKind.CONSENT_GIVEN
    assert event.target_partner_id == cases.partner_id("hwk")
    assert event.details["consent_id"] == consent.id


def test_categories_are_kept_in_their_declared_order(session, cases, desk, case):
    data = consent_data(categories=["benefits", "master_data"])
    consent = record_consent(session, desk, at(5), case, cases.partner("hwk"), data)
    assert consent.categories == ["master_data", "benefits"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"categories": []}, "categories_missing"),
        ({"categories": ["master_data", "passwords"]}, "categories_missing"),
        ({"purpose": "   "}, "purpose_missing"),
        ({"purpose": "x" * 2001}, "text_too_long"),
        ({"given_by": "neighbour"}, "consent_by_unknown"),
        ({"given_by": "guardians", "guardian_names": "Maria Schmitz"}, "consent_by_young_person"),
        ({"given_on": date(2026, 11, 25)}, "consent_date_future"),
    ],
)
def test_a_bad_consent_is_refused_and_nothing_stored(session, cases, desk, case, overrides, code):
    with refused(code):
        record_consent(session, desk, at(5), case, cases.partner("hwk"), consent_data(**overrides))
    session.rollback()
    assert session.scalar(sa.select(sa.func.count(Consent.id))) == 1  # the intake's


def test_below_15_the_guardians_give_it_named(session, cases, desk):
    young = cases("Mia", "Klein", date(2013, 3, 1), at=T0, actor=desk)
    hwk = cases.partner("hwk")
    with refused("consent_by_guardians"):
        record_consent(session, desk, at(5), young, hwk, consent_data())
    with refused("guardian_names_missing"):
        record_consent(session, desk, at(5), young, hwk, consent_data(given_by="guardians"))
    consent = record_consent(
        session,
        desk,
        at(5),
        young,
        hwk,
        consent_data(given_by="guardians", guardian_names="Eva und Tom Klein"),
    )
    assert consent.guardian_names == "Eva und Tom Klein"


def test_the_database_refuses_unnamed_guardians(session, cases, desk, case):
    consent = record_consent(session, desk, at(5), case, cases.partner("hwk"), consent_data())
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(
            sa.update(Consent).where(Consent.id == consent.id).values(given_by="guardians")
        )
    session.rollback()


def test_who_may_record(session, cases, users, advisor, case):
    hwk = cases.partner("hwk")
    with refused("read_only"):
        record_consent(session, users("supervisor"), at(5), case, hwk, consent_data())
    with refused("read_only"):
        record_consent(session, users("admin"), at(5), case, hwk, consent_data())
    with refused("not_involved_case"):
        record_consent(session, advisor("hwk"), at(5), case, hwk, consent_data())
    cases.offer(case, "ihk", at=at(1))
    record_consent(session, advisor("ihk"), at(5), case, hwk, consent_data())  # offered: involved


# --- revocation ------------------------------------------------------------------------------


def _intake_consent(session, case) -> Consent:
    return session.scalar(sa.select(Consent).where(Consent.case_id == case.id))


def test_revocation_is_recorded_once_with_its_event(session, desk, case):
    consent = _intake_consent(session, case)
    revoke_consent(session, desk, at(10), case, consent.id, "young_person", "telefonisch")
    session.commit()
    stored = session.get(Consent, consent.id)
    assert (stored.revoked_at, stored.revoked_by_id, stored.revoked_by) == (
        at(10),
        desk.id,
        "young_person",
    )
    assert stored.revocation_note == "telefonisch"
    assert kinds(session, case)[-1] == EventKind.CONSENT_REVOKED
    with refused("consent_already_revoked"):
        revoke_consent(session, desk, at(11), case, consent.id, "young_person")


def test_revocation_by_the_wrong_person_or_of_another_persons_consent_is_refused(
    session, cases, desk, case
):
    consent = _intake_consent(session, case)
    with refused("revoke_by_young"):
        revoke_consent(session, desk, at(10), case, consent.id, "guardians")
    other = cases("Jonas", "Berg", consents=["ihk"], at=T0, actor=desk)
    with refused("consent_gone"):
        revoke_consent(session, desk, at(10), other, consent.id, "young_person")


def test_revocation_withdraws_the_open_offer_and_stops_new_ones(session, cases, desk, case):
    offer = cases.offer(case, "ihk", at=at(1))
    revoke_consent(session, desk, at(10), case, _intake_consent(session, case).id, "young_person")
    session.commit()
    assert session.get(Handover, offer.id).status == OfferStatus.WITHDRAWN
    assert kinds(session, case)[-2:] == [EventKind.CONSENT_REVOKED, EventKind.WITHDRAW]
    withdraw = session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()[-1]
    assert withdraw.details["cause"] == "consent_revoked"
    with refused("consent_revoked"):
        offer_case(session, desk, at(20), case, cases.partner("ihk"))


def test_a_new_consent_after_revocation_opens_the_way_again(session, cases, desk, case):
    revoke_consent(session, desk, at(10), case, _intake_consent(session, case).id, "young_person")
    record_consent(session, desk, at(20), case, cases.partner("ihk"), consent_data())
    assert receiving_basis(session, case, cases.partner("ihk")) is None


def test_revocation_ends_referrals_to_that_partner_only(session, cases, desk, advisor):
    case = cases(consents=["ihk", "hwk", "jobcenter"], at=T0, actor=desk)
    ihk = advisor("ihk")
    accept_offer(session, ihk, at(2), case, cases.offer(case, "ihk", at=at(1)).id)
    hwk_ref = refer_case(session, ihk, at(3), case, cases.partner("hwk"))
    jc_ref = refer_case(session, ihk, at(4), case, cases.partner("jobcenter"))
    session.commit()
    hwk_consent = session.scalar(
        sa.select(Consent).where(Consent.partner_id == cases.partner_id("hwk"))
    )
    revoke_consent(session, desk, at(10), case, hwk_consent.id, "young_person")
    session.commit()
    assert session.get(Referral, hwk_ref.id).status == ReferralStatus.WITHDRAWN
    assert session.get(Referral, jc_ref.id).status == ReferralStatus.PENDING


def test_revocation_hides_the_case_from_that_partner_unless_it_is_responsible(
    session, cases, desk, advisor, case
):
    ihk, hwk = advisor("ihk"), advisor("hwk")
    record_consent(session, desk, at(1), case, cases.partner("hwk"), consent_data())
    accept_offer(session, ihk, at(3), case, cases.offer(case, "ihk", at=at(2)).id)
    refer_case(session, ihk, at(4), case, cases.partner("hwk"))
    session.commit()
    assert get_visible_case(session, hwk, case.id) is not None
    for consent in session.scalars(sa.select(Consent)).all():
        revoke_consent(session, desk, at(10), case, consent.id, "young_person")
    session.commit()
    assert get_visible_case(session, hwk, case.id) is None  # referred only: hidden
    assert get_visible_case(session, ihk, case.id) is not None  # responsible: stays
    assert revoked_holder_flag(case, *_rows(session, case)).code == "ihk"
    assert [c.id for c, _partner in revoked_but_held(session)] == [case.id]


def test_revocation_hides_only_the_revoking_persons_cases(session, cases, desk, advisor):
    hwk = advisor("hwk")
    kept = cases("Kai", "Bleibt", consents=["hwk"], at=T0, actor=desk)
    gone = cases("Ida", "Geht", consents=["hwk"], at=at(1), actor=desk)
    later = cases("Ole", "Später", consents=["hwk"], at=at(2), actor=desk)
    for case in (kept, gone, later):
        cases.offer(case, "hwk", at=at(3))
    consent = session.scalar(sa.select(Consent).where(Consent.case_id == gone.id))
    revoke_consent(session, desk, at(10), gone, consent.id, "young_person")
    session.commit()
    visible = {c.id for c in (kept, gone, later) if get_visible_case(session, hwk, c.id)}
    assert visible == {kept.id, later.id}
    rows, _cursor = recent_cases(session, hwk)
    assert {row.case.id for row in rows} == {kept.id, later.id}


def test_no_flag_while_consent_stands(session, cases, advisor, case):
    accept_offer(session, advisor("ihk"), at(3), case, cases.offer(case, "ihk", at=at(2)).id)
    session.commit()
    assert revoked_holder_flag(case, *_rows(session, case)) is None
    assert revoked_but_held(session) == []


def test_revocation_reaches_the_persons_other_open_cases(session, cases, desk, case):
    second = cases(existing_person_id=case.young_person.id, at=at(1), actor=desk)
    offer = cases.offer(second, "ihk", at=at(2))
    revoke_consent(session, desk, at(10), case, _intake_consent(session, case).id, "young_person")
    session.commit()
    assert session.get(Handover, offer.id).status == OfferStatus.WITHDRAWN
    assert kinds(session, second)[-1] == EventKind.WITHDRAW


# --- legal bases (four eyes) -------------------------------------------------------------------


def test_a_legal_basis_counts_only_once_a_second_person_approved_it(
    session, cases, desk, users, case
):
    jobcenter = cases.partner("jobcenter")
    record = request_basis(session, desk, at(1), case, jobcenter, "sgb_ii_50", WHY)
    session.commit()
    with refused("no_consent"):
        receiving_basis(session, case, jobcenter)
    boss = users("supervisor")
    decide_basis(session, boss, at(2), case, record.id, approve=True)
    session.commit()
    offer = offer_case(session, desk, at(3), case, jobcenter)
    assert offer.legal_basis == "sgb_ii_50"
    assert kinds(session, case)[-3:] == [
        EventKind.BASIS_REQUESTED,
        EventKind.BASIS_APPROVED,
        EventKind.OFFER,
    ]


def test_the_requester_cannot_approve_and_the_database_says_so_too(session, cases, users, case):
    boss, other = users("supervisor"), users("supervisor")
    record = request_basis(session, boss, at(1), case, cases.partner("hwk"), "other", WHY)
    with refused("four_eyes"):
        decide_basis(session, boss, at(2), case, record.id, approve=True)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(
            sa.update(LegalBasisRecord)
            .where(LegalBasisRecord.id == record.id)
            .values(decided_by_id=boss.id)
        )
    session.rollback()
    decide_basis(session, other, at(3), case, record.id, approve=True)


def test_only_supervisors_decide_and_only_once(session, cases, desk, advisor, users, case):
    record = request_basis(session, desk, at(1), case, cases.partner("hwk"), "other", WHY)
    with refused("basis_needs_supervisor"):
        decide_basis(session, advisor("ihk"), at(2), case, record.id, approve=True)
    with refused("basis_needs_supervisor"):
        decide_basis(session, users("frontdesk"), at(2), case, record.id, approve=True)
    boss = users("supervisor")
    with refused("refusal_needs_reason"):
        decide_basis(session, boss, at(2), case, record.id, approve=False)
    decide_basis(
        session, boss, at(2), case, record.id, approve=False, note="Begründung trägt nicht"
    )
    session.commit()
    assert session.get(LegalBasisRecord, record.id).status == "refused"
    assert kinds(session, case)[-1] == EventKind.BASIS_REFUSED
    with refused("basis_decided"):
        decide_basis(session, users("supervisor"), at(3), case, record.id, approve=True)
    with refused("no_consent"):
        receiving_basis(session, case, cases.partner("hwk"))


def test_a_request_needs_a_written_justification_and_one_at_a_time(session, cases, desk, case):
    hwk = cases.partner("hwk")
    with refused("justification_too_short"):
        request_basis(session, desk, at(1), case, hwk, "other", "weil")
    with refused("basis_unknown"):
        request_basis(session, desk, at(1), case, hwk, "gut_gefuehl", WHY)
    request_basis(session, desk, at(1), case, hwk, "other", WHY)
    with refused("basis_pending"):
        request_basis(session, desk, at(2), case, hwk, "sgb_x_69_1_1", WHY)
    session.commit()
    with pytest.raises(IntegrityError):  # the database refuses a second pending one too
        session.add(
            LegalBasisRecord(
                case_id=case.id,
                partner_id=hwk.id,
                basis="other",
                justification=WHY,
                requested_by_id=desk.id,
                requested_at=at(3),
            )
        )
        session.flush()
    session.rollback()


def test_an_approved_basis_keeps_the_case_visible_after_revocation(
    session, cases, desk, advisor, users, case
):
    ihk = advisor("ihk")
    cases.offer(case, "ihk", at=at(1))
    record = request_basis(session, desk, at(2), case, cases.partner("ihk"), "other", WHY)
    decide_basis(session, users("supervisor"), at(3), case, record.id, approve=True)
    revoke_consent(session, desk, at(4), case, _intake_consent(session, case).id, "young_person")
    session.commit()
    assert get_visible_case(session, ihk, case.id) is not None
    assert session.scalar(sa.select(Handover.status)) == OfferStatus.PENDING


# --- § 65 SGB VIII: notes written in the Jugendamt --------------------------------------------


@pytest.fixture
def ja_case(session, cases, desk, advisor):
    """A case the Jugendamt holds, with the IHK and the HWK referred."""
    case = cases(consents=["jugendamt", "ihk", "hwk"], at=T0, actor=desk)
    ja = advisor("jugendamt")
    accept_offer(session, ja, at(2), case, cases.offer(case, "jugendamt", at=at(1)).id)
    refer_case(session, ja, at(3), case, cases.partner("ihk"))
    refer_case(session, ja, at(3), case, cases.partner("hwk"))
    session.commit()
    return case, ja


def test_a_jugendamt_note_is_shared_only_with_an_approved_basis(session, cases, users, ja_case):
    from zentrum.services.notes import add_note

    case, ja = ja_case
    with refused("note_needs_basis"):
        add_note(session, ja, at(5), case, "Gespräch mit der Mutter", internal=False)
    session.rollback()
    record = request_basis(session, ja, at(6), case, cases.partner("ihk"), "sgb_viii_65_1_4", WHY)
    decide_basis(session, users("supervisor"), at(7), case, record.id, approve=True)
    note = add_note(session, ja, at(8), case, "Gespräch mit der Mutter", internal=False)
    session.commit()
    assert note.youth_office and not note.internal


def test_who_reads_jugendamt_notes(session, cases, users, advisor, ja_case):
    from zentrum.services.notes import add_note, case_notes, note_visible

    case, ja = ja_case
    record = request_basis(session, ja, at(4), case, cases.partner("ihk"), "sgb_viii_65_1_4", WHY)
    decide_basis(session, users("supervisor"), at(5), case, record.id, approve=True)
    shared = add_note(session, ja, at(6), case, "geteilt", internal=False)
    internal = add_note(session, ja, at(7), case, "intern", internal=True)
    ihk_note = add_note(session, advisor("ihk"), at(8), case, "IHK-Notiz")
    session.commit()
    readers = {
        "jugendamt": (advisor("jugendamt"), {shared.id, internal.id, ihk_note.id}),
        "ihk": (advisor("ihk"), {shared.id, ihk_note.id}),  # approved basis
        "hwk": (advisor("hwk"), {ihk_note.id}),  # involved, no basis
        "frontdesk": (users("frontdesk"), {ihk_note.id}),
        "supervisor": (users("supervisor"), {ihk_note.id}),
    }
    approved = {cases.partner_id("ihk")}
    for name, (viewer, expected) in readers.items():
        assert {n.id for n in case_notes(session, viewer, case)} == expected, name
        for note in (shared, internal, ihk_note):
            assert note_visible(note, viewer, approved) == (note.id in expected), name


def test_notes_of_other_partners_are_not_marked_youth_office(session, cases, advisor, ja_case):
    from zentrum.services.notes import add_note

    case, _ja = ja_case
    note = add_note(session, advisor("ihk"), at(5), case, "IHK", internal=False)
    assert note.youth_office is False


def test_a_crisis_stays_with_the_jugendamt_after_revocation(session, cases, desk, advisor):
    case = cases(consents=["jugendamt"], urgency="crisis", at=T0, actor=desk)
    ja = advisor("jugendamt")
    offer = cases.offer(case, "jugendamt", at=at(1))
    revoke_consent(session, desk, at(5), case, _intake_consent(session, case).id, "young_person")
    session.commit()
    assert session.get(Handover, offer.id).status == OfferStatus.PENDING  # § 8a goes regardless
    assert get_visible_case(session, ja, case.id) is not None
    assert receiving_basis(session, case, cases.partner("jugendamt")) == "child_protection"
