"""Random sequences of lifecycle steps against the real services and database.

A Hypothesis state machine lets the front desk, advisors of several partners (two
of them in one partner) and a supervisor try every transition in any order. A
small model, written from DESIGN.md and independent of the code, says whether
each step should go through; after every step the invariants of DESIGN.md are
checked on the rows:

1. exactly one responsible holder (with_partner ⇔ a holding partner whose advisor
   is responsible; at_front_desk ⇔ no holding partner), moved only by acceptance;
2. at most one open offer;
3. history append-only, and every state change wrote its events in its own
   transaction (refused steps write nothing; rolled-back steps leave nothing);
4. visibility follows involvement; internal notes stay within the author's partner.

Each example records a fresh case, so the examples need no cleanup between them.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from zentrum.domain.lifecycle import TransitionError
from zentrum.domain.vocab import CaseStatus, DeclineReason, EventKind, Outcome, Role
from zentrum.models import Case, CaseAccess, CaseEvent, CaseNote, Handover, Partner, Referral, User
from zentrum.services.case_actions import (
    close_case,
    reassign_case,
    record_first_contact,
    reopen_case,
)
from zentrum.services.cases import visible_clause
from zentrum.services.handover import accept_offer, decline_offer, offer_case, withdraw_offer
from zentrum.services.notes import add_note, visible_notes_clause
from zentrum.services.referrals import answer_referral, end_referral, refer_case

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
PARTNERS = ("ihk", "hwk", "jobcenter", "uni")  # nobody works for the Uni here: offers there wait
STAFF = (
    ("frontdesk", None),
    ("advisor", "ihk"),
    ("advisor", "ihk"),
    ("advisor", "hwk"),
    ("advisor", "jobcenter"),
    ("supervisor", None),
)
# Mostly someone the model thinks entitled, every fourth draw anybody at all.
WHO = st.integers(0, 63)
KEEP = st.sampled_from((True, True, True, True, False))  # False: the step is rolled back after all
DECLINES = st.sampled_from(list(DeclineReason))
OUTCOMES = st.sampled_from(list(Outcome))


@dataclass(frozen=True)
class Person:
    """A member of staff, as the model sees them."""

    id: int
    role: str
    partner_id: int | None


@dataclass
class Model:
    """What the case should look like, from DESIGN.md."""

    status: str = CaseStatus.AT_FRONT_DESK
    holder: int | None = None
    responsible: int | None = None
    offer: tuple[int, int, datetime] | None = None  # id, to partner, offered at
    offers: list[int] = field(default_factory=list)
    referrals: dict[int, tuple[int, str]] = field(default_factory=dict)  # open: to, status
    all_referrals: list[int] = field(default_factory=list)
    first_contact: bool = False
    involved: set[int] = field(default_factory=set)
    events: Counter = field(default_factory=lambda: Counter({EventKind.INTAKE.value: 1}))
    notes: list[tuple[int, int | None, bool]] = field(default_factory=list)  # id, partner, internal

    def speaks_for_holder(self, who: Person) -> bool:
        if self.holder is None:
            return who.role == Role.FRONTDESK
        return who.role == Role.ADVISOR and who.partner_id == self.holder

    @property
    def open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    def sees_note(self, viewer: Person, partner_id: int | None, internal: bool) -> bool:
        return not internal or partner_id == viewer.partner_id


def _pick(items: list, index: int):
    return items[index % len(items)]


def test_random_lifecycles_keep_every_invariant(session, cases, users):
    staff = []
    for role, partner in STAFF:
        user = users(role, partner=partner)
        staff.append(Person(user.id, user.role, user.partner_id))
    partner_ids = [cases.partner_id(code) for code in PARTNERS]
    frontdesk = users("frontdesk")
    viewers = [p for p in staff if p.role != Role.SUPERVISOR]
    session.commit()

    class Lifecycle(RuleBasedStateMachine):
        """One case, driven by everybody in the house."""

        def __init__(self) -> None:
            super().__init__()
            self.case_id: int | None = None
            self.model = Model()
            self.clock = T0
            self.history: list[tuple] = []
            self.note_rows: list[tuple] = []
            # Refusals per rule since the case last changed: a step the rules refused
            # twice is not tried again until something happens (saves the budget).
            self.refused: Counter = Counter()

        # --- plumbing -------------------------------------------------------------------

        def tick(self) -> datetime:
            self.clock += timedelta(minutes=7)
            return self.clock

        def choose(self, who: int, entitled: list[Person]) -> Person:
            """Mostly somebody entitled to the step, every fourth time anybody."""
            if entitled and who % 4 != 3:
                return _pick(entitled, who // 4)
            return _pick(staff, who)

        def holder_people(self) -> list[Person]:
            return [p for p in staff if self.model.speaks_for_holder(p)]

        def advisors_of(self, partner_id: int | None) -> list[Person]:
            return [p for p in staff if p.role == Role.ADVISOR and p.partner_id == partner_id]

        def case(self) -> Case:
            return session.get(Case, self.case_id)

        def user(self, who: Person) -> User:
            return session.get(User, who.id)

        def partner(self, partner_id: int) -> Partner:
            return session.get(Partner, partner_id)

        def events(self) -> list[tuple]:
            columns = (CaseEvent.id, CaseEvent.kind, CaseEvent.at, CaseEvent.actor_id)
            targets = (CaseEvent.partner_id, CaseEvent.target_partner_id, CaseEvent.details)
            stmt = (
                sa.select(*columns, *targets)
                .where(CaseEvent.case_id == self.case_id)
                .order_by(CaseEvent.id)
            )
            return [tuple(row) for row in session.execute(stmt)]

        def version(self) -> int:
            return session.scalar(sa.select(Case.version).where(Case.id == self.case_id))

        def attempt(
            self, name: str, expected: bool, call, kinds, keep: bool, apply
        ) -> list[tuple] | None:
            """Run one step; check that it goes through exactly when the model says so.

            ``kinds`` are the events the step must write, in its own transaction.
            Returns the new events when the step was kept.
            """
            before, version = self.events(), self.version()
            try:
                call()
            except TransitionError as error:
                # Refused: nothing was written, not even to the transaction.
                assert self.events() == before and self.version() == version, error.code
                session.rollback()
                assert not expected, f"{name} refused ({error.code}), model: {self.model}"
                self.refused[name] += 1
                return None
            except BaseException:
                session.rollback()
                raise
            assert expected, f"{name} went through, model: {self.model}"
            written = self.events()
            assert written[: len(before)] == before
            new = written[len(before) :]
            assert [e[1] for e in new] == kinds
            if not keep:
                session.rollback()  # the state change and its events vanish together
                return None
            session.commit()
            apply()
            self.model.events.update(kinds)
            self.refused.clear()
            return new

        # --- the case -------------------------------------------------------------------

        @initialize(start=st.none() | st.sampled_from(("ihk", "hwk", "jobcenter")))
        def record(self, start):
            """A fresh case; half of the examples start with it handed over to a partner."""
            case = cases("Zufall", "Fall", consents=list(PARTNERS), at=self.clock, actor=frontdesk)
            self.case_id = case.id
            if start is not None:
                self.offer(who=0, to=cases.partner_id(start), keep=True)
                self.accept(who=0, pick=0, keep=True)
                assert self.model.holder == cases.partner_id(start)

        # --- offers ---------------------------------------------------------------------

        @precondition(lambda self: self.refused["offer"] < 2)
        @rule(who=WHO, to=st.sampled_from(partner_ids), keep=KEEP)
        def offer(self, who, to, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, self.holder_people())
            made = {}
            expected = m.open and m.speaks_for_holder(actor) and m.offer is None and to != m.holder

            def call():
                made["offer"] = offer_case(
                    session, self.user(actor), now, self.case(), self.partner(to)
                )

            def apply():
                offer_id = made["offer"].id
                m.offer = (offer_id, to, now)
                m.offers.append(offer_id)
                m.involved.add(to)

            self.attempt("offer", expected, call, ["offer"], keep, apply)

        def answerable(self, actor: Person, offer_id: int) -> bool:
            m = self.model
            return (
                m.open
                and m.offer is not None
                and m.offer[0] == offer_id
                and actor.role == Role.ADVISOR
                and actor.partner_id == m.offer[1]
            )

        @precondition(lambda self: self.refused["accept"] < 2)
        @precondition(lambda self: self.model.offer is not None)
        @rule(who=WHO, pick=st.integers(0, 3), keep=KEEP)
        def accept(self, who, pick, keep):
            m, now = self.model, self.tick()
            offer_id = _pick(m.offers[::-1], pick)  # mostly the open one, sometimes an old one
            actor = self.choose(who, self.advisors_of(m.offer[1]))
            expected = self.answerable(actor, offer_id)
            offered_at = m.offer[2]

            def apply():
                m.holder, m.responsible = m.offer[1], actor.id
                m.status, m.first_contact, m.offer = CaseStatus.WITH_PARTNER, False, None

            new = self.attempt(
                "accept",
                expected,
                lambda: accept_offer(session, self.user(actor), now, self.case(), offer_id),
                ["accept"],
                keep,
                apply,
            )
            if new:
                wait = new[0][6]["wait_seconds"]
                assert wait == int((now - offered_at).total_seconds())

        @precondition(lambda self: self.refused["decline"] < 2)
        @precondition(lambda self: self.model.offer is not None)
        @rule(
            who=WHO,
            pick=st.integers(0, 3),
            reason=DECLINES,
            keep=KEEP,
        )
        def decline(self, who, pick, reason, keep):
            m, now = self.model, self.tick()
            offer_id = _pick(m.offers[::-1], pick)
            actor = self.choose(who, self.advisors_of(m.offer[1]))

            def apply():
                m.offer = None

            self.attempt(
                "decline",
                self.answerable(actor, offer_id),
                lambda: decline_offer(
                    session, self.user(actor), now, self.case(), offer_id, reason, "Begründung"
                ),
                ["decline"],
                keep,
                apply,
            )

        @precondition(lambda self: self.refused["withdraw"] < 2)
        @precondition(lambda self: self.model.offer is not None)
        @rule(who=WHO, pick=st.integers(0, 3), keep=KEEP)
        def withdraw(self, who, pick, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, self.holder_people())
            offer_id = _pick(m.offers[::-1], pick)
            expected = m.open and m.offer[0] == offer_id and m.speaks_for_holder(actor)

            def apply():
                m.offer = None

            self.attempt(
                "withdraw",
                expected,
                lambda: withdraw_offer(session, self.user(actor), now, self.case(), offer_id),
                ["withdraw"],
                keep,
                apply,
            )

        # --- referrals ------------------------------------------------------------------

        @precondition(lambda self: self.refused["refer"] < 2)
        @rule(who=WHO, to=st.sampled_from(partner_ids), keep=KEEP)
        def refer(self, who, to, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, self.holder_people())
            made = {}
            expected = (
                m.open
                and m.speaks_for_holder(actor)
                and to != m.holder
                and all(target != to for target, _ in m.referrals.values())
            )

            def call():
                made["referral"] = refer_case(
                    session, self.user(actor), now, self.case(), self.partner(to)
                )

            def apply():
                referral_id = made["referral"].id
                m.referrals[referral_id] = (to, "pending")
                m.all_referrals.append(referral_id)
                m.involved.add(to)

            self.attempt("refer", expected, call, ["refer"], keep, apply)

        @precondition(lambda self: self.refused["answer"] < 2)
        @precondition(lambda self: self.model.all_referrals)
        @rule(
            who=WHO,
            pick=st.integers(0, 3),
            accept=st.booleans(),
            keep=KEEP,
        )
        def answer(self, who, pick, accept, keep):
            m, now = self.model, self.tick()
            referral_id = _pick(m.all_referrals[::-1], pick)
            target, status = m.referrals.get(referral_id, (None, None))
            actor = self.choose(who, self.advisors_of(target))
            expected = (
                m.open
                and status == "pending"
                and actor.role == Role.ADVISOR
                and actor.partner_id == target
            )

            def apply():
                if accept:
                    m.referrals[referral_id] = (target, "active")
                else:
                    del m.referrals[referral_id]

            self.attempt(
                "answer",
                expected,
                lambda: answer_referral(
                    session,
                    self.user(actor),
                    now,
                    self.case(),
                    referral_id,
                    accept=accept,
                    reason=None if accept else DeclineReason.NO_CAPACITY,
                ),
                ["referral_accept" if accept else "referral_decline"],
                keep,
                apply,
            )

        @precondition(lambda self: self.refused["end"] < 2)
        @precondition(lambda self: self.model.all_referrals)
        @rule(who=WHO, pick=st.integers(0, 3), keep=KEEP)
        def end(self, who, pick, keep):
            m, now = self.model, self.tick()
            referral_id = _pick(m.all_referrals[::-1], pick)
            target, status = m.referrals.get(referral_id, (None, None))
            actor = self.choose(who, self.holder_people() + self.advisors_of(target))
            expected = (
                m.open
                and status is not None
                and (
                    m.speaks_for_holder(actor)
                    or (actor.role == Role.ADVISOR and actor.partner_id == target)
                )
            )

            def apply():
                del m.referrals[referral_id]

            kind = "referral_withdraw" if status == "pending" else "referral_end"
            self.attempt(
                "end",
                expected,
                lambda: end_referral(session, self.user(actor), now, self.case(), referral_id),
                [kind],
                keep,
                apply,
            )

        # --- work on a held case --------------------------------------------------------

        @precondition(lambda self: self.refused["reassign"] < 2)
        @precondition(lambda self: self.model.status == CaseStatus.WITH_PARTNER)
        @rule(who=WHO, whom=WHO, keep=KEEP)
        def reassign(self, who, whom, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, self.holder_people())
            colleagues = [p for p in self.advisors_of(m.holder) if p.id != m.responsible]
            new = self.choose(whom, colleagues)
            expected = (
                m.status == CaseStatus.WITH_PARTNER
                and m.speaks_for_holder(actor)
                and new.role == Role.ADVISOR
                and new.partner_id == m.holder
                and new.id != m.responsible
            )

            def apply():
                m.responsible = new.id

            self.attempt(
                "reassign",
                expected,
                lambda: reassign_case(session, self.user(actor), now, self.case(), self.user(new)),
                ["reassign"],
                keep,
                apply,
            )

        @precondition(lambda self: self.refused["first_contact"] < 2)
        @precondition(lambda self: self.model.status == CaseStatus.WITH_PARTNER)
        @rule(who=WHO, keep=KEEP)
        def first_contact(self, who, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, self.holder_people())
            expected = (
                m.status == CaseStatus.WITH_PARTNER
                and m.speaks_for_holder(actor)
                and not m.first_contact
            )

            def apply():
                m.first_contact = True

            self.attempt(
                "first_contact",
                expected,
                lambda: record_first_contact(session, self.user(actor), now, self.case()),
                ["first_contact"],
                keep,
                apply,
            )

        @precondition(lambda self: self.refused["close"] < 2)
        @precondition(lambda self: self.model.open)
        @rule(who=WHO, outcome=OUTCOMES, keep=KEEP)
        def close(self, who, outcome, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, self.holder_people())
            expected = m.open and m.speaks_for_holder(actor) and m.offer is None
            kinds = [
                "referral_withdraw" if status == "pending" else "referral_end"
                for _, (_, status) in sorted(m.referrals.items())
            ]

            def apply():
                m.status = CaseStatus.CLOSED
                m.referrals.clear()

            self.attempt(
                "close",
                expected,
                lambda: close_case(
                    session, self.user(actor), now, self.case(), outcome, "Abschluss"
                ),
                [*kinds, "close"],
                keep,
                apply,
            )

        @precondition(lambda self: self.refused["reopen"] < 2)
        @precondition(lambda self: self.model.status == CaseStatus.CLOSED)
        @rule(who=WHO, keep=KEEP)
        def reopen(self, who, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, self.holder_people())
            expected = m.status == CaseStatus.CLOSED and m.speaks_for_holder(actor)

            def apply():
                m.status = CaseStatus.AT_FRONT_DESK if m.holder is None else CaseStatus.WITH_PARTNER

            self.attempt(
                "reopen",
                expected,
                lambda: reopen_case(session, self.user(actor), now, self.case(), "Neu gemeldet"),
                ["reopen"],
                keep,
                apply,
            )

        # --- notes ----------------------------------------------------------------------

        def may_write(self, who: Person) -> bool:
            """Who reaches the case page (the web layer lets nobody else write)."""
            if who.role == Role.ADVISOR:
                return who.partner_id in self.model.involved
            return True

        @rule(
            who=WHO,
            internal=st.booleans(),
            addendum=st.none() | st.integers(0, 3),
            keep=KEEP,
        )
        def note(self, who, internal, addendum, keep):
            m, now = self.model, self.tick()
            actor = self.choose(who, staff)
            if not self.may_write(actor):
                return
            parent = None
            if addendum is not None and m.notes:
                parent = _pick(m.notes[::-1], addendum)
            expected = actor.role != Role.SUPERVISOR and (
                parent is None or m.sees_note(actor, parent[1], parent[2])
            )
            made = {}

            def call():
                made["note"] = add_note(
                    session,
                    self.user(actor),
                    now,
                    self.case(),
                    f"Notiz um {now:%H:%M}",
                    internal=internal,
                    addendum_to=parent[0] if parent else None,
                )

            def apply():
                m.notes.append((made["note"].id, actor.partner_id, internal))

            self.attempt("note", expected, call, ["note"], keep, apply)

        # --- invariants -----------------------------------------------------------------

        @invariant()
        def one_responsible_holder(self):
            m = self.model
            case = self.case()
            assert (case.status, case.holder_partner_id, case.responsible_user_id) == (
                m.status,
                m.holder,
                m.responsible,
            )
            assert (case.first_contact_at is not None) == m.first_contact
            if case.holder_partner_id is None:
                assert case.status in (CaseStatus.AT_FRONT_DESK, CaseStatus.CLOSED)
                assert case.responsible_user_id is None
            else:
                assert case.status in (CaseStatus.WITH_PARTNER, CaseStatus.CLOSED)
                responsible = session.get(User, case.responsible_user_id)
                assert responsible.role == Role.ADVISOR
                assert responsible.partner_id == case.holder_partner_id

        @invariant()
        def at_most_one_open_offer(self):
            stmt = sa.select(Handover.id, Handover.to_partner_id).where(
                Handover.case_id == self.case_id, Handover.status == "pending"
            )
            pending = session.execute(stmt).all()
            expected = [(self.model.offer[0], self.model.offer[1])] if self.model.offer else []
            assert [tuple(row) for row in pending] == expected
            stmt = sa.select(Referral.id, Referral.to_partner_id, Referral.status).where(
                Referral.case_id == self.case_id, Referral.status.in_(["pending", "active"])
            )
            open_referrals = {
                row.id: (row.to_partner_id, row.status) for row in session.execute(stmt)
            }
            assert open_referrals == self.model.referrals

        @invariant()
        def history_is_append_only(self):
            events = self.events()
            assert events[: len(self.history)] == self.history
            assert Counter(e[1] for e in events) == +self.model.events
            assert all(e[0] > 0 and e[2] >= T0 for e in events)
            assert [e[2] for e in events] == sorted(e[2] for e in events)
            self.history = events
            stmt = (
                sa.select(CaseNote.id, CaseNote.body, CaseNote.internal, CaseNote.partner_id)
                .where(CaseNote.case_id == self.case_id)
                .order_by(CaseNote.id)
            )
            notes = [tuple(row) for row in session.execute(stmt)]
            assert notes[: len(self.note_rows)] == self.note_rows
            assert [n[0] for n in notes] == [n[0] for n in self.model.notes]
            self.note_rows = notes

        @invariant()
        def visibility_follows_involvement(self):
            m = self.model
            stmt = sa.select(CaseAccess.partner_id).where(CaseAccess.case_id == self.case_id)
            assert set(session.scalars(stmt)) == m.involved
            # One statement each for all viewers. The visibility clauses read only the
            # viewer's role and partner, so a Person stands in for the User row.
            sees_case = session.execute(
                sa.select(
                    *(
                        sa.select(Case.id)
                        .where(Case.id == self.case_id, visible_clause(viewer))
                        .exists()
                        for viewer in viewers
                    )
                )
            ).one()
            expected = [v.role != Role.ADVISOR or v.partner_id in m.involved for v in viewers]
            assert list(sees_case) == expected
            stmt = (
                sa.select(CaseNote.id, *(visible_notes_clause(viewer) for viewer in viewers))
                .where(CaseNote.case_id == self.case_id)
                .order_by(CaseNote.created_at, CaseNote.id)
            )
            # NULL (unknown) filters a row out in WHERE, as False does.
            reads = [(row[0], *(bool(v) for v in row[1:])) for row in session.execute(stmt)]
            assert reads == [
                (n, *(m.sees_note(viewer, p, i) for viewer in viewers)) for n, p, i in m.notes
            ]

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=60,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
