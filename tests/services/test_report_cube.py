"""Weekly and daily sums behind the figures: built from the rows, marked stale by every
change."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from zentrum.domain.clock import LOCAL_TZ, local_date
from zentrum.models import (
    Case,
    Handover,
    ReportCube,
    ReportDay,
    ReportDayCube,
    ReportHour,
    ReportHourCube,
    ReportWeek,
    User,
)
from zentrum.services.handover import accept_offer
from zentrum.services.periods import Period
from zentrum.services.report_cube import (
    DAY_HORIZON,
    Figures,
    forget_kept,
    full_weeks,
    period_figures,
    raw_rows,
    refresh,
)
from zentrum.services.reports import partner_figures
from zentrum.services.timing import week_of

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=30)


def _valid(session, week) -> bool | None:
    session.expire_all()
    return session.scalar(sa.select(ReportWeek.valid).where(ReportWeek.week == week))


def _day_valid(session, day) -> bool | None:
    session.expire_all()
    return session.scalar(sa.select(ReportDay.valid).where(ReportDay.day == day))


def _period():
    return Period(week_of(OLD) - timedelta(days=14), week_of(NOW) - timedelta(days=1))


def test_full_weeks_are_the_mondays_wholly_inside():
    period = Period(date(2026, 11, 4), date(2026, 11, 29))  # Wednesday to Sunday
    assert full_weeks(period) == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]
    assert full_weeks(Period(date(2026, 11, 24), date(2026, 11, 29))) == []


def test_refresh_builds_completed_weeks_and_days_once_and_never_the_running_ones(session, cases):
    cases(at=NOW - timedelta(days=300))
    cases(at=OLD)
    cases(at=NOW)
    built = refresh(session, NOW)
    weeks = [first for grain, first in built if grain == "week"]
    days = [first for grain, first in built if grain == "day"]
    assert week_of(OLD) in weeks and local_date(OLD) in days
    assert week_of(NOW) not in weeks and local_date(NOW) not in days
    assert weeks == sorted(weeks) and len(weeks) == len(set(weeks))
    assert days == sorted(days, reverse=True) and len(days) == len(set(days))
    # Days only as far back as a preset period's edge can reach; weeks all the way.
    assert week_of(NOW - timedelta(days=300)) in weeks
    assert min(days) == local_date(NOW) - DAY_HORIZON
    assert refresh(session, NOW) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(ReportCube)) > 0
    assert session.scalar(sa.select(sa.func.count()).select_from(ReportDayCube)) > 0


def test_refresh_drops_days_that_fell_out_of_the_horizon(session, cases):
    cases(at=OLD)
    refresh(session, NOW)
    later = NOW + timedelta(days=60)
    refresh(session, later)
    oldest = session.scalar(sa.select(sa.func.min(ReportDayCube.day)))
    assert oldest >= local_date(later) - DAY_HORIZON
    assert session.scalar(sa.select(sa.func.min(ReportDay.day))) >= local_date(later) - DAY_HORIZON
    assert _valid(session, week_of(OLD)) is True  # weeks stay


def test_accepting_an_old_offer_marks_its_week_stale_and_the_figures_follow(session, cases, users):
    case = cases(consents=["ihk"], at=OLD)
    offer = cases.offer(case, "ihk", at=OLD + timedelta(hours=1))
    offer_id, case_id = offer.id, case.id
    refresh(session, NOW)
    week, day = week_of(OLD), local_date(OLD + timedelta(hours=1))
    assert _valid(session, week) is True and _day_valid(session, day) is True
    before = {f.partner.code: f for f in partner_figures(session, _period(), None, NOW)}
    assert (before["ihk"].pending, before["ihk"].accepted) == (1, 0)

    advisor = users("advisor", partner="ihk")
    accept_offer(session, advisor, NOW, session.get(Case, case_id), offer_id)
    session.commit()

    assert _valid(session, week) is False and _day_valid(session, day) is False
    after = {f.partner.code: f for f in partner_figures(session, _period(), None, NOW)}
    assert (after["ihk"].pending, after["ihk"].accepted) == (0, 1)
    stored = session.get(Handover, offer_id)
    assert after["ihk"].business.median == stored.wait_business_seconds
    # Rebuilt, the week and the day say the same as the rows.
    assert {("week", week), ("day", day)} <= set(refresh(session, NOW))
    rebuilt = {f.partner.code: f for f in partner_figures(session, _period(), None, NOW)}
    assert rebuilt["ihk"] == after["ihk"]


def test_an_enquiry_recorded_for_a_built_week_marks_it_stale(session, cases):
    cases(at=OLD)
    refresh(session, NOW)
    assert _valid(session, week_of(OLD)) is True
    assert _day_valid(session, local_date(OLD)) is True
    cases(at=OLD)  # written without the ORM's flush: the intake marks the week itself
    assert _valid(session, week_of(OLD)) is False
    assert _day_valid(session, local_date(OLD)) is False
    assert sum(period_figures(session, _period()).counts["topic"].values()) == 2


def test_a_first_contact_marks_the_week_of_contact(session, cases):
    case = cases(at=OLD - timedelta(days=7))
    refresh(session, NOW)
    contact_week = week_of(OLD)
    assert _valid(session, contact_week) is True
    row = session.get(Case, case.id)
    row.first_contact_at = OLD
    row.contact_seconds = row.contact_business_seconds = 3600
    session.commit()
    assert _valid(session, contact_week) is False
    figures = period_figures(session, _period())
    assert sum(figures.hist["contact_wall"][(0, None)].values()) == 1


def test_changes_in_the_running_week_write_no_marks(session, cases, count_queries):
    refresh(session, NOW)
    session.remove()
    with count_queries() as statements:
        cases(at=NOW)
    assert not [s for s in statements if "report_weeks" in s]


def test_stale_weeks_are_read_from_their_days_and_stale_days_from_the_rows(session, cases):
    case = cases(consents=["ihk"], at=OLD)
    cases.offer(case, "ihk", at=OLD + timedelta(hours=1))
    refresh(session, NOW)
    # Bypass the marks on purpose (a plain table DELETE): a valid week or day is read from
    # its cube, a stale one from the rows.
    session.execute(Handover.__table__.delete())
    session.commit()
    counted = period_figures(session, _period()).counts["offer"]
    assert sum(counted.values()) == 1  # the week still says one offer
    session.execute(sa.update(ReportWeek).values(valid=False))
    session.commit()
    assert sum(period_figures(session, _period()).counts["offer"].values()) == 1  # its day
    session.execute(sa.update(ReportDay).values(valid=False))
    session.commit()
    assert sum(period_figures(session, _period()).counts["offer"].values()) == 0


def test_the_edge_days_of_a_period_are_read_from_the_day_sums(session, cases):
    case = cases(consents=["ihk"], at=OLD)
    cases.offer(case, "ihk", at=OLD + timedelta(hours=1))
    refresh(session, NOW)
    day = local_date(OLD + timedelta(hours=1))
    edges = Period(day - timedelta(days=1), day + timedelta(days=1))  # no whole week
    assert full_weeks(edges) == []
    session.execute(Handover.__table__.delete())
    session.commit()
    assert sum(period_figures(session, edges).counts["offer"].values()) == 1
    # A day before the one of the offer says nothing of it.
    before = Period(day - timedelta(days=2), day - timedelta(days=1))
    assert sum(period_figures(session, before).counts["offer"].values()) == 0


def test_report_refresh_command_builds_the_weeks(app, session, cases):
    cases(at=OLD)
    cases(at=_at(9, 30))
    runner = app.test_cli_runner()
    at = ["--now", "2026-11-24T14:25"]  # CLOCK, Wuppertal time
    result = runner.invoke(args=["report", "--refresh", *at])
    assert result.exit_code == 0, result.output
    # Today's hours 0:00–13:00 (ended by 14:15).
    assert "und 14 Stunden neu zusammengefasst" in result.output
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(ReportWeek)) >= 1
    again = runner.invoke(args=["report", "--refresh", *at])
    assert "0 Wochen, 0 Tage und 0 Stunden neu zusammengefasst" in again.output


def test_bulk_statements_on_counted_rows_mark_their_weeks_and_days(session, cases):
    case = cases(consents=["ihk"], at=OLD)
    cases.offer(case, "ihk", at=OLD + timedelta(hours=1))
    refresh(session, NOW)
    session.execute(sa.delete(Handover).where(Handover.case_id == case.id))
    session.commit()
    assert _valid(session, week_of(OLD)) is False
    assert _day_valid(session, local_date(OLD + timedelta(hours=1))) is False


def test_kept_sums_are_read_once_and_never_outlive_their_build(session, cases, count_queries):
    case = cases(consents=["ihk"], at=OLD)
    cases.offer(case, "ihk", at=OLD + timedelta(hours=1))
    cases(at=NOW)  # today: always counted from the rows, beside the kept sums
    refresh(session, NOW)
    first = period_figures(session, Period(local_date(OLD), local_date(NOW)))
    with count_queries() as statements:
        again = period_figures(session, Period(local_date(OLD), local_date(NOW)))
    assert not [s for s in statements if "report_cube" in s or "report_day_cube" in s]
    assert (again.counts, again.hist) == (first.counts, first.hist)
    assert sum(again.counts["topic"].values()) == 2
    # Rebuilt (by the same clock) from rows that lost the offer behind the marks' back:
    # the kept sums of the old build are not used again.
    session.execute(Handover.__table__.delete())
    session.execute(sa.update(ReportWeek).values(valid=False))
    session.execute(sa.update(ReportDay).values(valid=False))
    session.commit()
    refresh(session, NOW)
    rebuilt = period_figures(session, Period(local_date(OLD), local_date(NOW)))
    assert sum(rebuilt.counts["offer"].values()) == 0
    assert sum(rebuilt.counts["topic"].values()) == 2


def _accepted_history(session, cases, users, rng):
    """Cases over the last days, offered to two partners, most accepted after random waits,
    some first contacts: every kind of wait the figures rank."""
    advisors = {code: users("advisor", partner=code) for code in ("ihk", "jobcenter")}
    for n in range(24):
        created = NOW - timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 20))
        code = rng.choice(sorted(advisors))
        case = cases(consents=[code], at=created)
        offer = cases.offer(case, code, at=created + timedelta(minutes=rng.randint(1, 90)))
        if n % 5:
            answered = min(NOW, offer.offered_at + timedelta(minutes=rng.randint(1, 3000)))
            accept_offer(session, advisors[code], answered, session.get(Case, case.id), offer.id)
            if n % 3 == 0:
                row = session.get(Case, case.id)
                row.first_contact_at = min(NOW, answered + timedelta(hours=rng.randint(1, 30)))
                row.contact_seconds = rng.randint(60, 200_000)
                row.contact_business_seconds = rng.randint(60, 90_000)
            session.commit()


def test_waits_read_by_a_request_count_what_the_cube_would_count(session, cases, users):
    import random

    from zentrum.services.report_cube import Figures, fresh_figures, raw_rows

    _accepted_history(session, cases, users, random.Random(3))
    ranges = [(NOW - timedelta(days=6), NOW - timedelta(days=2)), (NOW - timedelta(days=1), NOW)]
    counted = Figures()
    for kind, partner_id, key, week, n in raw_rows(session, ranges):
        counted.add(kind, partner_id, key, week, n)
    read = fresh_figures(session, ranges)
    assert read.counts == counted.counts
    assert read.hist == counted.hist
    assert sum(counts.total() for counts in counted.hist["work"].values()) > 3
    # The values themselves are the rows' waits, by the same groups.
    in_ranges = sa.or_(
        *(sa.and_(Handover.offered_at >= start, Handover.offered_at < end) for start, end in ranges)
    )
    accepted = session.execute(
        sa.select(
            Handover.to_partner_id, Handover.offered_week, Handover.wait_business_seconds
        ).where(Handover.status == "accepted", in_ranges)
    ).all()
    expected: dict = {}
    for partner_id, week, wait in accepted:
        expected.setdefault((partner_id, week), []).append(wait)
    assert {k: sorted(v) for k, v in read.values["work"].items()} == {
        k: sorted(v) for k, v in expected.items()
    }
    contacts = sum(len(v) for v in read.values["contact_wall"].values())
    assert contacts == sum(counted.hist["contact_wall"][(0, None)].values()) > 0


def test_a_second_dashboard_reads_no_percentile_rows_and_says_the_same(
    session, cases, users, count_queries
):
    import random

    from zentrum.services.dashboard import build_dashboard
    from zentrum.services.report_cube import forget_kept

    _accepted_history(session, cases, users, random.Random(4))
    refresh(session, NOW, margin=timedelta(0))
    forget_kept()
    period = Period(local_date(NOW) - timedelta(days=13), local_date(NOW))
    first = build_dashboard(session, period, None, NOW)
    assert first.partners and any(fig.business.median for fig in first.partners)
    with count_queries() as statements:
        again = build_dashboard(session, period, None, NOW)
    # The kept sums, the stretches of their rows that the percentiles needed, and the
    # counts within the targets: nothing of the completed days is read again.
    assert not [s for s in statements if "LIMIT" in s or "report_cube" in s]
    assert not [s for s in statements if "wait_business_seconds <=" in s]
    forget_kept()
    cold = build_dashboard(session, period, None, NOW)
    assert again == first == cold


def test_a_period_with_one_day_rebuilt_reads_that_day_alone(session, cases, count_queries):
    from zentrum.services.report_cube import forget_kept

    for n in range(30):
        cases(at=NOW - timedelta(days=n % 24, hours=n % 5))
    refresh(session, NOW, margin=timedelta(0))
    forget_kept()
    start = local_date(NOW) - timedelta(days=20)
    start -= timedelta(days=1 if start.weekday() == 0 else 0)  # not a whole week's Monday
    period = Period(start, local_date(NOW))
    in_weeks = {week + timedelta(days=n) for week in full_weeks(period) for n in range(7)}
    first = period_figures(session, period)
    # A day at the period's start that no whole week covers: summed by the day cube.
    rebuilt = min(
        d for d in (period.first + timedelta(days=n) for n in range(7)) if d not in in_weeks
    )
    assert _day_valid(session, rebuilt)
    session.execute(sa.update(ReportDay).where(ReportDay.day == rebuilt).values(token=12345))
    session.commit()
    with count_queries() as statements:
        again = period_figures(session, period)
    sums = [s for s in statements if "report_cube" in s or "report_day_cube" in s]
    assert len(sums) == 1 and "report_day_cube" in sums[0]
    assert (again.counts, again.hist) == (first.counts, first.hist)
    forget_kept()
    cold = period_figures(session, period)
    assert (cold.counts, cold.hist, cold.kept.weekly) == (
        again.counts,
        again.hist,
        again.kept.weekly,
    )


# --- today's hours ----------------------------------------------------------------------

# A Tuesday afternoon in Wuppertal: today's completed hours are 0:00–13:00 (13:00 ended
# 25 minutes ago), the running hour is 14:00.
CLOCK = datetime(2026, 11, 24, 14, 25, tzinfo=LOCAL_TZ).astimezone(UTC)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def clock(monkeypatch):
    """The marks and the figures read ``CLOCK`` as the time now."""
    monkeypatch.setattr("zentrum.models.base.utcnow", lambda: CLOCK)
    monkeypatch.setattr("zentrum.services.intake.utcnow", lambda: CLOCK)
    forget_kept()
    yield CLOCK
    forget_kept()


def _hour_valid(session, hour) -> bool | None:
    session.expire_all()
    return session.scalar(sa.select(ReportHour.valid).where(ReportHour.hour == hour))


def _raw(session, period) -> Figures:
    counted = Figures()
    for kind, partner_id, key, week, n in raw_rows(session, [(period.start, period.end)]):
        counted.add(kind, partner_id, key, week, n)
    return counted


def test_refresh_builds_todays_completed_hours_whatever_its_limit_and_drops_them_next_day(
    session, cases, clock
):
    cases(at=OLD)
    cases(at=_at(11, 25))
    cases(at=_at(14, 5))
    built = refresh(session, CLOCK, limit=0)
    # Every hour of today that ended 10 minutes ago or earlier, oldest first; no week or
    # day (the limit is 0), not the running hour.
    assert built == [("hour", _at(h)) for h in range(14)]
    assert _hour_valid(session, _at(13)) is True and _hour_valid(session, _at(14)) is None
    assert refresh(session, CLOCK, limit=0) == []
    # Ended only 5 minutes ago: not yet.
    assert ("hour", _at(14)) not in refresh(session, _at(15, 5), limit=0)
    assert ("hour", _at(14)) in refresh(session, _at(15, 10), limit=0)
    # The next day, yesterday's hours are gone (their day is summed instead).
    refresh(session, CLOCK + timedelta(days=1), limit=0)
    left = session.scalar(
        sa.select(sa.func.count()).select_from(ReportHour).where(ReportHour.hour < _at(23))
    )
    assert left == 0
    assert (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(ReportHourCube)
            .where(ReportHourCube.hour < _at(23))
        )
        == 0
    )


def test_today_comes_from_its_hours_and_only_the_running_hour_from_the_rows(
    session, cases, users, clock
):
    advisor = users("advisor", partner="ihk")
    advisor_id = advisor.id
    for hour, minute in ((8, 5), (9, 40), (11, 25), (13, 50), (14, 10)):
        case = cases(consents=["ihk"], at=_at(hour, minute))
        offer = cases.offer(case, "ihk", at=_at(hour, minute + 3))
        if hour < 12:
            accepted = min(_at(hour + 2, minute), CLOCK)
            case = session.get(Case, case.id)
            accept_offer(session, session.get(User, advisor_id), accepted, case, offer.id)
            session.commit()
    refresh(session, CLOCK)
    period = Period(local_date(CLOCK), local_date(CLOCK))
    figures = period_figures(session, period)
    # Counted from the rows: the running hour alone; the hours before came from their sums,
    # waits and all, beside what the request counted (no part of the kept sums).
    assert figures.summed_ranges == [(period.start, _at(14))] and figures.kept_ranges == []
    ihk_week = (cases.partner_id("ihk"), week_of(CLOCK))
    accepted = session.scalars(
        sa.select(Handover.wait_business_seconds).where(Handover.status == "accepted")
    )
    assert figures.fresh.values["work"][ihk_week] == sorted(accepted)
    raw = _raw(session, period)
    assert figures.counts == raw.counts and figures.hist == raw.hist
    assert sum(figures.counts["offer"].values()) == 5
    assert sum(figures.hist["work"][(cases.partner_id("ihk"), week_of(CLOCK))].values()) == 3
    # Kept: asked again, no hour's sums are read again.
    assert figures.kept is period_figures(session, period).kept


def test_a_change_to_an_earlier_hour_marks_it_stale_and_the_figures_follow(
    session, cases, users, clock, count_queries
):
    case = cases(consents=["ihk"], at=_at(11, 25))
    offer = cases.offer(case, "ihk", at=_at(11, 35))
    case_id, offer_id = case.id, offer.id
    refresh(session, CLOCK)
    assert _hour_valid(session, _at(11)) is True
    period = Period(local_date(CLOCK), local_date(CLOCK))
    before = period_figures(session, period)
    assert before.counts["offer"][(cases.partner_id("ihk"), "pending")] == 1

    accept_offer(
        session, users("advisor", partner="ihk"), CLOCK, session.get(Case, case_id), offer_id
    )
    session.commit()

    assert _hour_valid(session, _at(11)) is False and _hour_valid(session, _at(10)) is True
    after = period_figures(session, period)
    assert after.counts["offer"][(cases.partner_id("ihk"), "accepted")] == 1
    assert (after.counts, after.hist) == ((raw := _raw(session, period)).counts, raw.hist)
    stored = session.get(Handover, offer_id)
    assert after.fresh.values["work"][(stored.to_partner_id, week_of(CLOCK))] == [
        stored.wait_business_seconds
    ]
    assert refresh(session, CLOCK) == [("hour", _at(11))]
    rebuilt = period_figures(session, period)
    assert (rebuilt.counts, rebuilt.hist) == (after.counts, after.hist)

    # A first contact (through the ORM's flush) marks the hour the case was recorded in.
    row = session.get(Case, case_id)
    row.first_contact_at = CLOCK
    row.contact_seconds = row.contact_business_seconds = 600
    session.commit()
    assert _hour_valid(session, _at(11)) is False
    # An enquiry of the running hour writes no mark.
    session.remove()
    with count_queries() as statements:
        cases(at=_at(14, 20))
    assert not [s for s in statements if "report_hours" in s]


def test_an_hour_summed_again_leaves_the_periods_kept_sums_as_they_are(
    session, cases, users, clock, count_queries
):
    from zentrum.services.dashboard import build_dashboard

    advisor_id = users("advisor", partner="ihk").id
    # Offers of the last two weeks, accepted: kept sums of weeks and days; one offer of
    # today's 11 o'clock hour still pending.
    for n in range(12):
        case = cases(consents=["ihk"], at=CLOCK - timedelta(days=1 + n, hours=n))
        offer = cases.offer(case, "ihk", at=case.created_at + timedelta(minutes=5))
        answered = offer.offered_at + timedelta(minutes=20 + 37 * n)
        accept_offer(session, session.get(User, advisor_id), answered, case, offer.id)
        session.commit()
    case = cases(consents=["ihk"], at=_at(11, 25))
    offer = cases.offer(case, "ihk", at=_at(11, 35))
    case_id, offer_id = case.id, offer.id
    refresh(session, CLOCK)
    period = Period(local_date(CLOCK) - timedelta(days=13), local_date(CLOCK))
    before = period_figures(session, period)
    assert before.kept_ranges and sum(before.kept.counts["offer"].values()) == 12
    build_dashboard(session, period, None, CLOCK)

    accept_offer(
        session, session.get(User, advisor_id), _at(12, 10), session.get(Case, case_id), offer_id
    )
    session.commit()
    assert refresh(session, CLOCK) == [("hour", _at(11))]  # a new build, a new token
    with count_queries() as statements:
        after = period_figures(session, period)
        dashboard = build_dashboard(session, period, None, CLOCK)
    # The weeks' and days' sums as they were kept, not added up or read again: only the
    # hour summed anew is read, and its wait is in hand like the rows a request counts.
    assert after.kept is before.kept
    sums = [s for s in statements if "report_cube" in s or "report_day_cube" in s]
    assert not sums and len([s for s in statements if "report_hour_cube" in s]) == 1
    ihk = cases.partner_id("ihk")
    stored = session.get(Handover, offer_id)
    assert after.fresh.values["work"][(ihk, week_of(CLOCK))] == [stored.wait_business_seconds]
    assert after.counts["offer"][(ihk, "accepted")] == 13
    # What a process that kept nothing works out: the same.
    forget_kept()
    assert build_dashboard(session, period, None, CLOCK) == dashboard
    raw = _raw(session, period)
    assert after.counts == raw.counts
    # (Completed weeks keep their working-time histograms added up, without the week.)
    for metric in ("wall", "intake_work", "contact_wall"):
        assert after.hist[metric] == raw.hist[metric]


def test_a_day_rebuilt_leaves_what_the_weekly_chart_read_of_a_completed_week(
    session, cases, users, clock, count_queries
):
    from zentrum.services.dashboard import build_dashboard

    advisor_id = users("advisor", partner="ihk").id
    # Last week (16–22 Nov): three offers accepted, one still waiting – the weekly chart
    # ranks that week's stored waits with the waiting one.
    for n in range(4):
        at = datetime(2026, 11, 17 + n, 9, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
        case = cases(consents=["ihk"], at=at)
        offer = cases.offer(case, "ihk", at=at + timedelta(minutes=5))
        if n < 3:
            answered = offer.offered_at + timedelta(minutes=40 + 25 * n)
            accept_offer(session, session.get(User, advisor_id), answered, case, offer.id)
            session.commit()
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
    cases(at=monday)  # a day of the running week, summed by the day
    refresh(session, CLOCK)
    period = Period(local_date(CLOCK) - timedelta(days=27), local_date(CLOCK))
    first = build_dashboard(session, period, None, CLOCK)
    assert first.weekly[(cases.partner_id("ihk"), date(2026, 11, 16))].median is not None
    # Monday summed up again (a new token): the period's sums are added up anew, but the
    # stored waits of last week are still those read.
    day = local_date(monday)
    session.execute(sa.update(ReportDay).where(ReportDay.day == day).values(token=12345))
    session.commit()
    with count_queries() as statements:
        again = build_dashboard(session, period, None, CLOCK)
    assert [s for s in statements if "report_day_cube" in s]
    assert not [s for s in statements if "offered_week =" in s]
    assert again == first
