"""Offers, referrals, work on a held case and notes, on the real database."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.routing import Suggestion
from zentrum.domain.vocab import CaseStatus, DeclineReason, EventKind, Outcome
from zentrum.models import Case, CaseAccess, CaseEvent, CaseNote, Consent, Handover, Referral
from zentrum.services.case_actions import (
    close_case,
    reassign_case,
    record_first_contact,
    reopen_case,
)
from zentrum.services.cases import get_visible_case, recent_cases, search_cases
from zentrum.services.handover import (
    OfferTaken,
    accept_offer,
    decline_offer,
    offer_case,
    withdraw_offer,
)
from zentrum.services.lifecycle import case_state
from zentrum.services.notes import NOTE_MAX, add_note, case_notes, note_visible
from zentrum.services.referrals import answer_referral, end_referral, refer_case

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def refused(code: str):
    return pytest.raises(TransitionError, match=f"^{code}$")


@pytest.fixture
def desk(users):
    return users("frontdesk")


@pytest.fixture
def ihk1(users):
    return users("advisor", partner="ihk")


@pytest.fixture
def ihk2(users):
    return users("advisor", partner="ihk")


@pytest.fixture
def hwk1(users):
    return users("advisor", partner="hwk")


@pytest.fixture
def jc1(users):
    return users("advisor", partner="jobcenter")


@pytest.fixture
def new_case(cases, desk):
    """A case at the front desk with consents for IHK, HWK and Jobcenter."""

    def make(consents=("ihk", "hwk", "jobcenter"), **kwargs):
        return cases(consents=list(consents), at=T0, actor=desk, **kwargs)

    return make


@pytest.fixture
def held(session, cases, desk, new_case, ihk1):
    """A case that IHK holds, ``ihk1`` responsible."""
    case = new_case()
    offer = offer_case(session, desk, at(1), case, cases.partner("ihk"))
    accept_offer(session, ihk1, at(2), case, offer.id)
    session.commit()
    return case


def events(session, case) -> list[CaseEvent]:
    stmt = sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.scalars(stmt))


def kinds(session, case) -> list[str]:
    return [e.kind for e in events(session, case)]


def count(session, model, **where) -> int:
    stmt = sa.select(sa.func.count()).select_from(model).filter_by(**where)
    return session.scalar(stmt)


def fresh(session, case) -> Case:
    session.expire_all()
    return session.get(Case, case.id)


# --- offer and accept -----------------------------------------------------------------------


def test_an_offer_leaves_the_case_with_the_front_desk(session, cases, desk, new_case):
    case = new_case()
    offer = offer_case(session, desk, at(5), case, cases.partner("ihk"), note="Bitte übernehmen")
    session.commit()
    case = fresh(session, case)
    assert (case.status, case.holder_partner_id, case.responsible_user_id) == (
        CaseStatus.AT_FRONT_DESK,
        None,
        None,
    )
    offer = session.get(Handover, offer.id)
    assert offer.status == "pending" and offer.from_partner_id is None
    assert offer.to_partner_id == cases.partner_id("ihk")
    assert (offer.offered_by_id, offer.offered_at, offer.note) == (
        desk.id,
        at(5),
        "Bitte übernehmen",
    )
    assert offer.legal_basis is None
    last = events(session, case)[-1]
    assert (last.kind, last.at, last.actor_id, last.partner_id) == ("offer", at(5), desk.id, None)
    assert last.target_partner_id == cases.partner_id("ihk")
    assert last.details == {"handover_id": offer.id}


def test_accept_moves_holder_responsible_user_and_status(session, cases, desk, new_case, ihk2):
    case = new_case()
    offer = cases.offer(case, "ihk", actor=desk, at=at(0))
    accept_offer(session, ihk2, at(95), case, offer.id)
    session.commit()
    case = fresh(session, case)
    assert case.status == CaseStatus.WITH_PARTNER
    assert case.holder_partner_id == cases.partner_id("ihk")
    assert case.responsible_user_id == ihk2.id
    offer = session.get(Handover, offer.id)
    assert (offer.status, offer.decided_by_id, offer.decided_at) == ("accepted", ihk2.id, at(95))
    assert kinds(session, case) == ["intake", "offer", "accept"]
    accept = events(session, case)[-1]
    assert (accept.actor_id, accept.partner_id, accept.at) == (ihk2.id, ihk2.partner_id, at(95))
    assert accept.target_partner_id == cases.partner_id("ihk")
    assert accept.details == {"handover_id": offer.id, "wait_seconds": 95 * 60}


def test_wait_seconds_are_wall_clock_from_offer_to_acceptance(session, cases, desk, new_case, ihk1):
    case = new_case()
    friday_evening = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
    offer = cases.offer(case, "ihk", actor=desk, at=friday_evening)
    accept_offer(session, ihk1, friday_evening + timedelta(days=3, seconds=7), case, offer.id)
    session.commit()
    assert events(session, case)[-1].details["wait_seconds"] == 3 * 86400 + 7


def test_only_an_advisor_of_the_offered_partner_accepts(
    session, cases, desk, new_case, hwk1, users
):
    case = new_case()
    offer = cases.offer(case, "ihk", actor=desk, at=at(0))
    for outsider in (hwk1, desk, users("supervisor"), users("admin")):
        with refused("not_recipient"):
            accept_offer(session, outsider, at(1), case, offer.id)
        session.rollback()
    assert session.get(Handover, offer.id).status == "pending"
    assert kinds(session, case) == ["intake", "offer"]


def test_accepting_an_answered_offer_names_who_was_first(
    session, cases, desk, new_case, ihk1, ihk2
):
    case = new_case()
    offer = cases.offer(case, "ihk", actor=desk, at=at(0))
    accept_offer(session, ihk1, at(1), case, offer.id)
    session.commit()
    for late in (accept_offer, decline_offer):
        args = (DeclineReason.NO_CAPACITY,) if late is decline_offer else ()
        with pytest.raises(OfferTaken) as taken:
            late(session, ihk2, at(2), case, offer.id, *args)
        session.rollback()
        assert taken.value.code == "offer_taken"
        assert taken.value.offer.decided_by_id == ihk1.id
    assert fresh(session, case).responsible_user_id == ihk1.id
    assert kinds(session, case) == ["intake", "offer", "accept"]


def test_an_unknown_offer_is_gone(session, held, ihk1):
    with refused("offer_gone"):
        accept_offer(session, ihk1, at(3), held, 987654)


def test_accept_resets_the_first_contact_for_the_new_holder(session, cases, held, ihk1, hwk1):
    record_first_contact(session, ihk1, at(3), held)
    offer = offer_case(session, ihk1, at(4), held, cases.partner("hwk"))
    accept_offer(session, hwk1, at(5), held, offer.id)
    session.commit()
    assert fresh(session, held).first_contact_at is None
    record_first_contact(session, hwk1, at(6), held)  # the new holder counts its own


# --- decline and withdraw -------------------------------------------------------------------


def test_decline_leaves_the_case_at_the_front_desk_and_records_the_reason(
    session, cases, desk, new_case, ihk1
):
    case = new_case()
    offer = cases.offer(case, "ihk", actor=desk, at=at(0))
    decline_offer(session, ihk1, at(30), case, offer.id, DeclineReason.OTHER, "Bitte HWK fragen")
    session.commit()
    case = fresh(session, case)
    assert (case.status, case.holder_partner_id, case.responsible_user_id) == (
        CaseStatus.AT_FRONT_DESK,
        None,
        None,
    )
    offer = session.get(Handover, offer.id)
    assert (offer.status, offer.decided_by_id, offer.decided_at) == ("declined", ihk1.id, at(30))
    assert (offer.decline_reason, offer.decline_comment) == ("other", "Bitte HWK fragen")
    decline = events(session, case)[-1]
    assert (decline.kind, decline.actor_id, decline.target_partner_id) == ("decline", ihk1.id, None)
    assert decline.details == {
        "handover_id": offer.id,
        "reason": "other",
        "comment": "Bitte HWK fragen",
    }
    # The front desk still holds it and can offer it elsewhere.
    assert case_state(session, case).pending_offer is None
    cases.offer(case, "hwk", actor=desk, at=at(31))


def test_a_declined_handover_leaves_the_case_with_the_offering_partner(
    session, cases, held, ihk1, hwk1
):
    offer = offer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    decline_offer(session, hwk1, at(4), held, offer.id, DeclineReason.NOT_RESPONSIBLE)
    session.commit()
    case = fresh(session, held)
    assert case.status == CaseStatus.WITH_PARTNER
    assert (case.holder_partner_id, case.responsible_user_id) == (ihk1.partner_id, ihk1.id)
    decline = events(session, case)[-1]
    assert (decline.kind, decline.target_partner_id) == ("decline", ihk1.partner_id)
    assert session.get(Handover, offer.id).decline_comment is None


@pytest.mark.parametrize("comment", ["", "   "])
def test_declining_for_another_reason_needs_a_comment(
    session, cases, desk, new_case, ihk1, comment
):
    case = new_case()
    offer = cases.offer(case, "ihk", actor=desk, at=at(0))
    with refused("decline_needs_comment"):
        decline_offer(session, ihk1, at(1), case, offer.id, DeclineReason.OTHER, comment)
    session.rollback()
    assert session.get(Handover, offer.id).status == "pending"
    assert kinds(session, case) == ["intake", "offer"]


def test_the_holder_withdraws_an_offer(session, cases, desk, new_case, ihk1, users):
    case = new_case()
    offer = cases.offer(case, "ihk", actor=desk, at=at(0))
    with refused("not_holder"):
        withdraw_offer(session, ihk1, at(1), case, offer.id)
    session.rollback()
    other_desk = users("frontdesk")  # anyone at the front desk speaks for it
    withdraw_offer(session, other_desk, at(2), case, offer.id)
    session.commit()
    offer = session.get(Handover, offer.id)
    assert (offer.status, offer.decided_by_id, offer.decided_at) == (
        "withdrawn",
        other_desk.id,
        at(2),
    )
    withdraw = events(session, case)[-1]
    assert (withdraw.kind, withdraw.target_partner_id) == ("withdraw", cases.partner_id("ihk"))
    assert fresh(session, case).status == CaseStatus.AT_FRONT_DESK
    with pytest.raises(OfferTaken) as taken:
        accept_offer(session, ihk1, at(3), case, offer.id)
    session.rollback()
    assert taken.value.offer.status == "withdrawn"
    assert fresh(session, case).holder_partner_id is None


# --- handover between partners --------------------------------------------------------------


def test_the_current_partner_stays_responsible_until_the_handover_is_accepted(
    session, cases, held, ihk1, ihk2, hwk1
):
    offer = offer_case(session, ihk2, at(3), held, cases.partner("hwk"))  # a colleague offers
    session.commit()
    case = fresh(session, held)
    assert session.get(Handover, offer.id).from_partner_id == ihk1.partner_id
    assert (case.status, case.holder_partner_id, case.responsible_user_id) == (
        CaseStatus.WITH_PARTNER,
        ihk1.partner_id,
        ihk1.id,
    )
    # While the offer is open the offered partner may not act for the case ...
    with refused("not_holder"):
        record_first_contact(session, hwk1, at(4), case)
    session.rollback()
    # ... but the current partner still does.
    record_first_contact(session, ihk1, at(4), case)
    accept_offer(session, hwk1, at(10), case, offer.id)
    session.commit()
    case = fresh(session, case)
    assert (case.holder_partner_id, case.responsible_user_id) == (hwk1.partner_id, hwk1.id)
    accept = events(session, case)[-1]
    assert accept.details["from_partner_id"] == ihk1.partner_id
    assert accept.details["wait_seconds"] == 7 * 60
    with refused("not_holder"):
        offer_case(session, ihk1, at(11), case, cases.partner("jobcenter"))


def test_no_offer_to_the_partner_that_holds_the_case(session, cases, held, ihk1):
    with refused("offer_to_self"):
        offer_case(session, ihk1, at(3), held, cases.partner("ihk"))


def test_only_the_holder_offers(session, cases, held, desk, hwk1):
    for outsider in (desk, hwk1):
        with refused("not_holder"):
            offer_case(session, outsider, at(3), held, cases.partner("jobcenter"))
        session.rollback()
    assert count(session, Handover, case_id=held.id) == 1


def test_no_offer_to_an_inactive_partner(session, cases, desk, new_case):
    case = new_case()
    cases.partner("ihk").active = False
    session.commit()
    with refused("partner_inactive"):
        offer_case(session, desk, at(1), case, cases.partner("ihk"))


# --- consent and legal basis ----------------------------------------------------------------


def test_no_offer_without_consent(session, cases, desk, new_case):
    case = new_case(consents=["hwk"])
    with refused("no_consent"):
        offer_case(session, desk, at(1), case, cases.partner("ihk"))
    session.rollback()
    assert count(session, Handover) == 0
    assert count(session, CaseAccess) == 0
    assert kinds(session, case) == ["intake"]


def test_a_revoked_consent_is_no_consent(session, cases, desk, new_case):
    case = new_case(consents=["ihk"])
    consent = session.scalar(sa.select(Consent).where(Consent.case_id == case.id))
    consent.revoked_at, consent.revoked_by_id = at(1), desk.id
    session.commit()
    with refused("consent_revoked"):
        offer_case(session, desk, at(2), case, cases.partner("ihk"))


def test_a_crisis_goes_to_the_jugendamt_without_consent_and_says_so(
    session, cases, desk, new_case, users
):
    case = new_case(consents=[], urgency="crisis", topics=("family",))
    offer = offer_case(session, desk, at(1), case, cases.partner("jugendamt"))
    session.commit()
    assert session.get(Handover, offer.id).legal_basis == "child_protection"
    assert events(session, case)[-1].details["legal_basis"] == "child_protection"
    jugendamt = users("advisor", partner="jugendamt")
    accept_offer(session, jugendamt, at(20), case, offer.id)
    session.commit()
    assert fresh(session, case).holder_partner_id == cases.partner_id("jugendamt")


def test_a_crisis_goes_nowhere_else_without_consent(session, cases, desk, new_case):
    case = new_case(consents=[], urgency="crisis")
    with refused("no_consent"):
        offer_case(session, desk, at(1), case, cases.partner("jobcenter"))


def test_an_urgent_case_needs_consent_even_for_the_jugendamt(session, cases, desk, new_case):
    case = new_case(consents=[], urgency="urgent")
    with refused("no_consent"):
        offer_case(session, desk, at(1), case, cases.partner("jugendamt"))


def test_with_consent_no_legal_basis_is_recorded_even_in_a_crisis(session, cases, desk, new_case):
    case = new_case(consents=["jugendamt"], urgency="crisis")
    offer = offer_case(session, desk, at(1), case, cases.partner("jugendamt"))
    assert offer.legal_basis is None
    assert "legal_basis" not in events(session, case)[-1].details


# --- routing suggestion and override --------------------------------------------------------


@pytest.fixture
def suggestion(cases) -> Suggestion:
    return Suggestion(cases.partner_id("ihk"), "Thema Ausbildung, 16–24 Jahre → IHK", 4)


@pytest.mark.parametrize("reason", [None, "", "  \n "])
def test_choosing_another_partner_than_suggested_needs_a_reason(
    session, cases, desk, new_case, suggestion, reason
):
    case = new_case()
    with refused("override_needs_reason"):
        offer_case(
            session,
            desk,
            at(1),
            case,
            cases.partner("hwk"),
            suggestion=suggestion,
            override_reason=reason,
        )
    session.rollback()
    assert count(session, Handover) == 0


def test_an_override_records_suggestion_and_reason(session, cases, desk, new_case, suggestion):
    case = new_case()
    offer = offer_case(
        session,
        desk,
        at(1),
        case,
        cases.partner("hwk"),
        suggestion=suggestion,
        override_reason="Möchte ins Handwerk",
    )
    session.commit()
    offer = session.get(Handover, offer.id)
    assert offer.suggested_partner_id == cases.partner_id("ihk")
    assert offer.suggestion_reason == "Thema Ausbildung, 16–24 Jahre → IHK"
    assert offer.override_reason == "Möchte ins Handwerk"
    details = events(session, case)[-1].details
    assert details["suggestion"] == "Thema Ausbildung, 16–24 Jahre → IHK"
    assert details["override_reason"] == "Möchte ins Handwerk"


def test_following_the_suggestion_needs_no_reason_and_stores_none(
    session, cases, desk, new_case, suggestion
):
    case = new_case()
    offer = offer_case(
        session,
        desk,
        at(1),
        case,
        cases.partner("ihk"),
        suggestion=suggestion,
        override_reason="unnötig",
    )
    assert offer.override_reason is None
    assert offer.suggestion_reason == suggestion.reason
    assert "override_reason" not in events(session, case)[-1].details


def test_without_a_suggestion_any_partner_needs_no_reason(session, cases, desk, new_case):
    """No rule matched: the case waited at the front desk, which chooses freely."""
    case = new_case()
    offer = offer_case(session, desk, at(1), case, cases.partner("jobcenter"))
    assert (offer.suggested_partner_id, offer.override_reason) == (None, None)


# --- at most one open offer -----------------------------------------------------------------


def test_a_second_open_offer_is_refused(session, cases, desk, new_case):
    case = new_case()
    cases.offer(case, "ihk", actor=desk, at=at(0))
    with refused("offer_pending"):
        offer_case(session, desk, at(1), case, cases.partner("hwk"))
    session.rollback()
    assert count(session, Handover, case_id=case.id) == 1


def test_the_database_refuses_a_second_pending_offer(session, cases, desk, new_case):
    case = new_case()
    first = cases.offer(case, "ihk", actor=desk, at=at(0))
    session.add(
        Handover(
            case_id=case.id,
            to_partner_id=cases.partner_id("hwk"),
            offered_by_id=desk.id,
            offered_at=at(1),
            status="pending",
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    # Answered offers do not count: after a decline a second row is fine.
    session.execute(sa.update(Handover).where(Handover.id == first.id).values(status="declined"))
    session.add(
        Handover(
            case_id=case.id,
            to_partner_id=cases.partner_id("hwk"),
            offered_by_id=desk.id,
            offered_at=at(2),
            status="pending",
        )
    )
    session.flush()
    session.rollback()


# --- referrals ------------------------------------------------------------------------------


def test_a_referral_involves_a_partner_and_the_lead_stays(session, cases, held, ihk1, hwk1):
    referral = refer_case(session, ihk1, at(3), held, cases.partner("hwk"), note="Werkstattplatz?")
    session.commit()
    referral = session.get(Referral, referral.id)
    assert (referral.status, referral.from_partner_id, referral.to_partner_id) == (
        "pending",
        ihk1.partner_id,
        hwk1.partner_id,
    )
    refer = events(session, held)[-1]
    assert (refer.kind, refer.target_partner_id, refer.details) == (
        "refer",
        hwk1.partner_id,
        {"referral_id": referral.id},
    )
    answer_referral(session, hwk1, at(4), held, referral.id, accept=True)
    session.commit()
    referral = session.get(Referral, referral.id)
    assert (referral.status, referral.decided_by_id, referral.decided_at) == (
        "active",
        hwk1.id,
        at(4),
    )
    case = fresh(session, held)
    assert (case.status, case.holder_partner_id, case.responsible_user_id) == (
        CaseStatus.WITH_PARTNER,
        ihk1.partner_id,
        ihk1.id,
    )
    assert kinds(session, case)[-2:] == ["refer", "referral_accept"]
    # The referred partner does not become the holder.
    with refused("not_holder"):
        close_case(session, hwk1, at(5), case, Outcome.ADVICE_GIVEN)


def test_the_referred_partner_declines_with_a_reason(session, cases, held, ihk1, hwk1):
    referral = refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    session.commit()
    with refused("decline_needs_reason"):
        answer_referral(session, hwk1, at(4), held, referral.id, accept=False)
    session.rollback()
    with refused("decline_needs_comment"):
        answer_referral(
            session, hwk1, at(4), held, referral.id, accept=False, reason=DeclineReason.OTHER
        )
    session.rollback()
    answer_referral(
        session, hwk1, at(5), held, referral.id, accept=False, reason=DeclineReason.NO_CAPACITY
    )
    session.commit()
    referral = session.get(Referral, referral.id)
    assert (referral.status, referral.decline_reason) == ("declined", "no_capacity")
    decline = events(session, held)[-1]
    assert decline.kind == "referral_decline" and decline.details["reason"] == "no_capacity"
    with refused("referral_gone"):
        answer_referral(session, hwk1, at(6), held, referral.id, accept=True)
    session.rollback()
    # Once declined, the partner may be asked again.
    refer_case(session, ihk1, at(7), held, cases.partner("hwk"))


def test_only_the_referred_partner_answers(session, cases, held, ihk1, ihk2, jc1):
    referral = refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    session.commit()
    for outsider in (ihk1, ihk2, jc1):
        with refused("not_recipient"):
            answer_referral(session, outsider, at(4), held, referral.id, accept=True)
        session.rollback()
    assert session.get(Referral, referral.id).status == "pending"


def test_one_open_referral_per_partner(session, cases, held, ihk1, hwk1):
    first = refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    answer_referral(session, hwk1, at(4), held, first.id, accept=True)
    session.commit()
    with refused("referral_exists"):
        refer_case(session, ihk1, at(5), held, cases.partner("hwk"))
    session.rollback()
    with refused("refer_to_self"):
        refer_case(session, ihk1, at(5), held, cases.partner("ihk"))
    session.rollback()
    session.add(
        Referral(
            case_id=held.id,
            to_partner_id=hwk1.partner_id,
            referred_by_id=ihk1.id,
            referred_at=at(6),
            status="pending",
        )
    )
    with pytest.raises(IntegrityError):  # the database agrees
        session.flush()
    session.rollback()


def test_no_referral_without_consent(session, cases, held, ihk1):
    with refused("no_consent"):
        refer_case(session, ihk1, at(3), held, cases.partner("uni"))
    session.rollback()
    assert count(session, Referral) == 0


def test_the_referred_partner_ends_an_active_referral(session, cases, held, ihk1, hwk1):
    referral = refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    answer_referral(session, hwk1, at(4), held, referral.id, accept=True)
    end_referral(session, hwk1, at(9), held, referral.id)
    session.commit()
    referral = session.get(Referral, referral.id)
    assert (referral.status, referral.ended_by_id, referral.ended_at) == ("ended", hwk1.id, at(9))
    assert kinds(session, held)[-1] == "referral_end"
    assert fresh(session, held).holder_partner_id == ihk1.partner_id
    with refused("referral_gone"):
        end_referral(session, ihk1, at(10), held, referral.id)


def test_the_holder_withdraws_a_pending_referral(session, cases, held, ihk2, hwk1, jc1):
    referral = refer_case(session, ihk2, at(3), held, cases.partner("jobcenter"))
    session.commit()
    with refused("not_involved"):
        end_referral(session, hwk1, at(4), held, referral.id)
    session.rollback()
    end_referral(session, ihk2, at(5), held, referral.id)
    session.commit()
    assert session.get(Referral, referral.id).status == "withdrawn"
    last = events(session, held)[-1]
    assert (last.kind, last.target_partner_id) == ("referral_withdraw", jc1.partner_id)


def test_steps_in_one_transaction_see_each_other(session, cases, held, ihk1, hwk1):
    """A command may run several steps before its one commit; each sees the step before."""
    referral = refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    answer_referral(session, hwk1, at(4), held, referral.id, accept=True)
    close_case(session, ihk1, at(5), held, Outcome.ADVICE_GIVEN)
    session.commit()
    assert session.get(Referral, referral.id).status == "ended"
    assert kinds(session, held)[-3:] == ["referral_accept", "referral_end", "close"]


def test_the_front_desk_refers_a_case_it_holds(session, cases, desk, new_case, jc1):
    case = new_case()
    referral = refer_case(session, desk, at(1), case, cases.partner("jobcenter"))
    answer_referral(session, jc1, at(2), case, referral.id, accept=True)
    session.commit()
    assert session.get(Referral, referral.id).from_partner_id is None
    assert fresh(session, case).status == CaseStatus.AT_FRONT_DESK


# --- reassign and first contact -------------------------------------------------------------


def test_reassign_within_the_partner(session, held, ihk1, ihk2):
    reassign_case(session, ihk1, at(3), held, ihk2)
    session.commit()
    case = fresh(session, held)
    assert (case.responsible_user_id, case.holder_partner_id) == (ihk2.id, ihk1.partner_id)
    last = events(session, case)[-1]
    assert last.kind == "reassign"
    assert (last.details["from_user_id"], last.details["to_user_id"]) == (ihk1.id, ihk2.id)
    with refused("already_responsible"):
        reassign_case(session, ihk1, at(4), case, ihk2)


def test_reassign_only_to_an_active_colleague(session, held, ihk1, ihk2, hwk1, desk):
    for stranger in (hwk1, desk):
        with refused("not_colleague"):
            reassign_case(session, ihk1, at(3), held, stranger)
        session.rollback()
    ihk2.active = False
    session.commit()
    with refused("not_colleague"):
        reassign_case(session, ihk1, at(3), held, ihk2)
    session.rollback()
    with refused("not_holder"):
        reassign_case(session, hwk1, at(3), held, ihk1)
    session.rollback()
    assert fresh(session, held).responsible_user_id == ihk1.id


def test_first_contact_is_recorded_once(session, held, ihk2):
    record_first_contact(session, ihk2, at(3), held)
    session.commit()
    assert fresh(session, held).first_contact_at == at(3)
    with refused("first_contact_recorded"):
        record_first_contact(session, ihk2, at(4), held)
    session.rollback()
    assert kinds(session, held).count("first_contact") == 1
    assert fresh(session, held).first_contact_at == at(3)


def test_no_first_contact_at_the_front_desk(session, desk, new_case):
    with refused("wrong_state"):
        record_first_contact(session, desk, at(1), new_case())


# --- close and reopen -----------------------------------------------------------------------


def test_close_is_refused_while_an_offer_is_open(session, cases, held, ihk1):
    offer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    session.commit()
    with refused("offer_pending"):
        close_case(session, ihk1, at(4), held, Outcome.ADVICE_GIVEN)
    session.rollback()
    assert fresh(session, held).status == CaseStatus.WITH_PARTNER


def test_close_ends_the_referrals(session, cases, held, ihk1, hwk1):
    active = refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    answer_referral(session, hwk1, at(4), held, active.id, accept=True)
    pending = refer_case(session, ihk1, at(5), held, cases.partner("jobcenter"))
    session.commit()
    before = len(events(session, held))
    close_case(session, ihk1, at(6), held, Outcome.APPRENTICESHIP_FOUND, "Ausbildung ab 1.8.")
    session.commit()
    case = fresh(session, held)
    assert (case.status, case.outcome, case.closed_at) == (
        CaseStatus.CLOSED,
        "apprenticeship_found",
        at(6),
    )
    assert session.get(Referral, active.id).status == "ended"
    assert session.get(Referral, pending.id).status == "withdrawn"
    new = events(session, case)[before:]
    assert [(e.kind, e.details.get("referral_id")) for e in new] == [
        ("referral_end", active.id),
        ("referral_withdraw", pending.id),
        ("close", None),
    ]
    assert new[-1].details == {"outcome": "apprenticeship_found", "comment": "Ausbildung ab 1.8."}
    assert case.holder_partner_id == ihk1.partner_id  # kept for a reopening


def test_closing_for_another_reason_needs_a_comment(session, held, ihk1):
    with refused("outcome_needs_comment"):
        close_case(session, ihk1, at(3), held, Outcome.OTHER, " ")
    session.rollback()
    assert fresh(session, held).status == CaseStatus.WITH_PARTNER


def test_a_closed_case_refuses_further_work(session, cases, held, ihk1, hwk1):
    close_case(session, ihk1, at(3), held, Outcome.ADVICE_GIVEN)
    session.commit()
    attempts = [
        lambda: offer_case(session, ihk1, at(4), held, cases.partner("hwk")),
        lambda: refer_case(session, ihk1, at(4), held, cases.partner("hwk")),
        lambda: record_first_contact(session, ihk1, at(4), held),
        lambda: close_case(session, ihk1, at(4), held, Outcome.ADVICE_GIVEN),
    ]
    for attempt in attempts:
        with refused("case_closed"):
            attempt()
        session.rollback()
    assert kinds(session, held)[-1] == "close"


def test_reopen_returns_the_case_to_its_last_holder(session, held, ihk1, ihk2):
    close_case(session, ihk1, at(3), held, Outcome.NO_CONTACT)
    session.commit()
    with refused("reopen_needs_reason"):
        reopen_case(session, ihk2, at(4), held, "  ")
    session.rollback()
    reopen_case(session, ihk2, at(5), held, "Meldet sich wieder")
    session.commit()
    case = fresh(session, held)
    assert (case.status, case.holder_partner_id, case.responsible_user_id) == (
        CaseStatus.WITH_PARTNER,
        ihk1.partner_id,
        ihk1.id,
    )
    assert (case.outcome, case.closed_at) == (None, None)
    last = events(session, case)[-1]
    assert (last.kind, last.details) == ("reopen", {"reason": "Meldet sich wieder"})
    with refused("wrong_state"):
        reopen_case(session, ihk2, at(6), case, "nochmal")


def test_reopen_at_the_front_desk(session, desk, new_case, hwk1, users):
    case = new_case()
    close_case(session, desk, at(1), case, Outcome.REFERRED_ELSEWHERE)
    session.commit()
    with refused("not_holder"):
        reopen_case(session, hwk1, at(2), case, "Versuch")
    session.rollback()
    reopen_case(session, users("frontdesk"), at(3), case, "Neuer Termin")
    session.commit()
    assert fresh(session, case).status == CaseStatus.AT_FRONT_DESK


# --- notes ----------------------------------------------------------------------------------


def test_shared_and_internal_notes(session, cases, held, desk, ihk1, ihk2, hwk1):
    refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    shared = add_note(session, ihk1, at(4), held, "  Termin am Montag  ")
    internal = add_note(session, ihk1, at(5), held, "Nur für die IHK", internal=True)
    desk_internal = add_note(session, desk, at(6), held, "Nur für den Empfang", internal=True)
    session.commit()
    assert shared.body == "Termin am Montag" and shared.partner_id == ihk1.partner_id

    def readable(viewer):
        return [n.id for n in case_notes(session, viewer, held)]

    assert readable(ihk1) == readable(ihk2) == [shared.id, internal.id]
    assert readable(hwk1) == [shared.id]
    assert readable(desk) == [shared.id, desk_internal.id]
    for note in (shared, internal, desk_internal):
        for viewer in (desk, ihk1, ihk2, hwk1):
            assert note_visible(note, viewer) == (note.id in readable(viewer))


def test_a_note_event_names_the_note_but_never_its_text(session, held, ihk1):
    note = add_note(session, ihk1, at(3), held, "Geheime Einzelheiten", internal=True)
    session.commit()
    last = events(session, held)[-1]
    assert (last.kind, last.details) == ("note", {"note_id": note.id, "internal": True})
    assert "Geheime" not in repr(last.details)


def test_an_addendum_corrects_without_editing(session, held, desk, ihk1, ihk2, hwk1, new_case):
    original = add_note(session, ihk1, at(3), held, "Termin am Montag")
    addendum = add_note(session, ihk2, at(4), held, "Korrektur: Dienstag", addendum_to=original.id)
    session.commit()
    assert session.get(CaseNote, original.id).body == "Termin am Montag"
    assert addendum.addendum_to_id == original.id
    assert events(session, held)[-1].details == {"note_id": addendum.id, "addendum_to": original.id}
    internal = add_note(session, ihk1, at(5), held, "intern", internal=True)
    other = new_case()
    session.commit()
    gone = [
        (hwk1, held, internal.id, "not_involved"),  # a partner with no business on the case
        (desk, other, original.id, "note_gone"),  # a note of another case
        (ihk1, held, 987654, "note_gone"),
    ]
    for author, case, parent, code in gone:
        with refused(code):
            add_note(session, author, at(6), case, "Nachtrag", addendum_to=parent)
        session.rollback()


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "note_empty"), (" \n\t ", "note_empty"), ("x" * (NOTE_MAX + 1), "note_too_long")],
)
def test_a_note_needs_text_of_reasonable_length(session, held, ihk1, body, code):
    with refused(code):
        add_note(session, ihk1, at(3), held, body)
    session.rollback()
    assert count(session, CaseNote) == 0


def test_supervisors_only_read(session, held, users):
    with refused("read_only"):
        add_note(session, users("supervisor"), at(3), held, "Hinweis")


# --- one event per state change -------------------------------------------------------------


def test_every_state_change_writes_exactly_one_event_of_its_kind(
    session, cases, desk, new_case, ihk1, ihk2, hwk1
):
    case = new_case()
    ihk, hwk, jc = cases.partner("ihk"), cases.partner("hwk"), cases.partner("jobcenter")
    ids: dict[str, int] = {}
    steps = [
        ("offer", lambda: ids.update(a=offer_case(session, desk, at(1), case, hwk).id)),
        (
            "decline",
            lambda: decline_offer(session, hwk1, at(2), case, ids["a"], DeclineReason.DUPLICATE),
        ),
        ("offer", lambda: ids.update(b=offer_case(session, desk, at(3), case, jc).id)),
        ("withdraw", lambda: withdraw_offer(session, desk, at(4), case, ids["b"])),
        ("offer", lambda: ids.update(c=offer_case(session, desk, at(5), case, ihk).id)),
        ("accept", lambda: accept_offer(session, ihk1, at(6), case, ids["c"])),
        ("refer", lambda: ids.update(r=refer_case(session, ihk1, at(7), case, hwk).id)),
        (
            "referral_accept",
            lambda: answer_referral(session, hwk1, at(8), case, ids["r"], accept=True),
        ),
        ("referral_end", lambda: end_referral(session, ihk1, at(9), case, ids["r"])),
        ("reassign", lambda: reassign_case(session, ihk1, at(10), case, ihk2)),
        ("first_contact", lambda: record_first_contact(session, ihk2, at(11), case)),
        ("note", lambda: add_note(session, hwk1, at(12), case, "Hinweis")),
        ("close", lambda: close_case(session, ihk2, at(13), case, Outcome.JOB_FOUND)),
        ("reopen", lambda: reopen_case(session, ihk1, at(14), case, "Job verloren")),
    ]
    for kind, step in steps:
        before = events(session, case)
        step()
        session.commit()
        after = events(session, case)
        assert [e.id for e in after[: len(before)]] == [e.id for e in before]
        new = after[len(before) :]
        assert [e.kind for e in new] == [kind], kind
        assert new[0].case_id == case.id
    # Consent and legal-basis events: tests/services/test_consents.py, one per step too.
    assert set(EventKind) - set(kinds(session, case)) == {
        EventKind.REFERRAL_DECLINE,
        EventKind.REFERRAL_WITHDRAW,
        EventKind.CONSENT_GIVEN,
        EventKind.CONSENT_REVOKED,
        EventKind.BASIS_REQUESTED,
        EventKind.BASIS_APPROVED,
        EventKind.BASIS_REFUSED,
    }


def test_a_refused_transition_writes_nothing(session, cases, held, hwk1):
    before = [(e.id, e.kind) for e in events(session, held)]
    version = fresh(session, held).version
    for attempt in (
        lambda: offer_case(session, hwk1, at(3), held, cases.partner("jobcenter")),
        lambda: close_case(session, hwk1, at(3), held, Outcome.NO_CONTACT),
        lambda: record_first_contact(session, hwk1, at(3), held),
    ):
        with pytest.raises(TransitionError):
            attempt()
        session.rollback()
    assert [(e.id, e.kind) for e in events(session, held)] == before
    assert fresh(session, held).version == version


def test_every_change_bumps_the_case_version(session, cases, desk, new_case, ihk1):
    """The version column is what makes two changes of one case at once collide."""
    case = new_case()
    versions = [fresh(session, case).version]
    offer = offer_case(session, desk, at(1), case, cases.partner("ihk"))
    session.commit()
    versions.append(fresh(session, case).version)
    accept_offer(session, ihk1, at(2), case, offer.id)
    session.commit()
    versions.append(fresh(session, case).version)
    record_first_contact(session, ihk1, at(3), case)
    session.commit()
    versions.append(fresh(session, case).version)
    assert versions == sorted(set(versions))


# --- visibility -----------------------------------------------------------------------------


def sees(session, user, case) -> bool:
    session.expire_all()
    return get_visible_case(session, user, case.id) is not None


def test_an_advisor_sees_a_case_only_once_the_partner_is_involved(
    session, cases, desk, new_case, ihk1, hwk1, jc1, users
):
    case = new_case()
    uni = users("advisor", partner="uni")
    assert not any(sees(session, a, case) for a in (ihk1, hwk1, jc1, uni))
    assert sees(session, desk, case) and sees(session, users("supervisor"), case)

    offer = cases.offer(case, "hwk", actor=desk, at=at(1))
    assert sees(session, hwk1, case)
    assert not any(sees(session, a, case) for a in (ihk1, jc1, uni))

    decline_offer(session, hwk1, at(2), case, offer.id, DeclineReason.NOT_RESPONSIBLE)
    session.commit()
    assert sees(session, hwk1, case)  # was offered it: keeps seeing what it was told

    offer = cases.offer(case, "ihk", actor=desk, at=at(3))
    accept_offer(session, ihk1, at(4), case, offer.id)
    session.commit()
    assert sees(session, ihk1, case)

    refer_case(session, ihk1, at(5), case, cases.partner("jobcenter"))
    session.commit()
    assert sees(session, jc1, case)
    assert not sees(session, uni, case)
    assert [r.case.id for r in recent_cases(session, jc1)[0]] == [case.id]
    assert recent_cases(session, uni)[0] == []
    assert search_cases(session, uni, case.reference) == []
    assert [r.case.id for r in search_cases(session, jc1, "Schmitz")] == [case.id]


def test_the_offering_partner_keeps_read_access_while_its_offer_is_pending(
    session, cases, held, ihk1, ihk2, hwk1
):
    offer = offer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    session.commit()
    assert sees(session, ihk2, held) and sees(session, hwk1, held)
    accept_offer(session, hwk1, at(4), held, offer.id)
    session.commit()
    assert sees(session, ihk1, held)  # held it before


def test_access_rows_follow_involvement(session, cases, held, ihk1):
    refer_case(session, ihk1, at(3), held, cases.partner("hwk"))
    offer_case(session, ihk1, at(4), held, cases.partner("jobcenter"))
    session.commit()
    partners = session.scalars(
        sa.select(CaseAccess.partner_id).where(CaseAccess.case_id == held.id)
    ).all()
    assert sorted(partners) == sorted(cases.partner_id(c) for c in ("ihk", "hwk", "jobcenter"))
    since = session.get(CaseAccess, (held.id, cases.partner_id("ihk"))).since
    assert since == at(1)
