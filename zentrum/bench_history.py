"""The benchmark's case histories: events, notes, consents and case access, from the plan.

Written for ``zentrum bench`` (the pages read them), not for ``bench-dashboard``. Every
case gets the events the services would have written (intake, each offer and its answer,
referrals, first contact, closure), two notes with their note events, the young person's
consent for every partner the case went to, and a case-access row per partner involved.
One case – the newest one a partner holds – gets notes until its history has exactly
``LONG_HISTORY`` entries: the case page's worst case in the benchmark.

Note times and authors follow from the case's own moments, not from the random stream,
so notes and their events are produced by two passes that agree without sharing state.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from zentrum.bench_rows import BenchRows
from zentrum.domain.clock import local_date
from zentrum.models import CaseAccess, CaseEvent, CaseNote, Consent

LONG_HISTORY = 100
NOTES_PER_CASE = 2
EVENT_COLUMNS = [
    "id",
    "case_id",
    "kind",
    "at",
    "actor_id",
    "partner_id",
    "target_partner_id",
    "details",
]
NOTE_COLUMNS = [
    "id",
    "case_id",
    "author_id",
    "partner_id",
    "internal",
    "youth_office",
    "body",
    "addendum_to_id",
    "created_at",
]
CONSENT_COLUMNS = [
    "id",
    "person_id",
    "partner_id",
    "case_id",
    "categories",
    "purpose",
    "given_on",
    "given_by",
    "granted_at",
    "recorded_by_id",
]
# What a consent at intake covers in the bench (as the intake form's defaults).
CONSENT_CATEGORIES = json.dumps(["master_data", "contact"])
CONSENT_PURPOSE = "Beratung und Vermittlung zum Anliegen im Zentrum Zukunft Wuppertal"
NOTE_BODY = (
    "Gespräch geführt; Unterlagen angefordert, nächster Termin vereinbart.",
    "Rückmeldung an die Familie gegeben, Bewerbungsunterlagen besprochen.",
)
_OUTCOME, _CLOSED = 16, 17  # positions in a case row (see CASE_COLUMNS)


def _details(**values) -> str | None:
    """Event details as the JSON column stores them (None values left out)."""
    kept = {k: v for k, v in values.items() if v is not None}
    return json.dumps(kept) if kept else None


@dataclass
class _Note:
    """A note planned for a case: its moment, author and the author's partner."""

    at: int
    author: int
    partner: int | None
    internal: bool


class HistoryRows:
    """Events, notes, consents and case access for the cases of a ``BenchRows``."""

    def __init__(self, rows: BenchRows):
        self.rows = rows
        self.young: dict[int, int] = {}
        for _id, case_id, person_id, role in rows.members:
            if role == "young_person":
                self.young[case_id] = person_id
        self.referrals: dict[int, list[tuple]] = {}
        for referral in rows.referrals:
            self.referrals.setdefault(referral[1], []).append(referral)
        held = [c[0] for c in rows.cases if c[6] is not None and c[2] == "with_partner"]
        self.long_case = held[-1] if held else rows.cases[-1][0]
        # Case ids count from 1 in the order of the plan, so a case's index is its id - 1.
        self.extra_notes = 0
        base = len(self._events(self.long_case - 1, with_notes=False))
        self.extra_notes = max(0, LONG_HISTORY - base - NOTES_PER_CASE)

    def _steps(self, index: int) -> list[list]:
        return self.rows.plan.cases[index][1]

    def _notes(self, index: int) -> list[_Note]:
        """Two notes: the front desk's soon after intake, then one by whoever held the
        case later (internal to that partner for every fifth case)."""
        case = self.rows.cases[index]
        created, holder = case[8], case[6]
        end = case[_CLOSED] or self.rows.clock.moment(self.rows.plan.now)
        first = created + min(600, max(0, end - created) // 10)
        second_at = created + (end - created) * 7 // 10
        if holder is not None:
            second = _Note(second_at, self.rows.advisors[holder], holder, case[0] % 5 == 0)
        else:
            second = _Note(second_at, self.rows.frontdesk, None, False)
        notes = [_Note(first, self.rows.frontdesk, None, False), second]
        if case[0] == self.long_case:
            step = max(1, (end - created) // (self.extra_notes + 1))
            author = self.rows.advisors[holder] if holder else self.rows.frontdesk
            notes += [
                _Note(created + step * (i + 1), author, holder, False)
                for i in range(self.extra_notes)
            ]
        return notes

    def _note_ids(self, case_id: int, count: int) -> list[int]:
        """Two notes per case numbered by case; the long case's extra notes come last."""
        ids = [NOTES_PER_CASE * (case_id - 1) + 1 + i for i in range(NOTES_PER_CASE)]
        if count > NOTES_PER_CASE:
            base = NOTES_PER_CASE * len(self.rows.cases)
            ids += [base + 1 + i for i in range(count - NOTES_PER_CASE)]
        return ids[:count]

    def notes(self) -> Iterator[tuple]:
        """Note rows, case by case (the long case's extra notes at the end)."""
        extra = []
        for index, case in enumerate(self.rows.cases):
            planned = self._notes(index)
            for note_id, note in zip(self._note_ids(case[0], len(planned)), planned, strict=True):
                body = NOTE_BODY[note_id % 2]
                youth_office = False  # the bench's notes are not written at the Jugendamt
                row = (
                    note_id,
                    case[0],
                    note.author,
                    note.partner,
                    note.internal,
                    youth_office,
                    body,
                    None,
                )
                if note_id > NOTES_PER_CASE * len(self.rows.cases):
                    extra.append((*row, note.at))
                else:
                    yield (*row, note.at)
        yield from extra

    def _events(self, index: int, with_notes: bool = True) -> list[tuple]:
        """(at, kind, actor, partner, target, details) of one case, unsorted."""
        rows, case = self.rows, self.rows.cases[index]
        case_id, created = case[0], case[8]
        partner_ids, advisors = rows.partner_ids, rows.advisors
        events = [(created, "intake", rows.frontdesk, None, None, None)]
        for offered, source, to, status, answered in self._steps(index):
            source_id = None if source is None else partner_ids[source]
            target_id = partner_ids[to]
            by = rows.frontdesk if source_id is None else advisors[source_id]
            offered_at = rows.clock.moment(offered)
            events.append((offered_at, "offer", by, source_id, target_id, None))
            if answered is None:
                continue
            answered_at = rows.clock.moment(answered)
            if status == "accepted":
                wait = _details(wait_seconds=answered_at - offered_at)
                events.append(
                    (answered_at, "accept", advisors[target_id], target_id, target_id, wait)
                )
            elif status == "declined":
                events.append(
                    (answered_at, "decline", advisors[target_id], target_id, target_id, None)
                )
            else:
                events.append((answered_at, "withdraw", by, source_id, target_id, None))
        for ref in self.referrals.get(case_id, ()):
            _id, _case, source, target, by, at, _note, status, decided, decider = ref[:10]
            reason, ended, ender = ref[10:13]
            events.append((at, "refer", by, source, target, None))
            if decided is not None:
                kind = "referral_accept" if status in ("active", "ended") else "referral_decline"
                details = _details(reason=reason) if reason else None
                events.append((decided, kind, decider, target, target, details))
            if ended is not None:
                kind = "referral_end" if decided is not None else "referral_withdraw"
                events.append((ended, kind, ender, source, target, None))
        holder, contact, closed = case[6], case[10], case[_CLOSED]
        if contact is not None:
            events.append((contact, "first_contact", advisors[holder], holder, None, None))
        if closed is not None:
            outcome = _details(outcome=case[_OUTCOME])
            events.append((closed, "close", advisors[holder], holder, None, outcome))
        planned = self._notes(index) if with_notes else []
        for note_id, note in zip(self._note_ids(case_id, len(planned)), planned, strict=True):
            details = _details(note_id=note_id, internal=True if note.internal else None)
            events.append((note.at, "note", note.author, note.partner, None, details))
        return events

    def events(self) -> Iterator[tuple]:
        """Event rows, case by case and in time order within a case."""
        event_id = 0
        for index, case in enumerate(self.rows.cases):
            for at, kind, actor, partner, target, details in sorted(
                self._events(index), key=lambda e: e[0]
            ):
                event_id += 1
                yield (event_id, case[0], kind, at, actor, partner, target, details)

    def _partners_of(self, index: int) -> dict[int, int]:
        """Partner id -> the first moment it was offered or referred the case."""
        rows, case_id = self.rows, self.rows.cases[index][0]
        first: dict[int, int] = {}
        for offered, _source, to, _status, _answered in self._steps(index):
            first.setdefault(rows.partner_ids[to], rows.clock.moment(offered))
        for ref in self.referrals.get(case_id, ()):
            first.setdefault(ref[3], ref[5])
        return first

    def access(self) -> Iterator[tuple]:
        """Case access rows: every partner offered or referred the case."""
        for index, case in enumerate(self.rows.cases):
            for partner, since in sorted(self._partners_of(index).items()):
                yield (case[0], partner, since)

    def consents(self) -> Iterator[tuple]:
        """The young person's consent, at intake, for every partner the case went to."""
        consent_id = 0
        for index, case in enumerate(self.rows.cases):
            person = self.young[case[0]]
            for partner in sorted(self._partners_of(index)):
                consent_id += 1
                created = case[8]
                yield (
                    consent_id,
                    person,
                    partner,
                    case[0],
                    CONSENT_CATEGORIES,
                    CONSENT_PURPOSE,
                    local_date(datetime.fromtimestamp(created, UTC)),  # epoch seconds
                    "young_person",
                    created,
                    self.rows.frontdesk,
                )

    def tables(self):
        """(table, columns, rows) in an order the foreign keys accept (after the cases)."""
        return (
            (CaseNote.__table__, NOTE_COLUMNS, self.notes()),
            (CaseEvent.__table__, EVENT_COLUMNS, self.events()),
            (CaseAccess.__table__, ["case_id", "partner_id", "since"], self.access()),
            (Consent.__table__, CONSENT_COLUMNS, self.consents()),
        )
