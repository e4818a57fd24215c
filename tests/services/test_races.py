"""Answers to one offer at the same moment: real threads, each on its own connection.

Each thread has its own app context and so its own ``db.session``. Every attempt
runs inside a POST request context, as in the app: on SQLite that takes the write
lock when the transaction begins (see zentrum/database.py); on PostgreSQL the
conditional UPDATE decides.
"""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import sqlalchemy as sa

from zentrum.domain.vocab import CaseStatus, DeclineReason, EventKind
from zentrum.extensions import db
from zentrum.models import Case, CaseEvent, Handover, User
from zentrum.services import handover
from zentrum.services.handover import OfferTaken, accept_offer, decline_offer, withdraw_offer
from zentrum.services.lifecycle import case_state

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ROUNDS = 50


def _offered_cases(session, cases, desk, n: int) -> list[tuple[int, int]]:
    """``n`` cases offered to the IHK by the front desk: (case id, offer id)."""
    made = []
    for i in range(n):
        case = cases(f"Person{i}", "Wettlauf", consents=["ihk"], at=T0, actor=desk)
        made.append((case.id, cases.offer(case, "ihk", actor=desk, at=T0).id))
    session.rollback()  # hold no transaction while the threads work
    return made


def _accept(user, case, offer_id, now):
    accept_offer(db.session, user, now, case, offer_id)


def _decline(user, case, offer_id, now):
    decline_offer(db.session, user, now, case, offer_id, DeclineReason.NO_CAPACITY)


def _withdraw(user, case, offer_id, now):
    withdraw_offer(db.session, user, now, case, offer_id)


def race(app, rounds, contenders):
    """Run both contenders on every (case, offer) at the same moment, round after round.

    ``contenders`` are two (user id, action) pairs. Returns per round the two
    outcomes: "won", ("taken", id of the user who decided the offer) or an exception.
    """
    barrier = threading.Barrier(len(contenders), timeout=30)
    outcomes = [[None] * len(contenders) for _ in rounds]
    broken: list[BaseException] = []

    def work(slot, user_id, action):
        with app.app_context():
            try:
                for number, (case_id, offer_id) in enumerate(rounds):
                    barrier.wait()
                    now = T0 + timedelta(minutes=30 + number)
                    with app.test_request_context(method="POST"):
                        try:
                            user = db.session.get(User, user_id)
                            case = db.session.get(Case, case_id)
                            action(user, case, offer_id, now)
                            db.session.commit()
                            outcomes[number][slot] = "won"
                        except OfferTaken as taken:
                            outcomes[number][slot] = ("taken", taken.offer.decided_by_id)
                            db.session.rollback()
                        except Exception as error:  # noqa: BLE001 - reported by the test
                            outcomes[number][slot] = error
                            db.session.rollback()
            except BaseException as error:  # noqa: BLE001 - a broken barrier, reported below
                barrier.abort()
                broken.append(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=work, args=(slot, user_id, action))
        for slot, (user_id, action) in enumerate(contenders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert broken == []
    return outcomes


def _events(session, case_id: int) -> Counter:
    stmt = sa.select(CaseEvent.kind).where(CaseEvent.case_id == case_id)
    return Counter(session.scalars(stmt))


@pytest.fixture
def desk(users):
    return users("frontdesk")


def test_two_advisors_accepting_the_same_offer_exactly_one_wins(app, session, cases, users, desk):
    first, second = users("advisor", partner="ihk"), users("advisor", partner="ihk")
    ids = {first.id, second.id}
    rounds = _offered_cases(session, cases, desk, ROUNDS)
    outcomes = race(app, rounds, [(first.id, _accept), (second.id, _accept)])

    session.rollback()  # a new transaction sees what the threads committed
    winners = Counter()
    for (case_id, offer_id), outcome in zip(rounds, outcomes, strict=True):
        won = [slot for slot, result in enumerate(outcome) if result == "won"]
        assert len(won) == 1, outcome  # never two acceptances, never none
        winner = [first.id, second.id][won[0]]
        loser = outcome[1 - won[0]]
        assert loser == ("taken", winner), outcome  # the other is told who was first
        winners[winner] += 1

        offer = session.get(Handover, offer_id)
        assert (offer.status, offer.decided_by_id) == ("accepted", winner)
        case = session.get(Case, case_id)
        assert case.status == CaseStatus.WITH_PARTNER
        assert (case.holder_partner_id, case.responsible_user_id) == (first.partner_id, winner)
        assert _events(session, case_id)[EventKind.ACCEPT] == 1
    assert set(winners) <= ids and sum(winners.values()) == ROUNDS


def test_a_double_clicked_accept_succeeds_once(app, session, cases, users, desk):
    advisor = users("advisor", partner="ihk")
    rounds = _offered_cases(session, cases, desk, 20)
    outcomes = race(app, rounds, [(advisor.id, _accept), (advisor.id, _accept)])

    session.rollback()  # a new transaction sees what the threads committed
    for (case_id, offer_id), outcome in zip(rounds, outcomes, strict=True):
        assert sorted(outcome, key=str) == [("taken", advisor.id), "won"], outcome
        assert session.get(Handover, offer_id).status == "accepted"
        assert session.get(Case, case_id).responsible_user_id == advisor.id
        assert _events(session, case_id)[EventKind.ACCEPT] == 1


@pytest.mark.parametrize(
    ("other_role", "other_action", "other_status", "other_kind"),
    [
        ("advisor", _decline, "declined", EventKind.DECLINE),
        ("frontdesk", _withdraw, "withdrawn", EventKind.WITHDRAW),
    ],
)
def test_accepting_and_another_answer_at_once_decide_the_offer_once(
    app, session, cases, users, desk, other_role, other_action, other_status, other_kind
):
    acceptor = users("advisor", partner="ihk")
    other = users(other_role, partner="ihk" if other_role == "advisor" else None)
    rounds = _offered_cases(session, cases, desk, 15)
    outcomes = race(app, rounds, [(acceptor.id, _accept), (other.id, other_action)])

    session.rollback()  # a new transaction sees what the threads committed
    for (case_id, offer_id), (accepted, answered) in zip(rounds, outcomes, strict=True):
        offer = session.get(Handover, offer_id)
        case = session.get(Case, case_id)
        events = _events(session, case_id)
        if accepted == "won":
            assert answered == ("taken", acceptor.id)
            assert (offer.status, case.responsible_user_id) == ("accepted", acceptor.id)
            assert (events[EventKind.ACCEPT], events[other_kind]) == (1, 0)
        else:
            assert (accepted, answered) == (("taken", other.id), "won")
            assert (offer.status, offer.decided_by_id) == (other_status, other.id)
            assert case.status == CaseStatus.AT_FRONT_DESK and case.holder_partner_id is None
            assert (events[EventKind.ACCEPT], events[other_kind]) == (0, 1)


def test_the_database_decides_even_when_the_rules_saw_an_old_state(session, cases, users, desk):
    """Both advisors passed the rules before either wrote: the conditional UPDATE still
    lets only one of them through."""
    first, second = users("advisor", partner="ihk"), users("advisor", partner="ihk")
    case = cases(consents=["ihk"], at=T0, actor=desk)
    offer_id = cases.offer(case, "ihk", actor=desk, at=T0).id
    stale = case_state(session, case)
    accept_offer(session, first, T0 + timedelta(minutes=1), case, offer_id)
    session.commit()

    with mock.patch.object(handover, "case_state", return_value=stale):
        with pytest.raises(OfferTaken) as taken:
            accept_offer(session, second, T0 + timedelta(minutes=2), case, offer_id)
    assert taken.value.offer.decided_by_id == first.id
    session.rollback()
    assert session.get(Case, case.id).responsible_user_id == first.id
    assert _events(session, case.id)[EventKind.ACCEPT] == 1
