"""The benchmark's rows: cases, people, topics, offers and referrals from a planned timeline.

Every fact is derived from the plan's working-time positions: working seconds are
differences of positions, wall-clock seconds differences of the moments at them.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from zentrum.bench_plan import Plan, Weighted, WorkingClock, lognormal
from zentrum.domain.names import name_key, name_pairs, name_tokens
from zentrum.domain.reference import format_reference
from zentrum.domain.vocab import District, Outcome
from zentrum.models import (
    Case,
    CaseCounter,
    CaseMember,
    Handover,
    Person,
    PersonNamePair,
    PersonNameToken,
    Referral,
    case_topics,
)

# Young people by city district, roughly by population; a few live outside Wuppertal.
DISTRICTS = tuple(d.value for d in District)
DISTRICT_WEIGHTS = (25, 8, 9, 8, 4, 20, 12, 6, 5, 4, 2)
DECLINE_REASONS = ("not_responsible", "no_capacity", "no_consent", "duplicate", "other")
DECLINE_WEIGHTS = (45, 30, 10, 10, 5)
OUTCOMES = [o.value for o in Outcome if o not in (Outcome.NO_CONTACT, Outcome.OTHER)]
REFERRAL_SHARE = 0.05
# Median working seconds: acceptance to first contact, to closing; referral to its answer.
CONTACT_AFTER = 36_000
CLOSED_AFTER = 540_000
REFERRAL_ANSWER = 14_400
PARENT_SHARE = 0.2

CASE_COLUMNS = (
    "id, reference, status, urgency, channel, description, holder_partner_id, "
    "responsible_user_id, created_at, created_by_id, first_contact_at, first_accepted_at, "
    "first_accept_seconds, first_accept_business_seconds, contact_seconds, "
    "contact_business_seconds, outcome, closed_at, version"
).split(", ")
PERSON_COLUMNS = (
    "id, first_name, last_name, name_key, birth_date, district, language, "
    "interpreter_needed, created_at"
).split(", ")
HANDOVER_COLUMNS = (
    "id, case_id, from_partner_id, to_partner_id, offered_by_id, offered_at, note, status, "
    "decided_at, decided_by_id, decline_reason, decline_comment, wait_seconds, "
    "wait_business_seconds, offered_week"
).split(", ")
REFERRAL_COLUMNS = (
    "id, case_id, from_partner_id, to_partner_id, referred_by_id, referred_at, note, status, "
    "decided_at, decided_by_id, decline_reason, ended_at, ended_by_id"
).split(", ")


@dataclass
class Staff:
    """Who and what the rows refer to: partners, topics, users, a pool of names."""

    partner_ids: list[int]
    topic_ids: list[int]
    frontdesk: int
    advisors: dict[int, int]  # partner id -> user id
    names: tuple[list[str], list[str]]


class BenchRows:
    """The rows of every table, built from the plan."""

    def __init__(self, plan: Plan, clock: WorkingClock, rng: random.Random, staff: Staff):
        self.plan, self.clock, self.rng = plan, clock, rng
        self.first_names, self.last_names = staff.names
        self.partner_ids = staff.partner_ids
        self.frontdesk, self.advisors = staff.frontdesk, staff.advisors
        self.topics = staff.topic_ids
        self.pick = {
            "urgency": Weighted(rng, ("normal", "urgent", "crisis"), (85, 12, 3)),
            "channel": Weighted(rng, ("walk_in", "phone", "email", "outreach"), (45, 30, 15, 10)),
            "district": Weighted(rng, DISTRICTS, DISTRICT_WEIGHTS),
            "language": Weighted(rng, ("de", "ar", "tr", "uk", "en"), (70, 10, 8, 7, 5)),
            "topics": Weighted(rng, (1, 2, 3), (55, 30, 15)),
            # Earlier topics in the reference order are asked about more often.
            "topic": Weighted(rng, self.topics, [max(12 - i, 2) for i in range(len(self.topics))]),
            "decline": Weighted(rng, DECLINE_REASONS, DECLINE_WEIGHTS),
            "referral": Weighted(rng, ("active", "declined", "withdrawn"), (75, 18, 7)),
        }
        self.name_keys: dict[tuple[str, str], str] = {}
        self.cases, self.persons, self.members, self.case_topics = [], [], [], []
        self.referrals: list[tuple] = []
        self.counters: Counter = Counter()

    def at(self, pos: int | None) -> int | None:
        """The moment at a position (epoch seconds; the writer turns them into timestamps)."""
        return None if pos is None else self.clock.moment(pos)

    def build(self) -> None:
        """Cases, people, topics and referrals (the offers are streamed, see ``handovers``)."""
        for case_id, (created, steps) in enumerate(self.plan.cases, start=1):
            self._case(case_id, created, steps)

    def _case(self, case_id: int, created: int, steps: list[list]) -> None:
        rng = self.rng
        accepted = [s for s in steps if s[3] == "accepted"]
        holder = self.partner_ids[accepted[-1][2]] if accepted else None
        contact = closed = None
        if accepted:
            contact = accepted[-1][4] + lognormal(rng, CONTACT_AFTER, 1.2)
            later = [s[0] for s in steps if s[0] > accepted[-1][4]]
            contact = min([contact, *later[:1]])
            contact = contact if contact <= self.plan.now else None
            if steps[-1][4] is not None:
                end = max(steps[-1][4], contact or 0)
                closed = end + lognormal(rng, CLOSED_AFTER, 1.0)
                closed = closed if closed <= self.plan.now else None
        created_at = self.clock.moment(created)
        year = self.clock.day(created).year
        self.counters[year] += 1
        first = accepted[0][4] if accepted else None
        last = accepted[-1][4] if accepted else None
        self.cases.append(
            (
                case_id,
                format_reference(year, self.counters[year]),
                "closed" if closed else ("with_partner" if holder else "at_front_desk"),
                self.pick["urgency"](),
                self.pick["channel"](),
                "",
                holder,
                self.advisors[holder] if holder else None,
                created_at,
                self.frontdesk,
                self.at(contact),
                self.at(first),
                self._wall(created, first),
                None if first is None else first - created,
                self._wall(last, contact),
                None if contact is None else contact - last,
                (rng.choice(OUTCOMES) if contact else "no_contact") if closed else None,
                self.at(closed),
                1,
            )
        )
        self._people(case_id, created, created_at)
        for topic in self._topic_choice():
            self.case_topics.append((case_id, topic))
        if accepted and rng.random() < REFERRAL_SHARE:
            self._referral(case_id, accepted, closed)

    def _wall(self, start: int | None, end: int | None) -> int | None:
        if start is None or end is None:
            return None
        return self.clock.moment(end) - self.clock.moment(start)

    def _people(self, case_id: int, created: int, created_at: int) -> None:
        """The young person (with a district), and for some cases a parent."""
        rng = self.rng
        first, last = rng.choice(self.first_names), rng.choice(self.last_names)
        district, language = self.pick["district"](), self.pick["language"]()
        born = self.clock.day(created) - timedelta(days=rng.randint(14 * 365, 27 * 365 + 364))
        self._person(case_id, "young_person", first, last, born, district, language, created_at)
        if rng.random() < PARENT_SHARE:
            first = rng.choice(self.first_names)
            born -= timedelta(days=rng.randint(20 * 365, 35 * 365))
            self._person(case_id, "parent", first, last, born, district, language, created_at)

    def _person(self, case_id, role, first, last, born, district, language, created_at):
        person_id = len(self.persons) + 1
        key = self.name_keys.get((first, last))
        if key is None:
            key = self.name_keys[(first, last)] = name_key(first, last)
        interpreter = role == "parent" and language != "de"
        self.persons.append(
            (person_id, first, last, key, born, district, language, interpreter, created_at)
        )
        self.members.append((person_id, case_id, person_id, role))

    def _topic_choice(self) -> set[int]:
        wanted, chosen = self.pick["topics"](), set()
        while len(chosen) < wanted:
            chosen.add(self.pick["topic"]())
        return chosen

    def _referral(self, case_id: int, accepted: list[list], closed: int | None) -> None:
        """Another partner asked to help, some time after the case was first accepted."""
        rng, now = self.rng, self.plan.now
        referred = accepted[0][4] + rng.randint(3_600, 20 * 36_000)
        if referred > min(now, closed or now):
            return
        holder = [s[2] for s in accepted if s[4] <= referred][-1]
        to = rng.choice([i for i in range(len(self.partner_ids)) if i != holder] or [holder])
        source, target = self.partner_ids[holder], self.partner_ids[to]
        answered = referred + lognormal(rng, REFERRAL_ANSWER, 1.0)
        status, decided, reason, ended = "pending", None, None, None
        if answered <= min(now, closed or now):
            status = self.pick["referral"]()
            decided = answered if status != "withdrawn" else None
            reason = rng.choice(DECLINE_REASONS[:4]) if status == "declined" else None
            ended = answered if status == "withdrawn" else None
        if closed and status in ("pending", "active"):
            status = "ended" if status == "active" else "withdrawn"
            ended = closed
        ender = self.advisors[source] if ended is not None else None
        decider = self.advisors[target] if decided is not None else None
        self.referrals.append(
            (
                len(self.referrals) + 1,
                case_id,
                source,
                target,
                self.advisors[source],
                self.clock.moment(referred),
                "",
                status,
                self.at(decided),
                decider,
                reason,
                self.at(ended),
                ender,
            )
        )

    def handovers(self):
        """Offer rows in order of offering (ids rise with time, as in a real database)."""
        steps = [
            (step, case_id)
            for case_id, (_created, case_steps) in enumerate(self.plan.cases, start=1)
            for step in case_steps
        ]
        steps.sort(key=lambda item: item[0][0])
        for handover_id, (step, case_id) in enumerate(steps, start=1):
            yield self._handover(handover_id, case_id, *step)

    def _handover(self, handover_id, case_id, offered, source, to, status, answered) -> tuple:
        source_id = None if source is None else self.partner_ids[source]
        target_id = self.partner_ids[to]
        offered_by = self.frontdesk if source_id is None else self.advisors[source_id]
        offered_at = self.clock.moment(offered)
        decided_at = decided_by = wait = reason = None
        if answered is not None:
            decided_by = offered_by if status == "withdrawn" else self.advisors[target_id]
            decided_at = self.clock.moment(answered)
            wait = decided_at - offered_at
        if status == "declined":
            reason = self.pick["decline"]()
        return (
            handover_id,
            case_id,
            source_id,
            target_id,
            offered_by,
            offered_at,
            "",
            status,
            decided_at,
            decided_by,
            reason,
            "Benchmark" if reason == "other" else None,
            wait,
            None if answered is None else answered - offered,
            self.clock.week(offered),
        )

    def name_tokens(self):
        """The search index's words of every person's name (see ``PersonNameToken``)."""
        words: dict[str, list[str]] = {}
        for person in self.persons:
            key = person[3]
            if key not in words:
                words[key] = sorted(name_tokens(key))
            for token in words[key]:
                yield (token, person[0])

    def name_pairs(self):
        """The search index's word pairs of every person's name (see ``PersonNamePair``)."""
        pairs: dict[str, list[str]] = {}
        for person in self.persons:
            key = person[3]
            if key not in pairs:
                pairs[key] = sorted(name_pairs(name_tokens(key)))
            for pair in pairs[key]:
                yield (pair, person[0])

    def tables(self):
        """(table, columns, rows) in an order the foreign keys accept."""
        return (
            (Person.__table__, PERSON_COLUMNS, self.persons),
            (PersonNameToken.__table__, ["token", "person_id"], self.name_tokens()),
            (PersonNamePair.__table__, ["pair", "person_id"], self.name_pairs()),
            (Case.__table__, CASE_COLUMNS, self.cases),
            (CaseMember.__table__, ["id", "case_id", "person_id", "role"], self.members),
            (case_topics, ["case_id", "topic_id"], self.case_topics),
            (Handover.__table__, HANDOVER_COLUMNS, self.handovers()),
            (Referral.__table__, REFERRAL_COLUMNS, self.referrals),
            (CaseCounter.__table__, ["year", "last_number"], sorted(self.counters.items())),
        )
