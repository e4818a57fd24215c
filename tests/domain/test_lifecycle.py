"""The lifecycle rules on plain values: who may do what, in which state, and what follows."""

from dataclasses import replace

import pytest

from zentrum.domain.lifecycle import (
    Actor,
    CaseState,
    Offer,
    Referral,
    TransitionError,
    acts_for_holder,
    check_accept,
    check_close,
    check_decline,
    check_first_contact,
    check_offer,
    check_reassign,
    check_refer,
    check_referral_answer,
    check_referral_end,
    check_reopen,
    check_withdraw,
)
from zentrum.domain.vocab import CaseStatus

P, Q, R = 10, 20, 30  # partners

FRONTDESK = Actor(1, "frontdesk")
ADVISOR_P = Actor(2, "advisor", P)
COLLEAGUE_P = Actor(3, "advisor", P)
ADVISOR_Q = Actor(4, "advisor", Q)
ADVISOR_R = Actor(5, "advisor", R)
SUPERVISOR = Actor(6, "supervisor")
ADMIN = Actor(7, "admin")

AT_DESK = CaseState(CaseStatus.AT_FRONT_DESK, None)
WITH_P = CaseState(CaseStatus.WITH_PARTNER, P, responsible_user_id=ADVISOR_P.user_id)
OFFER_DESK_TO_Q = Offer(101, Q, None)
OFFER_P_TO_Q = Offer(102, Q, P)
REF_R_PENDING = Referral(201, R, "pending")
REF_R_ACTIVE = Referral(202, R, "active")


def state(base: CaseState = WITH_P, **changes) -> CaseState:
    return replace(base, **changes)


def refused(code: str):
    """Expect a TransitionError with exactly this code."""
    return pytest.raises(TransitionError, match=f"^{code}$")


# --- who speaks for the holder --------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_state", "actor", "expected"),
    [
        (AT_DESK, FRONTDESK, True),
        (AT_DESK, ADVISOR_P, False),
        (AT_DESK, SUPERVISOR, False),
        (AT_DESK, ADMIN, False),
        (WITH_P, ADVISOR_P, True),
        (WITH_P, COLLEAGUE_P, True),  # any advisor of the holding partner
        (WITH_P, ADVISOR_Q, False),
        (WITH_P, FRONTDESK, False),
        (WITH_P, Actor(8, "supervisor", P), False),  # a supervisor with a partner is no advisor
    ],
)
def test_acts_for_holder(case_state, actor, expected):
    assert acts_for_holder(actor, case_state) is expected


# --- every action on a closed case ----------------------------------------------------------

CLOSED = state(status=CaseStatus.CLOSED, pending_offer=OFFER_P_TO_Q, referrals=(REF_R_ACTIVE,))

ON_CLOSED = {
    "offer": lambda: check_offer(CLOSED, ADVISOR_P, Q),
    "accept": lambda: check_accept(CLOSED, ADVISOR_Q, OFFER_P_TO_Q.id),
    "decline": lambda: check_decline(CLOSED, ADVISOR_Q, OFFER_P_TO_Q.id),
    "withdraw": lambda: check_withdraw(CLOSED, ADVISOR_P, OFFER_P_TO_Q.id),
    "refer": lambda: check_refer(CLOSED, ADVISOR_P, Q),
    "referral_answer": lambda: check_referral_answer(CLOSED, ADVISOR_R, REF_R_ACTIVE.id),
    "referral_end": lambda: check_referral_end(CLOSED, ADVISOR_P, REF_R_ACTIVE.id),
    "reassign": lambda: check_reassign(CLOSED, ADVISOR_P, COLLEAGUE_P),
    "first_contact": lambda: check_first_contact(CLOSED, ADVISOR_P),
    "close": lambda: check_close(CLOSED, ADVISOR_P),
}


@pytest.mark.parametrize("attempt", list(ON_CLOSED.values()), ids=list(ON_CLOSED))
def test_a_closed_case_refuses_every_action_but_reopen(attempt):
    with refused("case_closed"):
        attempt()


@pytest.mark.parametrize("status", ["", "offered", "CLOSED"])
def test_an_unknown_status_is_the_wrong_state(status):
    with refused("wrong_state"):
        check_offer(state(AT_DESK, status=status), FRONTDESK, Q)
    with refused("wrong_state"):
        check_reopen(state(status=status), ADVISOR_P)


# --- offer ----------------------------------------------------------------------------------


def test_front_desk_offers_a_case_it_holds():
    assert check_offer(AT_DESK, FRONTDESK, Q) is None


@pytest.mark.parametrize("actor", [ADVISOR_P, COLLEAGUE_P])
def test_any_advisor_of_the_holder_offers_on(actor):
    check_offer(WITH_P, actor, Q)


@pytest.mark.parametrize(
    ("case_state", "actor"),
    [
        (AT_DESK, ADVISOR_Q),
        (AT_DESK, SUPERVISOR),
        (AT_DESK, ADMIN),
        (WITH_P, FRONTDESK),
        (WITH_P, ADVISOR_Q),
        (WITH_P, SUPERVISOR),
    ],
)
def test_only_the_holder_offers(case_state, actor):
    with refused("not_holder"):
        check_offer(case_state, actor, R)


def test_no_second_offer_while_one_is_open():
    with refused("offer_pending"):
        check_offer(state(AT_DESK, pending_offer=OFFER_DESK_TO_Q), FRONTDESK, R)
    with refused("offer_pending"):
        check_offer(state(pending_offer=OFFER_P_TO_Q), ADVISOR_P, R)


def test_holder_cannot_offer_to_itself():
    with refused("offer_to_self"):
        check_offer(WITH_P, ADVISOR_P, P)


def test_offer_is_allowed_to_a_partner_already_referred():
    check_offer(state(referrals=(REF_R_ACTIVE,)), ADVISOR_P, R)


# --- accept and decline ---------------------------------------------------------------------


@pytest.mark.parametrize("check", [check_accept, check_decline])
@pytest.mark.parametrize(
    ("base", "offer"), [(AT_DESK, OFFER_DESK_TO_Q), (WITH_P, OFFER_P_TO_Q)], ids=["desk", "partner"]
)
def test_an_advisor_of_the_offered_partner_answers(check, base, offer):
    assert check(state(base, pending_offer=offer), ADVISOR_Q, offer.id) == offer


@pytest.mark.parametrize("check", [check_accept, check_decline])
@pytest.mark.parametrize("actor", [FRONTDESK, ADVISOR_P, COLLEAGUE_P, ADVISOR_R, SUPERVISOR, ADMIN])
def test_nobody_else_answers_an_offer(check, actor):
    with refused("not_recipient"):
        check(state(pending_offer=OFFER_P_TO_Q), actor, OFFER_P_TO_Q.id)


@pytest.mark.parametrize("check", [check_accept, check_decline, check_withdraw])
def test_an_offer_that_is_no_longer_open_is_gone(check):
    actor = ADVISOR_P if check is check_withdraw else ADVISOR_Q
    with refused("offer_gone"):
        check(WITH_P, actor, OFFER_P_TO_Q.id)
    with refused("offer_gone"):  # another offer is open now
        check(state(pending_offer=Offer(999, Q, P)), actor, OFFER_P_TO_Q.id)


# --- withdraw -------------------------------------------------------------------------------


def test_holder_withdraws_its_offer():
    assert check_withdraw(state(pending_offer=OFFER_P_TO_Q), COLLEAGUE_P, 102) == OFFER_P_TO_Q
    assert (
        check_withdraw(state(AT_DESK, pending_offer=OFFER_DESK_TO_Q), FRONTDESK, 101)
        == OFFER_DESK_TO_Q
    )


@pytest.mark.parametrize("actor", [ADVISOR_Q, FRONTDESK, ADVISOR_R, SUPERVISOR])
def test_only_the_holder_withdraws(actor):
    with refused("not_holder"):
        check_withdraw(state(pending_offer=OFFER_P_TO_Q), actor, OFFER_P_TO_Q.id)


# --- referrals ------------------------------------------------------------------------------


def test_holder_refers_to_another_partner():
    check_refer(WITH_P, ADVISOR_P, R)
    check_refer(AT_DESK, FRONTDESK, R)
    check_refer(state(pending_offer=OFFER_P_TO_Q), ADVISOR_P, Q)  # an open offer is no referral


@pytest.mark.parametrize("actor", [ADVISOR_Q, FRONTDESK, SUPERVISOR])
def test_only_the_holder_refers(actor):
    with refused("not_holder"):
        check_refer(WITH_P, actor, R)


def test_no_referral_to_the_holder_itself():
    with refused("refer_to_self"):
        check_refer(WITH_P, ADVISOR_P, P)


@pytest.mark.parametrize("open_referral", [REF_R_PENDING, REF_R_ACTIVE])
def test_one_open_referral_per_partner(open_referral):
    with refused("referral_exists"):
        check_refer(state(referrals=(open_referral,)), ADVISOR_P, R)
    check_refer(state(referrals=(open_referral,)), ADVISOR_P, Q)


def test_the_referred_partner_answers_a_pending_referral():
    with_ref = state(referrals=(REF_R_PENDING,))
    assert check_referral_answer(with_ref, ADVISOR_R, REF_R_PENDING.id) == REF_R_PENDING


@pytest.mark.parametrize("actor", [ADVISOR_P, ADVISOR_Q, FRONTDESK, SUPERVISOR])
def test_nobody_else_answers_a_referral(actor):
    with refused("not_recipient"):
        check_referral_answer(state(referrals=(REF_R_PENDING,)), actor, REF_R_PENDING.id)


def test_an_answered_or_unknown_referral_is_gone():
    with refused("referral_gone"):
        check_referral_answer(state(referrals=(REF_R_ACTIVE,)), ADVISOR_R, REF_R_ACTIVE.id)
    with refused("referral_gone"):
        check_referral_answer(state(referrals=(REF_R_PENDING,)), ADVISOR_R, 999)


@pytest.mark.parametrize("referral", [REF_R_PENDING, REF_R_ACTIVE])
@pytest.mark.parametrize("actor", [ADVISOR_P, COLLEAGUE_P, ADVISOR_R])
def test_holder_or_referred_partner_ends_a_referral(referral, actor):
    assert check_referral_end(state(referrals=(referral,)), actor, referral.id) == referral


def test_front_desk_ends_a_referral_of_a_case_it_holds():
    with_ref = state(AT_DESK, referrals=(REF_R_PENDING,))
    assert check_referral_end(with_ref, FRONTDESK, REF_R_PENDING.id) == REF_R_PENDING


@pytest.mark.parametrize("actor", [ADVISOR_Q, FRONTDESK, SUPERVISOR])
def test_an_uninvolved_user_cannot_end_a_referral(actor):
    with refused("not_involved"):
        check_referral_end(state(referrals=(REF_R_ACTIVE,)), actor, REF_R_ACTIVE.id)


def test_ending_an_unknown_referral():
    with refused("referral_gone"):
        check_referral_end(state(referrals=(REF_R_ACTIVE,)), ADVISOR_P, 999)


# --- reassign -------------------------------------------------------------------------------


def test_reassign_to_a_colleague():
    check_reassign(WITH_P, ADVISOR_P, COLLEAGUE_P)
    check_reassign(WITH_P, COLLEAGUE_P, COLLEAGUE_P)  # a colleague takes the case over


@pytest.mark.parametrize("new_user", [ADVISOR_Q, FRONTDESK, SUPERVISOR, Actor(9, "supervisor", P)])
def test_reassign_only_to_an_advisor_of_the_holding_partner(new_user):
    with refused("not_colleague"):
        check_reassign(WITH_P, ADVISOR_P, new_user)


def test_reassign_to_the_responsible_user_is_refused():
    with refused("already_responsible"):
        check_reassign(WITH_P, COLLEAGUE_P, ADVISOR_P)


def test_reassign_needs_a_partner_holding_the_case():
    with refused("wrong_state"):
        check_reassign(AT_DESK, FRONTDESK, ADVISOR_P)
    with refused("not_holder"):
        check_reassign(WITH_P, ADVISOR_Q, COLLEAGUE_P)


# --- first contact --------------------------------------------------------------------------


def test_first_contact_once_by_the_holder():
    check_first_contact(WITH_P, COLLEAGUE_P)
    with refused("first_contact_recorded"):
        check_first_contact(state(first_contact_recorded=True), ADVISOR_P)
    with refused("not_holder"):
        check_first_contact(WITH_P, ADVISOR_Q)
    with refused("wrong_state"):
        check_first_contact(AT_DESK, FRONTDESK)


# --- close and reopen -----------------------------------------------------------------------


def test_close_returns_the_referrals_that_end_with_the_case():
    referrals = (REF_R_PENDING, Referral(203, Q, "active"))
    assert check_close(state(referrals=referrals), ADVISOR_P) == referrals
    assert check_close(AT_DESK, FRONTDESK) == ()


def test_close_is_refused_while_an_offer_is_open():
    with refused("offer_pending"):
        check_close(state(pending_offer=OFFER_P_TO_Q), ADVISOR_P)


@pytest.mark.parametrize("actor", [ADVISOR_Q, FRONTDESK, SUPERVISOR, ADMIN])
def test_only_the_holder_closes(actor):
    with refused("not_holder"):
        check_close(WITH_P, actor)


def test_reopen_goes_back_to_the_last_holder():
    closed_p = state(status=CaseStatus.CLOSED)
    closed_desk = state(AT_DESK, status=CaseStatus.CLOSED)
    assert check_reopen(closed_p, COLLEAGUE_P) == CaseStatus.WITH_PARTNER
    assert check_reopen(closed_desk, FRONTDESK) == CaseStatus.AT_FRONT_DESK
    with refused("not_holder"):
        check_reopen(closed_p, ADVISOR_Q)
    with refused("not_holder"):
        check_reopen(closed_desk, ADVISOR_P)


@pytest.mark.parametrize("open_state", [AT_DESK, WITH_P])
def test_reopen_needs_a_closed_case(open_state):
    actor = FRONTDESK if open_state is AT_DESK else ADVISOR_P
    with refused("wrong_state"):
        check_reopen(open_state, actor)


def test_transition_error_carries_its_code():
    error = TransitionError("offer_pending")
    assert error.code == "offer_pending" and str(error) == "offer_pending"
