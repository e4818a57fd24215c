"""A small world for the attacker's tests: users of every role, cases in several states.

Two mirrored sets of cases: the *own* set involves the HWK (holder) and the IHK
(offered and referred), the *foreign* set the Jobcenter (holder) and the Uni.
The Jugendamt advisor is involved in neither. Each set has three cases:

- ``pending``: held by the holder partner, an open offer and a pending referral
  to the involved partner;
- ``active``: held by the holder partner, the involved partner takes part
  (active referral), nothing pending;
- ``closed``: like ``active``, then closed by the holder.

The ``pending`` case also carries a consent for the Zuwanderung partner (to revoke)
and a legal basis for it that the front desk asked for and no supervisor has decided.
Beside the case sets: a front desk account ``target`` with a second factor and a
deactivated one, for the admin's user management; a supervisor who has not yet set up
the second factor her role requires (``unenrolled``); the foreign advisor has set up
the (optional) second factor, so that the page to switch it off has its form.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.factories import enrol_test_factor
from zentrum.domain.vocab import LegalBasis, Outcome
from zentrum.models import Case, Consent, Handover, Partner, RoutingRule
from zentrum.services.case_actions import close_case
from zentrum.services.consents import request_basis
from zentrum.services.handover import accept_offer, offer_case
from zentrum.services.notes import add_note
from zentrum.services.referrals import answer_referral, refer_case

# Roles of the matrix: who is logged in (None = nobody).
ROLES = (
    "anonymous",
    "frontdesk",
    "advisor_holder",
    "advisor_involved",
    "advisor_foreign",
    "supervisor",
    "admin",
)
ADVISORS = ("advisor_holder", "advisor_involved", "advisor_foreign")

# Partner codes: (holder, involved) of the own and the foreign cases.
SIDES = {"own": ("hwk", "ihk"), "foreign": ("jobcenter", "uni")}


@dataclass
class CaseSet:
    """The three cases of one side, and the ids that belong to them."""

    pending: int
    active: int
    closed: int
    offer: int  # the open offer on ``pending``
    referral: int  # the pending referral on ``pending``
    note: int  # a shared note on ``active``
    person: int  # the young person of ``pending``
    consent: int  # the young person's consent for the Zuwanderung partner
    basis: int  # a pending legal basis on ``pending`` (asked for by the front desk)


@dataclass
class World:
    """Ids of everything the tests address, and the usernames per role."""

    usernames: dict[str, str]
    user_ids: dict[str, int]
    colleague_id: int  # a second HWK advisor, for reassignment
    sides: dict[str, CaseSet]
    partner_ids: dict[str, int]
    rule_id: int
    accounts: dict[str, int] = field(default_factory=dict)  # "target", "inactive", "unenrolled"
    extra: dict = field(default_factory=dict)

    def case_id(self, side: str, state: str = "pending") -> int:
        return getattr(self.sides[side], state)


def _case_set(session, cases, users, holder_code: str, involved_code: str):
    """One side's three cases, and its holder and involved advisors."""
    now = datetime.now(UTC) - timedelta(hours=1)
    holder = users("advisor", partner=holder_code)
    involved = users("advisor", partner=involved_code)
    involved_partner = cases.partner(involved_code)

    def fresh(last_name: str) -> Case:
        case = cases("Mia", last_name, consents=[holder_code, involved_code, "zuwanderung"], at=now)
        offer = cases.offer(case, holder_code, at=now)
        accept_offer(session, holder, now, session.get(Case, case.id), offer.id)
        session.commit()
        return session.get(Case, case.id)

    pending = fresh(f"Offen{holder_code}")
    person_id = pending.young_person.id
    referral = refer_case(session, holder, now, pending, involved_partner, "Bitte mitberaten")
    offer: Handover = offer_case(session, holder, now, pending, involved_partner)
    zuwanderung = cases.partner("zuwanderung")
    basis = request_basis(
        session,
        cases.frontdesk(),
        now,
        pending,
        zuwanderung,
        LegalBasis.SGB_X_69_1_1.value,
        "Die Beratung braucht die Unterlagen der Zuwanderungsberatung.",
    )
    consent = session.scalar(
        sa.select(Consent.id).where(
            Consent.person_id == person_id, Consent.partner_id == zuwanderung.id
        )
    )

    active = fresh(f"Aktiv{holder_code}")
    active_referral = refer_case(session, holder, now, active, involved_partner)
    answer_referral(session, involved, now, active, active_referral.id, accept=True)
    note = add_note(session, holder, now, active, "Geteilte Notiz")

    closed = fresh(f"Zu{holder_code}")
    closed_referral = refer_case(session, holder, now, closed, involved_partner)
    answer_referral(session, involved, now, closed, closed_referral.id, accept=True)
    close_case(session, holder, now, closed, Outcome.ADVICE_GIVEN, "")
    session.commit()
    return (
        CaseSet(
            pending.id,
            active.id,
            closed.id,
            offer.id,
            referral.id,
            note.id,
            person_id,
            consent,
            basis.id,
        ),
        holder,
        involved,
    )


def build_world(session, cases, users) -> World:
    """Users of every role and the two mirrored case sets, committed."""
    frontdesk = cases.frontdesk()
    own, holder, involved = _case_set(session, cases, users, *SIDES["own"])
    foreign, _, _ = _case_set(session, cases, users, *SIDES["foreign"])
    colleague = users("advisor", partner=SIDES["own"][0])
    people = {
        "frontdesk": frontdesk,
        "advisor_holder": holder,
        "advisor_involved": involved,
        "advisor_foreign": users("advisor", partner="jugendamt", totp=True),
        "supervisor": users("supervisor"),
        "admin": users("admin"),
    }
    target = users("frontdesk", username="zielkonto")
    enrol_test_factor(target)
    inactive = users("frontdesk", username="ruhendes-konto")
    inactive.active = False
    unenrolled = users("supervisor", username="leitung-ohne-faktor", totp=False)
    partner_ids = {p.code: p.id for p in session.scalars(sa.select(Partner))}
    rule_id = session.scalar(sa.select(sa.func.min(RoutingRule.id)))
    session.get(RoutingRule, session.scalar(sa.select(sa.func.max(RoutingRule.id)))).enabled = False
    session.commit()  # a switched-off rule, so that the page offers to switch one on
    return World(
        usernames={role: user.username for role, user in people.items()},
        user_ids={role: user.id for role, user in people.items()},
        colleague_id=colleague.id,
        sides={"own": own, "foreign": foreign},
        partner_ids=partner_ids,
        rule_id=rule_id,
        accounts={"target": target.id, "inactive": inactive.id, "unenrolled": unenrolled.id},
    )


def snapshot(session) -> dict[str, list[dict]]:
    """Every row of every table, to restore the world quickly in the next test."""
    from zentrum.models.base import Base

    return {
        table.name: [dict(r._mapping) for r in session.execute(sa.select(table))]
        for table in Base.metadata.sorted_tables
    }


def restore(session, rows: dict[str, list[dict]]) -> None:
    """Replace the database's content by a snapshot (one commit); sequences follow on PostgreSQL."""
    from zentrum.models.base import Base

    tables = Base.metadata.sorted_tables
    if session.get_bind().dialect.name == "postgresql":
        # The audit log's triggers refuse DELETE; replica mode skips them for the restore.
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    for table in reversed(tables):
        session.execute(table.delete())
    for table in tables:
        if rows[table.name]:
            session.execute(table.insert(), rows[table.name])
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            if "id" in table.c and rows[table.name]:
                session.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    )
                )
    session.commit()


# The audit log records refused access and failed logins on purpose, whatever the answer.
AUDIT_TABLES = {"audit_entries", "audit_chain_head", "audit_case_refs"}


def row_counts(session) -> dict[str, int]:
    """Rows in the tables a form could write to (read afresh); the audit log aside."""
    from zentrum.models.base import Base

    session.rollback()
    counts = [
        sa.select(sa.func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in Base.metadata.sorted_tables
        if table.name not in AUDIT_TABLES
    ]
    return dict(session.execute(sa.select(*counts)).one()._mapping)  # one round trip
