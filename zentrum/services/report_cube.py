"""The counts behind the supervisors' figures, from weekly aggregates and from the rows.

A period's figures are the sum of its completed, current weeks from ``report_cube``, of
its other completed, current days from ``report_day_cube`` (the days at either end that
no whole week covers), of today's completed, current hours from ``report_hour_cube`` and
of everything else (the running hour, stale days and hours) counted from the rows
themselves by the very same queries that build the aggregates. So the aggregates can
never say something the rows do not: they only save reading them again.
"""

import secrets
import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.domain.buckets import bucket_counts, bucket_sql
from zentrum.domain.clock import local_date, start_of_local_day
from zentrum.domain.vocab import MemberRole, OfferStatus
from zentrum.models import (
    Case,
    CaseMember,
    Handover,
    Person,
    Referral,
    ReportCube,
    ReportDay,
    ReportDayCube,
    ReportHour,
    ReportHourCube,
    ReportOpenDay,
    ReportOpenWeek,
    ReportWeek,
    case_topics,
)
from zentrum.services.open_cases import (
    build_open_day,
    build_open_week,
    drop_open_days,
    stale_open_counts,
)
from zentrum.services.percentiles import Lookup, Ranked, Spread, histogram_spreads
from zentrum.services.periods import Period
from zentrum.services.timing import monday_of, mondays, week_of

# Histograms of waiting times: offers by receiving partner (work also by week of offer),
# cases for all partners together.
OFFER_METRICS = ("work", "wall")
CASE_METRICS = ("intake_work", "intake_wall", "contact_work", "contact_wall")
COUNT_KINDS = ("offer", "decline", "referral", "topic", "district")
# The spread of a partner's working-time waits in one completed week (the weekly chart).
WEEK_SPREAD = "week_spread"
# Completed days are summed up this far back: far enough for the edges of every preset
# period (a quarter, the last 4 weeks) and of the monthly report; a chosen period
# further back counts its edge days from the rows.
DAY_HORIZON = timedelta(days=120)
# Today's completed hours are summed up as well (UTC hours; Wuppertal's offsets are whole
# hours, so they are its hours too), once they ended this long ago, by every refresh
# (``zentrum escalate``: every quarter of an hour): a busy day's dashboard then counts
# only the hour or so since from the rows. Dropped once their day is over.
HOUR = timedelta(hours=1)
HOUR_MARGIN = timedelta(minutes=10)


# How ``Figures.ranked`` groups the histograms kept by (partner, week).
_GROUPINGS = {
    "stored": lambda partner_id, week: (partner_id, week),
    "partner": lambda partner_id, _week: (partner_id,),
    "all": lambda _partner_id, _week: (),
}


@dataclass
class Figures:
    """Counts of a period: ``counts[kind][(partner_id, key)]`` and histograms
    ``hist[metric][(partner_id, week)][bucket]`` (week None where it does not matter: the
    working-time histograms of completed weeks come added up, their weekly spreads in
    ``weekly``). Not added to once ranked: ``ranked`` works its answers out once."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    hist: dict[str, dict[tuple, Counter]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counter))
    )

    # Spreads of completed weeks, worked out when the week was built: (partner, week) → Spread.
    weekly: dict[tuple, Spread] = field(default_factory=dict)
    # The working-time histograms of those weeks one by one: (partner, week) → Counter.
    week_hist: dict[tuple, Counter] = field(default_factory=dict)
    # The waits themselves where a request read them from the rows (today, stale days):
    # metric → (partner, week) → values, beside their histograms.
    values: dict[str, dict[tuple, list[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    # What ``ranked`` and ``ranked_week`` worked out (kept sums are asked again and again).
    derived: dict = field(default_factory=dict, repr=False, compare=False)

    def add(self, kind: str, partner_id: int, key: str, week: date | None, n: int) -> None:
        if kind in COUNT_KINDS:
            self.counts[kind][(partner_id, key)] += n
        else:
            self.hist[kind][(partner_id, week if kind == "work" else None)][int(key)] += n

    def ranked(self, metric: str, by: str) -> dict[tuple, Ranked]:
        """One metric's histograms, ranked: by ``(partner, week)`` as counted ("stored"),
        added up per ``(partner,)`` ("partner") or over all of them, ``()`` ("all")."""
        found = self.derived.get((metric, by))
        if found is None:
            group_of = _GROUPINGS[by]
            groups: dict[tuple, Counter] = defaultdict(Counter)
            for (partner_id, week), counts in self.hist.get(metric, {}).items():
                groups[group_of(partner_id, week)].update(counts)
            found = self.derived[(metric, by)] = {
                key: Ranked(counts) for key, counts in groups.items()
            }
        return found

    def ranked_week(self, group: tuple) -> Ranked:
        """The working-time histogram of one completed week, ranked."""
        found = self.derived.get(("week", group))
        if found is None:
            found = self.derived[("week", group)] = Ranked(self.week_hist.get(group, {}))
        return found


class PeriodFigures:
    """A period's figures: the sums of its current weeks and days, which the process
    keeps and shares between requests (never changed), and what this request counted
    from the rows (today, stale days). The counts come added up; the histograms as the
    parts of each group (``histograms``), so that the large kept ones are ranked once."""

    def __init__(
        self, kept: Figures, fresh: Figures, kept_ranges=(), summed_ranges=None, weeks=None
    ):
        self.kept, self.fresh = kept, fresh
        # The kept weeks' database and build token (week → (url, token)), under which each
        # week's own stretches are kept (``week_stretches``).
        self.weeks: dict[date, tuple[str, int | None]] = dict(weeks or {})
        # The UTC ranges of the period that the kept sums cover (the rest was counted or
        # came from today's hours, waits and all).
        self.kept_ranges: list[tuple[datetime, datetime]] = list(kept_ranges)
        # The ranges that came from sums, today's hours included (the rest: from the rows).
        self.summed_ranges = list(kept_ranges if summed_ranges is None else summed_ranges)
        self.counts: dict[str, Counter] = defaultdict(Counter)
        for source in (kept, fresh):
            for kind, counts in source.counts.items():
                self.counts[kind].update(counts)
        self.weekly = kept.weekly

    def histograms(self, metric: str, by: str) -> dict[tuple, list[Ranked]]:
        """One metric's histograms by group (see ``Figures.ranked``), kept and counted
        parts apart."""
        parts: dict[tuple, list[Ranked]] = defaultdict(list)
        for source in (self.kept, self.fresh):
            for group, ranked in source.ranked(metric, by).items():
                parts[group].append(ranked)
        return dict(parts)

    def stored(self, metric: str, by: str) -> dict[tuple, Ranked]:
        """One metric's kept histograms by group: they count the rows of ``kept_ranges``."""
        return self.kept.ranked(metric, by)

    def known(self, metric: str, by: str) -> dict[tuple, list[int]]:
        """The waits this request read from the rows itself, by group (see ``stored``);
        worked out once (the partners' figures and their target shares both ask)."""
        found = self.fresh.derived.get(("known", metric, by))
        if found is None:
            group_of = _GROUPINGS[by]
            found = defaultdict(list)
            for (partner_id, week), values in self.fresh.values.get(metric, {}).items():
                found[group_of(partner_id, week)].extend(values)
            self.fresh.derived[("known", metric, by)] = found
        return found

    def stretches(self, name: str) -> dict:
        """Where percentile reads of the kept rows keep what they read (``histogram_spreads``'
        ``keep``): with the kept sums, so exactly as long as those rows stay unchanged."""
        return self.kept.derived.setdefault(("stretches", name), {})

    def week_stretches(self) -> "_ByWeek":
        """Where percentile reads of one partner's waits in one week keep what they read
        (``stretches``): those of a kept week with that week's sums, under its build
        token – a day or hour rebuilt leaves them as they are (the weekly chart's weeks
        with offers still waiting); those of other weeks with the period's."""
        return _ByWeek(self.weeks, self.stretches("weekly"))

    def ranked_week(self, group: tuple) -> Ranked:
        """The working-time histogram of one completed week, ranked (kept)."""
        return self.kept.ranked_week(group)

    @property
    def hist(self) -> dict[str, dict[tuple, Counter]]:
        """All histograms added up, as in ``Figures.hist``."""
        merged: dict[str, dict[tuple, Counter]] = defaultdict(lambda: defaultdict(Counter))
        for source in (self.kept, self.fresh):
            for metric, groups in source.hist.items():
                for group, counts in groups.items():
                    merged[metric][group].update(counts)
        return merged


# The stretches read of single kept weeks (see ``PeriodFigures.week_stretches``), by
# database, week and build token.
_WEEK_STRETCHES: OrderedDict[tuple, dict] = OrderedDict()
_WEEK_STRETCHES_MAX = 400


class _ByWeek:
    """A ``keep`` of ``histogram_spreads`` for groups (partner, week): a kept week's under
    its database, week and token, any other in ``fallback``."""

    def __init__(self, weeks: dict[date, tuple[str, int | None]], fallback: dict):
        self.weeks, self.fallback = weeks, fallback

    def _store(self, key: tuple) -> dict:
        (_partner_id, week), _bucket = key
        url, token = self.weeks.get(week, (None, None))
        if token is None:
            return self.fallback
        with _KEPT_LOCK:
            store = _WEEK_STRETCHES.get((url, week, token))
            if store is None:
                store = _WEEK_STRETCHES[(url, week, token)] = {}
                while len(_WEEK_STRETCHES) > _WEEK_STRETCHES_MAX:
                    _WEEK_STRETCHES.popitem(last=False)
            return store

    def get(self, key: tuple, default=None):
        return self._store(key).get(key, default)

    def setdefault(self, key: tuple, default):
        return self._store(key).setdefault(key, default)


def _within(column, span: tuple[datetime, datetime]):
    start, end = span
    return sa.and_(column >= start, column < end)


def raw_rows(session: Session, ranges, partner_ids=None):
    """(kind, partner id, key, week, n) counted from the rows in the given time ranges.

    One set of statements per range, so a key may come once per range (the callers add
    them up): a range of an indexed moment is read through the index, whereas for an OR
    of ranges SQLite scanned every offer (0.3 s at a million cases).
    """
    for span in ranges:
        yield from _rows_in(session, span, partner_ids, histograms=True)


def fresh_figures(session: Session, ranges, partner_ids=None, hours: Figures | None = None):
    """The figures of the given time ranges from their rows, as ``raw_rows`` counts them,
    but with the waits themselves read (``Figures.values``): a percentile then needs no
    second read of these rows. ``hours``: today's summed hours in hand (``_in_hand``),
    added in."""
    figures = Figures()
    for span in ranges:
        for kind, partner_id, value, week, n in _rows_in(session, span, partner_ids, False):
            figures.add(kind, partner_id, value, week, n)
        _values_in(session, span, partner_ids, figures.values)
    _order_and_bucket(figures)
    if hours is not None:
        for kind, counts in hours.counts.items():
            figures.counts[kind].update(counts)
        for metric, groups in hours.values.items():
            into, hist = figures.values[metric], figures.hist[metric]
            for group, values in groups.items():
                mine = into.get(group)
                into[group] = sorted(mine + values) if mine else list(values)
                hist[group].update(hours.hist[metric][group])
    return figures


def _order_and_bucket(figures: Figures) -> None:
    """Order the waits read group by group and count them into their buckets, once all
    are read: thousands of waits at a city's daily volume."""
    for metric, groups in figures.values.items():
        for group, values in list(groups.items()):
            if not values:
                del groups[group]
                continue
            values.sort()
            figures.hist[metric][group].update(bucket_counts(values))


def _offered(span, partner_ids) -> list:
    offered = [_within(Handover.offered_at, span)]
    if partner_ids:
        offered.append(Handover.to_partner_id.in_(partner_ids))
    return offered


def _values_in(session: Session, span, partner_ids, values) -> None:
    """Every wait that the histograms of the time range count, added to ``values``
    (metric → (partner id, week) → waits): accepted offers (work by week of offer), and
    the cases' waits."""
    accepted = Handover.status == OfferStatus.ACCEPTED.value
    connection = session.connection()
    stmt = sa.select(
        Handover.to_partner_id,
        # As stored (SQLite: text), turned into a date once per week below, not per row.
        sa.type_coerce(Handover.offered_week, sa.String),
        Handover.wait_business_seconds,
        Handover.wait_seconds,
    ).where(accepted, *_offered(span, partner_ids))
    work, wall = values["work"], values["wall"]
    weeks: dict = {}
    # Fetched at once (.all()): iterating the result fetches row by row, 2 µs a row.
    for partner_id, stored_week, work_wait, wall_wait in connection.execute(stmt).all():
        if work_wait is not None:
            if stored_week in weeks:
                week = weeks[stored_week]
            else:
                week = weeks[stored_week] = _as_date(stored_week)
            work[(partner_id, week)].append(work_wait)
        if wall_wait is not None:
            wall[(partner_id, None)].append(wall_wait)
    for metrics in (("intake_work", "intake_wall"), ("contact_work", "contact_wall")):
        columns = [CASE_WAITS[metric][0] for metric in metrics]
        moment = CASE_WAITS[metrics[0]][1]
        stmt = sa.select(*columns).where(
            _within(moment, span), sa.or_(*(column.is_not(None) for column in columns))
        )
        lists = [values[metric][(0, None)] for metric in metrics]
        for row in connection.execute(stmt).all():
            for waits, value in zip(lists, row, strict=True):
                if value is not None:
                    waits.append(value)


def _as_date(stored) -> date | None:
    """A date column's value as the driver gave it: a date, or SQLite's ISO text."""
    if stored is None or isinstance(stored, date):
        return stored
    return date.fromisoformat(stored)


# The cases' waits: metric → (the wait, the moment that places it in a period).
CASE_WAITS = {
    "intake_work": (Case.first_accept_business_seconds, Case.created_at),
    "intake_wall": (Case.first_accept_seconds, Case.created_at),
    "contact_work": (Case.contact_business_seconds, Case.first_contact_at),
    "contact_wall": (Case.contact_seconds, Case.first_contact_at),
}


def _rows_in(session: Session, span, partner_ids, histograms: bool, exact: bool = False):
    """The counts of one time range (see ``raw_rows``); the waiting-time histograms only
    with ``histograms``, counted by bucket or, ``exact``, by the wait itself."""
    offered = _offered(span, partner_ids)
    accepted = Handover.status == OfferStatus.ACCEPTED.value
    declined = Handover.status == OfferStatus.DECLINED.value
    partner = Handover.to_partner_id
    by = (lambda column: column) if exact else bucket_sql
    yield from _count(session, "offer", partner, Handover.status, None, offered)
    if histograms:
        work = by(Handover.wait_business_seconds)
        week = Handover.offered_week
        yield from _count(session, "work", partner, work, week, [accepted, *offered])
        wall = by(Handover.wait_seconds)
        yield from _count(session, "wall", partner, wall, None, [accepted, *offered])
    reason = Handover.decline_reason
    yield from _count(session, "decline", partner, reason, None, [declined, *offered])
    referred = [_within(Referral.referred_at, span)]
    if partner_ids:
        referred.append(Referral.to_partner_id.in_(partner_ids))
    yield from _count(session, "referral", Referral.to_partner_id, Referral.status, None, referred)
    created = _within(Case.created_at, span)
    if histograms:
        for kind, (column, moment) in CASE_WAITS.items():
            where = [_within(moment, span), column.is_not(None)]
            yield from _count(session, kind, None, by(column), None, where)
    topic_join = [(Case, Case.id == case_topics.c.case_id)]
    yield from _count(session, "topic", None, case_topics.c.topic_id, None, [created], topic_join)
    young = sa.and_(
        CaseMember.person_id == Person.id, CaseMember.role == MemberRole.YOUNG_PERSON.value
    )
    district_join = [(CaseMember, young), (Case, Case.id == CaseMember.case_id)]
    yield from _count(session, "district", None, Person.district, None, [created], district_join)


def _count(session: Session, kind, partner, key, week, where, joins=()):
    """Rows counted by partner (or none), key and week (or none)."""
    groups = [c for c in (partner, key, week) if c is not None]
    stmt = sa.select(*groups, sa.func.count())
    for target, on in joins:
        stmt = stmt.join(target, on)
    for values in session.connection().execute(stmt.where(*where).group_by(*groups)).all():
        values = list(values)
        partner_id = int(values.pop(0)) if partner is not None else 0
        value = values.pop(0)
        week_value = values.pop(0) if week is not None else None
        yield kind, partner_id, "" if value is None else str(value), week_value, int(values[0])


def _week_period(monday: date) -> Period:
    return Period(monday, monday + timedelta(days=6))


def full_weeks(period: Period) -> list[date]:
    """The Mondays of the weeks that lie wholly inside the period."""
    first = period.first + timedelta(days=(7 - period.first.weekday()) % 7)
    return mondays(first, period.last - timedelta(days=6))


def _between(period: Period, gaps: list[tuple[datetime, datetime]]):
    """The parts of the period outside the given sorted, non-overlapping UTC ranges."""
    ranges, cursor = [], period.start
    for start, end in gaps:
        if start > cursor:
            ranges.append((cursor, start))
        cursor = end
    if cursor < period.end:
        ranges.append((cursor, period.end))
    return ranges


def _todays_hours(days: list[date]) -> list[datetime]:
    """The completed hours of today (the process's clock), if today is among the days."""
    now = _utcnow()
    return _hours_ended(now, now) if local_date(now) in days else []


def _hours_ended(now: datetime, by: datetime) -> list[datetime]:
    """The hours (UTC starts) of ``now``'s Wuppertal day that ended by ``by``."""
    start = start_of_local_day(now)
    return [start + HOUR * n for n in range(max(by - start, timedelta(0)) // HOUR)]


def _hour_of(moment: datetime) -> datetime:
    """The UTC hour a moment falls into (its start)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _current(session: Session, column, wanted: list) -> list[tuple]:
    """Those of the wanted weeks, days or hours (``column`` the key of their table) whose
    sums are current, with their build tokens."""
    if not wanted:
        return []
    model = column.class_
    stmt = sa.select(column, model.token).where(model.valid, column.in_(wanted))
    return sorted(tuple(row) for row in session.execute(stmt))


# The sums of current weeks, days and hours that this process read last, by database,
# partners and the (week, day or hour, token) pairs they were read from. Every build
# draws a new token, so an entry holds exactly what the cube holds while its key is
# still current.
_KEPT: OrderedDict[tuple, "Figures"] = OrderedDict()
_KEPT_MAX = 8
# The sums of single weeks, days and hours (all partners), by database, grain, first day
# (hour) and token: a period whose key changed (a day rebuilt or marked stale) is added up
# again from the parts still current, and only the new ones are read. Room for a
# quarter's weeks, a running week's days and today's hours at once.
_PARTS: OrderedDict[tuple, "Figures"] = OrderedDict()
_PARTS_MAX = 80
# Today's hours added up (``_in_hand``), by database, partners and (hour, token) pairs.
_HOURS: OrderedDict[tuple, "Figures"] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def forget_kept(newest_parts: int | None = None, grain: str = "day") -> None:
    """Drop the sums this process keeps (the benchmark times the dashboard without them):
    all of them, or the parts of the ``newest_parts`` latest weeks, days or hours
    (``grain``) of each database and what was added up from them (what a rebuild of
    those asks for: today's hours are no part of a period's kept sums)."""
    with _KEPT_LOCK:
        if newest_parts is None:
            _KEPT.clear()
            _PARTS.clear()
            _HOURS.clear()
            _WEEK_STRETCHES.clear()
            return
        # The newest of each database's (one process may serve several: the tests).
        by_url: dict[str, list[tuple]] = defaultdict(list)
        for key in _PARTS:
            if key[1] == grain:
                by_url[key[0]].append(key)
        newest = [
            key
            for keys in by_url.values()
            for key in sorted(keys, key=lambda key: key[2], reverse=True)[:newest_parts]
        ]
        dropped = {(url, first, token) for url, _grain, first, token in newest}
        for key in newest:
            del _PARTS[key]
        for kept, parts_of in (
            (_KEPT, lambda key: (*key[2], *key[3])),
            (_HOURS, lambda key: key[2]),
        ):
            for key in list(kept):
                if dropped.intersection((key[0], *part) for part in parts_of(key)):
                    del kept[key]


def period_figures(session: Session, period: Period, partner_ids=None) -> PeriodFigures:
    """Every count of the period: current weeks and days from the cubes, the rest (today,
    stale days) from the rows."""
    weeks = _current(session, ReportWeek.week, full_weeks(period))
    in_weeks = {week for week, _token in weeks}
    others = [
        period.first + timedelta(days=n)
        for n in range((period.last - period.first).days + 1)
        if monday_of(period.first + timedelta(days=n)) not in in_weeks
    ]
    days = _current(session, ReportDay.day, others)
    in_days = {day for day, _token in days}
    hours = _current(
        session, ReportHour.hour, _todays_hours([d for d in others if d not in in_days])
    )
    chosen = tuple(sorted(partner_ids)) if partner_ids else ()
    url = session.get_bind().url.render_as_string()
    # Today's hours are not part of the key: they join what the request counted itself,
    # waits and all, so that an hour summed up (every quarter of an hour) or marked stale
    # leaves the period's kept sums, their ranks and the rows their percentiles read as
    # they are.
    key = (url, chosen, tuple(weeks), tuple(days))
    # A week built before there were tokens has none: such sums are read, not kept.
    keep = all(token is not None for _first, token in (*weeks, *days))
    with _KEPT_LOCK:
        kept = _KEPT.get(key) if keep else None
        if kept is not None:
            _KEPT.move_to_end(key)
    if kept is None:
        parts = [
            part
            for grain, wanted in (("week", weeks), ("day", days))
            for part in _kept_parts(session, url, grain, wanted)
        ]
        kept = _added_up(parts, partner_ids)
        if keep:
            with _KEPT_LOCK:
                _KEPT[key] = kept
                while len(_KEPT) > _KEPT_MAX:
                    _KEPT.popitem(last=False)
    covered = [_week_period(week) for week in in_weeks] + [Period(day, day) for day in in_days]
    spans = [(span.start, span.end) for span in covered]
    summed_hours = [(hour, hour + HOUR) for hour, _token in hours]
    gaps = _between(period, sorted(spans + summed_hours))
    fresh = fresh_figures(session, gaps, partner_ids, _in_hand(session, url, chosen, hours))
    kept_ranges = _between(period, sorted(gaps + summed_hours))
    weeks_kept = {week: (url, token) for week, token in weeks}
    return PeriodFigures(kept, fresh, kept_ranges, _between(period, gaps), weeks_kept)


def _in_hand(session: Session, url: str, chosen: tuple, hours: list[tuple]) -> Figures:
    """Today's summed hours (``(hour, token)`` pairs) for the chosen partners (all: ``()``),
    added up: their counts, and their waits in order with their buckets, which a request
    adds to what it counted itself (``fresh_figures``). Kept under the hours' tokens."""
    key = (url, chosen, tuple(hours))
    with _KEPT_LOCK:
        found = _HOURS.get(key)
        if found is not None:
            _HOURS.move_to_end(key)
            return found
    wanted = _wanted(chosen)
    found = Figures()
    for part in _kept_parts(session, url, "hour", hours):
        _add_counts(found, part, wanted)
        for metric, groups in part.values.items():
            into = found.values[metric]
            for group, values in groups.items():
                if wanted(group[0]):
                    into[group].extend(values)
    _order_and_bucket(found)
    with _KEPT_LOCK:
        _HOURS[key] = found
        while len(_HOURS) > _KEPT_MAX:
            _HOURS.popitem(last=False)
    return found


def _kept_parts(session: Session, url: str, grain: str, wanted) -> list[Figures]:
    """The sums of the wanted (week, day or hour, token) pairs, each a ``Figures`` of all
    partners: kept ones as they are, the others read in one statement (and kept)."""
    found: dict[date, Figures] = {}
    with _KEPT_LOCK:
        for first, token in wanted:
            part = _PARTS.get((url, grain, first, token)) if token is not None else None
            if part is not None:
                _PARTS.move_to_end((url, grain, first, token))
                found[first] = part
    missing = [first for first, _token in wanted if first not in found]
    if missing:
        read = _READERS[grain](session, missing)
        found.update(read)
        with _KEPT_LOCK:
            for first, token in wanted:
                if first in read and token is not None:
                    _PARTS[(url, grain, first, token)] = read[first]
            while len(_PARTS) > _PARTS_MAX:
                _PARTS.popitem(last=False)
    return [found[first] for first, _token in wanted]


def _added_up(parts: list[Figures], partner_ids) -> Figures:
    """The parts' sums added up, for the chosen partners (all: None) and the figures of
    no partner (0)."""
    wanted = _wanted(partner_ids)
    total = Figures()
    for part in parts:
        _add_counts(total, part, wanted)
        for metric, groups in part.hist.items():
            for group, counts in groups.items():
                if wanted(group[0]):
                    total.hist[metric][group].update(counts)
        for group, spread in part.weekly.items():
            if wanted(group[0]):
                total.weekly[group] = spread
        for group, counts in part.week_hist.items():
            if wanted(group[0]):
                total.week_hist[group] = counts
    return total


def _add_counts(total: Figures, part: Figures, wanted) -> None:
    """Add the part's counts of the wanted partners (``_wanted``) to ``total``."""
    for kind, counts in part.counts.items():
        into = total.counts[kind]
        for group, n in counts.items():
            if wanted(group[0]):
                into[group] += n


def _wanted(partner_ids):
    """Whether a partner's sums count for the chosen partners (all: None); the figures of
    no partner (0) always do."""
    chosen = set(partner_ids) if partner_ids else None
    return lambda partner_id: chosen is None or partner_id == 0 or partner_id in chosen


def _cube_rows(session: Session, column, wanted: list) -> list:
    """(first, kind, partner id, key, n, counts) of the wanted weeks, days or hours
    (``column`` the key of their cube). Through the session's connection: the ORM's
    result machinery costs more than the database's own work for the rows of a period."""
    cube = column.class_
    stmt = sa.select(column, cube.kind, cube.partner_id, cube.key, cube.n, cube.counts)
    return session.connection().execute(stmt.where(column.in_(wanted))).all()


def _read_weeks(session: Session, weeks: list[date]) -> dict[date, Figures]:
    """Each week's sums, all partners. The working-time histograms come per partner (the
    week's share of the period's) and per partner and week (the weekly chart ranks
    those), with the spread of each partner's week beside them."""
    parts = {week: Figures() for week in weeks}
    spreads: dict[tuple, dict] = defaultdict(dict)
    for week, kind, partner_id, key, n, counts in _cube_rows(session, ReportCube.week, weeks):
        figures = parts[week]
        if kind == WEEK_SPREAD:
            spreads[(partner_id, week)][key] = n
        elif kind in COUNT_KINDS:
            figures.add(kind, partner_id, key, None, n)
        else:
            histogram = unpack(counts)
            figures.hist[kind][(partner_id, None)].update(histogram)
            if kind == "work":
                figures.week_hist[(partner_id, week)] = Counter(histogram)
    for (partner_id, week), values in spreads.items():
        parts[week].weekly[(partner_id, week)] = Spread(**values)
    return parts


def _read_days(session: Session, days: list[date]) -> dict[date, Figures]:
    """Each day's sums, all partners: the working-time histograms by the week the day
    falls into (the weekly chart ranks the rest of such a week)."""
    parts = {day: Figures() for day in days}
    for day, kind, partner_id, key, n, counts in _cube_rows(session, ReportDayCube.day, days):
        figures = parts[day]
        if kind in COUNT_KINDS:
            figures.add(kind, partner_id, key, None, n)
        else:
            group = (partner_id, monday_of(day) if kind == "work" else None)
            figures.hist[kind][group].update(unpack(counts))
    return parts


def _read_hours(session: Session, hours: list[datetime]) -> dict[datetime, Figures]:
    """Each hour's sums, all partners: the counts, and the waits themselves (an hour
    counts them by wait, not by bucket), by group as ``fresh_figures`` reads them from
    the rows; ``_in_hand`` orders them once the hours are added up."""
    parts = {hour: Figures() for hour in hours}
    weeks = {hour: monday_of(local_date(hour)) for hour in hours}
    for hour, kind, partner_id, key, n, counts in _cube_rows(session, ReportHourCube.hour, hours):
        figures = parts[hour]
        if kind in COUNT_KINDS:
            figures.counts[kind][(partner_id, key)] += n
        else:
            group = (partner_id, weeks[hour] if kind == "work" else None)
            values = figures.values[kind][group]
            for wait, times in unpack(counts).items():
                values.extend([wait] * times)
    return parts


_READERS = {"week": _read_weeks, "day": _read_days, "hour": _read_hours}


# --- keeping the weeks and days current ------------------------------------------------


def stale_days(session: Session, moments: set[datetime], now: datetime) -> None:
    """Mark the days (Wuppertal dates), weeks and today's hours of the given moments stale
    in the current transaction.

    Weeks, days and hours that have not ended yet are never built, so they need no mark;
    a mark that is already there is not written again. On PostgreSQL the UPDATE takes a
    ROW EXCLUSIVE lock on its table even when no row matches; ``refresh`` locks the table
    against it, so a week, day or hour is never built from rows that a transaction still
    in flight is changing.
    """
    today, this_hour = local_date(now), _hour_of(now)
    moments = {moment for moment in moments if moment is not None}
    old = {day for day in {local_date(moment) for moment in moments} if day < today}
    weeks = sorted({monday_of(day) for day in old if monday_of(day) < monday_of(today)})
    hours = {_hour_of(m) for m in moments if local_date(m) == today and _hour_of(m) < this_hour}
    for column, valid, wanted in (
        (ReportWeek.week, ReportWeek.valid, weeks),
        (ReportDay.day, ReportDay.valid, sorted(old)),
        (ReportHour.hour, ReportHour.valid, sorted(hours)),
    ):
        if wanted:
            session.execute(
                sa.update(column.class_).where(column.in_(wanted), valid).values(valid=False),
                execution_options={"synchronize_session": False},
            )


def build_week(session: Session, monday: date, now: datetime) -> None:
    """Count one week from its rows into the cube, with each partner's spread of the
    week's working-time waits, and mark it current."""
    span = _week_period(monday)
    figures = _build(session, ReportCube, span, "week")
    accepted = Handover.status == OfferStatus.ACCEPTED.value
    in_week = sa.and_(Handover.offered_at >= span.start, Handover.offered_at < span.end)

    def lookup(group):
        where = [Handover.to_partner_id == group[0], accepted, in_week]
        return Lookup(Handover.wait_business_seconds, where)

    spreads = []
    for (pid, _week), spread in histogram_spreads(
        session, figures.hist["work"], {}, lookup
    ).items():
        for key in ("count", "median", "p90", "maximum"):
            value = getattr(spread, key)
            spreads.append(
                {"week": monday, "kind": WEEK_SPREAD, "partner_id": pid, "key": key, "n": value}
            )
    if spreads:
        session.execute(sa.insert(ReportCube), spreads)
    _mark_current(session, ReportWeek.week, monday, now)


def build_day(session: Session, day: date, now: datetime) -> None:
    """Count one day from its rows into the day cube and mark it current."""
    _build(session, ReportDayCube, Period(day, day), "day")
    _mark_current(session, ReportDay.day, day, now)


@dataclass(frozen=True)
class _Hour:
    """An hour as ``_build`` asks for a span: its key (``first``) and UTC bounds."""

    first: datetime

    @property
    def start(self) -> datetime:
        return self.first

    @property
    def end(self) -> datetime:
        return self.first + HOUR


def build_hour(session: Session, hour: datetime, now: datetime) -> None:
    """Count one hour (its UTC start) from its rows into the hour cube, the waits by
    their value, and mark it current."""
    _build(session, ReportHourCube, _Hour(hour), "hour", exact=True)
    _mark_current(session, ReportHour.hour, hour, now)


def _build(
    session: Session, cube, span: Period | _Hour, column: str, exact: bool = False
) -> Figures:
    """Replace the span's sums in the cube by those counted from its rows (the waits by
    bucket or, ``exact``, by value); the counts (by bucket only)."""
    first = span.first
    session.execute(sa.delete(cube).where(getattr(cube, column) == first))
    figures, rows = Figures(), []
    histograms: dict[tuple, Counter] = defaultdict(Counter)
    for kind, pid, key, week, n in _rows_in(session, (span.start, span.end), None, True, exact):
        if kind in COUNT_KINDS:
            rows.append(_cube_row(column, first, kind, pid, key, n))
        else:
            histograms[(kind, pid)][int(key)] += n
        if not exact:
            figures.add(kind, pid, key, week, n)
    for (kind, pid), counts in histograms.items():
        rows.append(_cube_row(column, first, kind, pid, "", counts.total(), pack(counts)))
    if rows:
        session.execute(sa.insert(cube), rows)
    return figures


def _cube_row(column: str, first, kind: str, pid: int, key: str, n: int, counts=None) -> dict:
    return {column: first, "kind": kind, "partner_id": pid, "key": key, "n": n, "counts": counts}


def pack(counts: dict[int, int]) -> str:
    """A histogram (bucket or wait → count) as the cubes store it: "b n b n …", in order."""
    return " ".join(f"{key} {counts[key]}" for key in sorted(counts) if counts[key])


def unpack(text: str | None) -> dict[int, int]:
    """A histogram stored by ``pack``."""
    numbers = list(map(int, (text or "").split()))
    return dict(zip(numbers[::2], numbers[1::2], strict=True))


def _mark_current(session: Session, column, first: date, now: datetime) -> None:
    """Mark the week or day (``column`` the key of its table) current, with a new token."""
    model = column.class_
    token = secrets.randbits(63)
    row = session.get(model, first)
    if row is None:
        session.add(model(**{column.key: first}, valid=True, built_at=now, token=token))
    else:
        row.valid, row.built_at, row.token = True, now, token


def to_build(session: Session, now: datetime, margin: timedelta) -> list[tuple[str, date]]:
    """Completed weeks and days (ended at least ``margin`` ago) with data that are not
    current, as ("week", Monday) and ("day", date): the weeks first, oldest first; then
    the days of the last ``DAY_HORIZON``, newest first; then the weeks and days whose
    count of open cases is not current, as ("open", Monday) and ("open_day", date).
    Not current hours of today (ended at least ``HOUR_MARGIN`` ago) come first, as
    ("hour", UTC start), oldest first."""
    first_case = session.scalar(sa.select(sa.func.min(Case.created_at)))
    first = [
        session.scalar(sa.select(sa.func.min(Handover.offered_at))),
        first_case,
        session.scalar(sa.select(sa.func.min(Referral.referred_at))),
    ]
    first = [moment for moment in first if moment is not None]
    if not first:
        return []
    last = week_of(now - margin) - timedelta(days=7)
    weeks = mondays(week_of(min(first)), last)
    oldest = max(local_date(min(first)), local_date(now) - DAY_HORIZON)
    newest = local_date(now - margin) - timedelta(days=1)
    days = [newest - timedelta(days=n) for n in range((newest - oldest).days + 1)]
    hours = _hours_ended(now, now - HOUR_MARGIN)
    spans = [("hour", hour) for hour in _not_current(session, ReportHour.hour, hours)]
    spans += [("week", week) for week in _not_current(session, ReportWeek.week, weeks)]
    spans += [("day", day) for day in _not_current(session, ReportDay.day, days)]
    if first_case is not None:
        # Open cases only from the first case on (offers and referrals do not count there).
        weeks = mondays(week_of(first_case), last)
        days = [day for day in days if day >= local_date(first_case)]
        spans += [("open", week) for week in _not_current(session, ReportOpenWeek.week, weeks)]
        spans += [("open_day", day) for day in _not_current(session, ReportOpenDay.day, days)]
    return spans


def _not_current(session: Session, column, wanted: list) -> list:
    """Those of the wanted weeks, days or hours (``column`` the key of their table) not
    current, in the order wanted."""
    valid = set(session.scalars(sa.select(column).where(column.class_.valid)))
    return [first for first in wanted if first not in valid]


_GRAINS = {
    "week": (ReportWeek, ReportWeek.week, build_week),
    "day": (ReportDay, ReportDay.day, build_day),
    "hour": (ReportHour, ReportHour.hour, build_hour),
    "open": (ReportOpenWeek, ReportOpenWeek.week, build_open_week),
    "open_day": (ReportOpenDay, ReportOpenDay.day, build_open_day),
}


def refresh(
    session: Session, now: datetime, *, margin: timedelta = timedelta(hours=1), limit=None
) -> list[tuple[str, date]]:
    """Rebuild today's stale completed hours and, up to ``limit``, the stale completed weeks
    and days (and their counts of open cases), one transaction each; those rebuilt.

    Each locks its table (``report_hours``, ``report_weeks``, ``report_days``,
    ``report_open_weeks``, ``report_open_days``) on PostgreSQL (writers mark them stale
    under a conflicting lock) and, on SQLite, starts with the write lock, so
    that it is counted from rows no other transaction is changing. Days that have fallen
    out of ``DAY_HORIZON`` are dropped, and hours of earlier days.
    """
    from zentrum.database import write_transaction

    spans = to_build(session, now, margin)
    # An hour is quick to count (a day's volume / 24) and what the dashboard reads most.
    hours = [span for span in spans if span[0] == "hour"]
    done = []
    for grain, first in hours + [span for span in spans if span[0] != "hour"][:limit]:
        model, column, build = _GRAINS[grain]
        session.rollback()
        with write_transaction():
            if session.get_bind().dialect.name == "postgresql":
                table = model.__tablename__
                session.execute(sa.text(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
            current = session.scalar(sa.select(model.valid).where(column == first))
            if not current:
                build(session, first, now)
                done.append((grain, first))
            session.commit()
    _drop_old_days(session, local_date(now) - DAY_HORIZON, start_of_local_day(now))
    return done


def _drop_old_days(session: Session, before: date, hours_before: datetime) -> None:
    from zentrum.database import write_transaction

    session.rollback()
    with write_transaction():
        session.execute(sa.delete(ReportDayCube).where(ReportDayCube.day < before))
        session.execute(sa.delete(ReportDay).where(ReportDay.day < before))
        session.execute(sa.delete(ReportHourCube).where(ReportHourCube.hour < hours_before))
        session.execute(sa.delete(ReportHour).where(ReportHour.hour < hours_before))
        drop_open_days(session, before)
        session.commit()


# Which changes make a day's counts stale: (model, attributes that count, the moments
# that place the row in its days and hours). ``offered_week`` is always the week of
# ``offered_at``.
def _handover_moments(row: Handover) -> set:
    return _history(row, "offered_at")


def _case_moments(row: Case) -> set:
    return _history(row, "created_at") | _history(row, "first_contact_at")


def _referral_moments(row: Referral) -> set:
    return _history(row, "referred_at")


_WATCHED = (
    (
        Handover,
        (
            "status",
            "to_partner_id",
            "offered_at",
            "offered_week",
            "wait_seconds",
            "wait_business_seconds",
            "decline_reason",
        ),
        _handover_moments,
    ),
    (
        Case,
        (
            "created_at",
            "first_contact_at",
            "first_accept_seconds",
            "first_accept_business_seconds",
            "contact_seconds",
            "contact_business_seconds",
            "topics",
        ),
        _case_moments,
    ),
    (Referral, ("status", "to_partner_id", "referred_at"), _referral_moments),
)


def _history(row, name: str) -> set:
    """The attribute's value now and before the change (loaded values only)."""
    history = sa.inspect(row).attrs[name].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


def _changed(row, names) -> bool:
    state = sa.inspect(row)
    if state.pending or state.deleted or state.was_deleted:
        return True
    return any(state.attrs[name].history.has_changes() for name in names)


def _moments_of_people(session: Session, person_ids: set[int]) -> set[datetime]:
    """When the cases whose young person these are were recorded (their district counts
    there)."""
    stmt = (
        sa.select(Case.created_at)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(
            CaseMember.person_id.in_(person_ids),
            CaseMember.role == MemberRole.YOUNG_PERSON.value,
        )
    )
    return set(session.scalars(stmt))


@sa.event.listens_for(Session, "before_flush")
def _mark_changed_days(session: Session, _context, _instances) -> None:
    moments: set[datetime] = set()
    people: set[int] = set()
    recorded: set[datetime] = set()  # cases opened, closed, reopened or deleted
    for row in (*session.new, *session.dirty, *session.deleted):
        for model, names, moments_of in _WATCHED:
            if isinstance(row, model) and _changed(row, names):
                moments |= moments_of(row)
        if isinstance(row, Case) and _changed(row, ("status",)):
            recorded |= _history(row, "created_at")
        if isinstance(row, Person) and row.id is not None and _changed(row, ("district",)):
            people.add(row.id)
        if isinstance(row, CaseMember) and row.case_id is not None and _changed(row, ("role",)):
            case = session.get(Case, row.case_id)
            if case is not None and case.created_at is not None:
                moments.add(case.created_at)
    with session.no_autoflush:
        if people:
            moments |= _moments_of_people(session, people)
        stale_days(session, moments, _utcnow())
        stale_open_counts(session, recorded, _utcnow(), DAY_HORIZON)


@sa.event.listens_for(Session, "do_orm_execute")
def _mark_bulk_changes(state) -> None:
    """UPDATE and DELETE statements on counted rows mark the days of the rows they hit."""
    if not (state.is_update or state.is_delete) or state.execution_options.get("report_cube"):
        return
    mapper = state.bind_arguments.get("mapper")
    entity = mapper.class_ if mapper is not None else None
    if entity not in (Handover, Referral, Case):
        return
    column = {
        Handover: Handover.offered_at,
        Referral: Referral.referred_at,
        Case: Case.created_at,
    }[entity]
    where = state.statement.whereclause
    stmt = sa.select(column).where(where) if where is not None else sa.select(column)
    moments = list(state.session.scalars(stmt, execution_options={"report_cube": True}))
    stale_days(state.session, set(moments), _utcnow())
    if entity is Case:
        stale_open_counts(state.session, moments, _utcnow(), DAY_HORIZON)


def _utcnow() -> datetime:
    from zentrum.models.base import utcnow

    return utcnow()
