"""The benchmark's timeline: cases and their chains of offers, planned on a working-time axis.

Positions are working seconds (opening hours, no weekends or NRW holidays) since the
first day of a ``WorkingClock``. An offer made at position p and answered after w working
seconds is answered at p + w, so both moments fall into opening hours and the stored
working-time wait is exactly w; the wall-clock wait follows from the two moments.
"""

import bisect
import itertools
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from zentrum.domain.business_hours import OpeningHours, is_working_day
from zentrum.domain.clock import LOCAL_TZ

# Offers a partner receives (relative weight) and its median wait in working seconds.
PARTNER_PROFILES = {
    "jobcenter": (30, 9_000),
    "jugendamt": (20, 3_600),
    "zuwanderung": (15, 14_400),
    "ihk": (15, 10_800),
    "uni": (10, 7_200),
    "hwk": (10, 21_600),
}
DEFAULT_PROFILE = (10, 10_800)
WAIT_SIGMA = 1.3  # lognormal spread: minutes for some, several working days for a few
MAX_WAIT = 20 * 36_000  # twenty working days
STATUSES = ("accepted", "declined", "withdrawn")
STATUS_WEIGHTS = (88, 8, 4)
# Offers per case before the end of the year cuts chains short (mean ~3.1).
CHAIN_LENGTHS = (1, 2, 3, 4, 5, 6, 7, 8)
CHAIN_WEIGHTS = (22, 22, 20, 14, 10, 6, 4, 2)
TRANSFER_GAP = 108_000  # median working seconds until the holder hands the case on


def epoch(moment: datetime) -> int:
    """Whole seconds since 1970 of an aware moment."""
    return int(moment.timestamp())


class WorkingClock:
    """Working time as a coordinate, from a table of days.

    Working time between two moments is a subtraction of positions, and the moment at
    a position a bisection, instead of ``business_time``'s loop over days for every call.
    The values equal ``zentrum.services.timing.working_seconds`` at whole seconds (same
    opening hours, same holidays), for moments between ``first`` and ``last``.
    """

    def __init__(self, first: date, last: date, hours: OpeningHours):
        self.days: list[date] = []
        self.midnights: list[int] = []
        self.opens: list[int] = []
        self.lengths: list[int] = []
        self.before: list[int] = []  # working seconds before each day
        self.ends: list[int] = []  # working seconds up to each day's closing
        day, total = first, 0
        while day <= last:
            midnight = epoch(datetime.combine(day, time(0), tzinfo=LOCAL_TZ))
            opens = closes = midnight
            if is_working_day(day, hours):
                opens = epoch(datetime.combine(day, hours.opens, tzinfo=LOCAL_TZ))
                closes = epoch(datetime.combine(day, hours.closes, tzinfo=LOCAL_TZ))
            self.days.append(day)
            self.midnights.append(midnight)
            self.opens.append(opens)
            self.lengths.append(closes - opens)
            self.before.append(total)
            total += closes - opens
            self.ends.append(total)
            day += timedelta(days=1)
        self.mondays = [d - timedelta(days=d.weekday()) for d in self.days]

    def _day(self, ts: int) -> int:
        index = bisect.bisect_right(self.midnights, ts) - 1
        if not 0 <= index < len(self.days) - 1:
            raise ValueError("moment outside the working clock's table")
        return index

    def position(self, ts: int) -> int:
        """Working seconds from the table's start to the moment ``ts`` (epoch seconds)."""
        i = self._day(ts)
        return self.before[i] + min(max(ts - self.opens[i], 0), self.lengths[i])

    def moment(self, pos: int) -> int:
        """The earliest moment (epoch seconds) at which ``pos`` working seconds have passed."""
        i = bisect.bisect_left(self.ends, pos)
        return self.opens[i] + pos - self.before[i]

    def day(self, pos: int) -> date:
        """The local day of the moment at a position."""
        return self.days[bisect.bisect_left(self.ends, pos)]

    def week(self, pos: int) -> date:
        """Monday of the local week of the moment at a position."""
        return self.mondays[bisect.bisect_left(self.ends, pos)]


@dataclass
class Plan:
    """Cases in order of intake: (intake position, steps); a step is a list
    [offered, from partner index or None, to partner index, status, answered or None]."""

    cases: list[tuple[int, list[list]]]
    start: int
    now: int
    handovers: int


class Weighted:
    """A weighted random choice; ``random.choices`` rebuilds its table on every call."""

    def __init__(self, rng: random.Random, values, weights):
        self.random = rng.random
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self):
        return self.values[bisect.bisect(self.cumulative, self.random() * self.total)]


def lognormal(rng: random.Random, median: float, sigma: float) -> int:
    """A lognormal whole number of seconds around ``median``."""
    return int(median * math.exp(sigma * rng.gauss(0.0, 1.0)))


class _Partners:
    """Weighted choice of the partner an offer goes to, and its wait."""

    def __init__(self, rng: random.Random, codes: list[str]):
        self.rng = rng
        profiles = [PARTNER_PROFILES.get(code, DEFAULT_PROFILE) for code in codes]
        self.pick = Weighted(rng, range(len(codes)), [weight for weight, _median in profiles])
        self.medians = [median for _weight, median in profiles]
        self.lengths = Weighted(rng, CHAIN_LENGTHS, CHAIN_WEIGHTS)
        self.status = Weighted(rng, STATUSES, STATUS_WEIGHTS)

    def choose(self, holder: int | None, declined: int | None) -> int:
        """A partner other than the holder and the one that just declined."""
        if len(self.medians) < 3:
            return self.pick()
        while True:
            index = self.pick()
            if index != holder and index != declined:
                return index

    def wait(self, index: int) -> int:
        """Working seconds until the partner answers."""
        return min(max(lognormal(self.rng, self.medians[index], WAIT_SIGMA), 60), MAX_WAIT)


def _chain(rng: random.Random, partners: _Partners, created: int, now: int) -> list[list]:
    """The offers of one case, until its chain ends or an offer would come after ``now``."""
    steps: list[list] = []
    holder, pos, declined = None, created + rng.randint(60, 1_800), None
    for _ in range(partners.lengths()):
        if pos > now:
            break
        to = partners.choose(holder, declined)
        status = partners.status()
        answered = pos + partners.wait(to)
        steps.append([pos, holder, to, status, answered])
        if answered > now:
            break
        if status == "accepted":
            holder, declined = to, None
            pos = answered + lognormal(rng, TRANSFER_GAP, 0.8)
        else:
            declined = to if status == "declined" else None
            pos = answered + rng.randint(120, 7_200)
    return steps


def _settle_pending(rng: random.Random, plan: Plan, max_pending: int) -> None:
    """Offers not yet answered at ``now``: a few stay pending, the rest were answered sooner.

    At a million offers a year, every offer waiting as long as it would would leave
    thousands pending; a supervisor's real queue holds a few hundred at most.
    """
    open_steps = [steps[-1] for _created, steps in plan.cases if steps and steps[-1][4] > plan.now]
    keep = set(rng.sample(range(len(open_steps)), min(max_pending, len(open_steps))))
    for index, step in enumerate(open_steps):
        if index in keep:
            step[3], step[4] = "pending", None
        else:
            step[4] = rng.randint(step[0], plan.now)


def plan_cases(
    rng: random.Random,
    clock: WorkingClock,
    now: datetime,
    handovers: int,
    codes: list[str],
    *,
    cases: int | None = None,
    years: int = 1,
) -> Plan:
    """Cases with intakes spread over the ``years`` before ``now``: until ``handovers``
    offers, or, when ``cases`` is given, that many cases (however many offers they have)."""
    start = clock.position(epoch(now - timedelta(days=365 * years)))
    end = clock.position(epoch(now))
    partners = _Partners(rng, codes)
    planned: list[tuple[int, list[list]]] = []
    total = 0
    while (len(planned) < cases) if cases is not None else (total < handovers):
        created = rng.randint(start, end)
        steps = _chain(rng, partners, created, end)
        if cases is None:
            steps = steps[: handovers - total]
        total += len(steps)
        planned.append((created, steps))
    planned.sort(key=lambda case: case[0])
    plan = Plan(planned, start, end, total)
    _settle_pending(rng, plan, max_pending=min(300, max(1, total // 100)))
    return plan
