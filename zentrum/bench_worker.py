"""The measuring half of ``zentrum bench``: one fresh process, like an app-server worker.

Run by ``zentrum.bench_pages`` as ``python -m zentrum.bench_worker URL REPEAT``; prints one
line of JSON with every page's timings, its statements and this process's peak memory.
``python -m zentrum.bench_worker intakes URL SECONDS WORKER START_AT`` is one of several
processes posting enquiries at the same time (the intake rate of several app workers).
"""

import json
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from zentrum.bench_pages import BENCH_PASSWORD, POST_REPEAT, PageTiming, bench_app
from zentrum.serving import settle_worker


def _namesakes(session, partner_id: int) -> list[dict]:
    """Enquiries for as many people of one new name as a search lists (born on different
    days, so each is a new person): a name that finds a full page at every size. Each
    consents to ``partner_id``, the partner whose queue is measured."""
    from zentrum.services.cases import SEARCH_LIMIT

    forms = _fresh_forms(session, SEARCH_LIMIT, worker=8)
    for number, form in enumerate(forms):
        form["first_name"] = forms[0]["first_name"]
        form["last_name"] = "Namensvetter"
        form["birth_date"] = (date(2008, 1, 1) + timedelta(days=number)).isoformat()
        form["consents"] = [str(partner_id)]
    return forms


def _offer(client, case_id: int, partner_id: int) -> None:
    """Offer a case to a partner as the front desk does (whatever the rules suggest)."""
    form = {"offer-partner": str(partner_id), "offer-override_reason": "Benchmark: Eingang"}
    if client.post(f"/faelle/{case_id}/anbieten", data=form).status_code != 302:
        raise RuntimeError(f"offering case {case_id} failed")


def _targets(session) -> dict:
    """What to ask for: the long case, its partner's advisor, a name and a reference."""
    from zentrum.bench_history import LONG_HISTORY
    from zentrum.models import Case, CaseEvent, CaseMember, Handover, Partner, Person

    long_case = session.scalar(
        sa.select(CaseEvent.case_id)
        .group_by(CaseEvent.case_id)
        .having(sa.func.count() == LONG_HISTORY)
        .order_by(CaseEvent.case_id.desc())
        .limit(1)
    )
    case = session.get(Case, long_case)
    code = session.scalar(sa.select(Partner.code).where(Partner.id == case.holder_partner_id))
    # The middle of the seeded cases (the long case is among the newest of them): the same
    # case however many enquiries earlier runs on a reused database added after them.
    middle = long_case // 2
    person = session.scalar(
        sa.select(Person)
        .join(CaseMember, CaseMember.person_id == Person.id)
        .where(CaseMember.case_id == middle, CaseMember.role == "young_person")
    )
    reference = session.scalar(sa.select(Case.reference).where(Case.id == middle))
    # The lists are paged (25 rows): their advisor works for the partner with the most
    # open offers, so that every size shows full pages, not one row at 10,000 cases.
    busiest = session.scalar(
        sa.select(Partner.code)
        .join(Handover, Handover.to_partner_id == Partner.id)
        .where(Handover.status == "pending")
        .group_by(Partner.code)
        .order_by(sa.func.count().desc(), Partner.code)
        .limit(1)
    )
    lists_code = busiest or code
    return {
        "case": long_case,
        "advisor": f"bench-{code}",
        "lists_advisor": f"bench-{lists_code}",
        "lists_partner": session.scalar(sa.select(Partner.id).where(Partner.code == lists_code)),
        "name": f"{person.first_name} {person.last_name}",
        "reference": reference,
    }


def _login(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": BENCH_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return client


def _intake_poster(app, client):
    """Post an enquiry as a browser does: with the session cookie the user holds between
    enquiries. The browser follows the redirect and the next page takes the "saved" message
    out of the cookie; the benchmark does not follow, so it puts back the cookie it had
    after the login (otherwise thousands of messages pile up in the cookie and every
    request signs and parses them)."""
    name = app.config["SESSION_COOKIE_NAME"]
    held = client.get_cookie(name).value

    def post(form: dict):
        client.set_cookie(name, held)
        return client.post("/anliegen/neu", data=form)

    return post


def _intake_form(session, number: int) -> dict:
    """A new enquiry; the letters make every name new, so no known person is offered."""
    from zentrum.models import Partner, Topic

    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += chr(ord("a") + digit)
        if not number:
            break
    return {
        "first_name": "Bench" + letters,
        "last_name": "Neuaufnahme",
        "birth_date": "2008-03-14",
        "district": "barmen",
        "language": "de",
        "topics": [str(session.scalar(sa.select(Topic.id).order_by(Topic.sort_order)))],
        "description": "Sucht einen Ausbildungsplatz.",
        "channel": "walk_in",
        "urgency": "normal",
        "consents": [str(session.scalar(sa.select(Partner.id).where(Partner.code == "ihk")))],
        "consent_given_by": "young_person",
        "consent_categories": ["master_data", "contact"],
        "consent_purpose": "Beratung und Vermittlung zum Anliegen im Zentrum Zukunft Wuppertal",
        "save": "1",
    }


def _rows(client, path: str) -> int:
    """How many rows the list at ``path`` shows (a page holds at most 25)."""
    page = client.get(path).get_data(as_text=True)
    return max(0, page.count("<tr") - page.count("<thead"))


def _hits(client, query: str) -> int:
    """How many cases the search page lists for ``query``."""
    page = client.get("/faelle/suche", query_string={"q": query}).get_data(as_text=True)
    return page.count('<td class="nowrap"><a href="/faelle/')


def _fresh_forms(session, count: int, worker: int = 0) -> list[dict]:
    """``count`` enquiries with names never used before on this database, also when it is
    measured again (``--reuse``): numbered from above the highest person id."""
    from zentrum.models import Person

    base = ((session.scalar(sa.select(sa.func.max(Person.id))) or 0) + worker) * 1_000_000
    return [_intake_form(session, base + i) for i in range(count)]


def _unkept(get, path: str, newest_parts: int | None = None, grain: str = "day"):
    """A request after the process has dropped the report sums it keeps: all of them, or
    the newest day's or hour's and what was added up from them (as after a rebuild of
    that day or hour)."""
    from zentrum.services.report_cube import forget_kept

    forget_kept(newest_parts, grain)
    return get(path)


def _time(app, client, page: str, request, repeat: int, expect: int) -> PageTiming:
    """One warm-up request (its statements counted), then ``repeat`` on the clock."""
    from zentrum.bench_timing import counting_statements
    from zentrum.extensions import db

    with app.app_context():
        engine = db.engine
    with counting_statements(engine) as sent:
        status = request(client, 0).status_code
    if status != expect:
        raise RuntimeError(f"{page}: answered {status}, expected {expect}")
    millis, cpu = [], []
    for i in range(1, repeat + 1):
        started, used = time.perf_counter(), time.process_time()
        response = request(client, i)
        millis.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
        if response.status_code != expect:
            raise RuntimeError(f"{page}: answered {response.status_code}, expected {expect}")
    return PageTiming(page, millis, len(sent), cpu)


def measure(url: str, repeat: int) -> dict:
    """Log in as the benchmark users and time every page; the child's whole job."""
    from zentrum.extensions import db

    app = bench_app(url)
    settle_worker(app)  # as gunicorn's post_worker_init does
    with app.app_context():
        targets = _targets(db.session)
        forms = _fresh_forms(db.session, POST_REPEAT + 1)
        db.session.remove()
    advisor = _login(app, targets["advisor"])
    lists = _login(app, targets["lists_advisor"])
    frontdesk = _login(app, "bench-empfang")
    post_intake = _intake_poster(app, frontdesk)
    supervisor = _login(app, "bench-leitung")
    case_url = f"/faelle/{targets['case']}"
    # The seeded names repeat (300 first names x 300 last names): the middle case's name
    # finds ~1 case at 10,000 and up to a full page (50) at 1,000,000. New people
    # (untimed) give names that find exactly one case and a full page at every size.
    with app.app_context():
        unique = _fresh_forms(db.session, 1, worker=9)[0]
        namesakes = _namesakes(db.session, targets["lists_partner"])
        page_size = app.config["PAGE_SIZE"]
        db.session.remove()
    recorded = []
    for form in [unique, *namesakes]:
        response = frontdesk.post("/anliegen/neu", data=form)
        if response.status_code != 302:
            raise RuntimeError("the search targets' intake failed")
        recorded.append(int(response.location.split("#")[0].rstrip("/").rsplit("/", 1)[1]))
    # At 10,000 cases the busiest partner has a handful of open offers: a page's worth
    # more (untimed) gives its queue full pages at every size, as at a million.
    for case_id in recorded[1 : 1 + page_size]:
        _offer(frontdesk, case_id, targets["lists_partner"])
    unique_name = f"{unique['first_name']} {unique['last_name']}"
    common_name = f"{namesakes[0]['first_name']} {namesakes[0]['last_name']}"
    hits = _hits(frontdesk, targets["name"])
    if _hits(frontdesk, unique_name) != 1:
        raise RuntimeError(f"{unique_name} should find exactly one case")
    if _hits(frontdesk, common_name) != len(namesakes):
        raise RuntimeError(f"{common_name} should find {len(namesakes)} cases")
    pages = [
        (
            f"Eingang ({_rows(lists, '/eingang')} Zeilen)",
            lists,
            lambda c, _i: c.get("/eingang"),
            repeat,
            200,
        ),
        (
            f"Meine Fälle ({_rows(lists, '/meine-faelle')} Zeilen)",
            lists,
            lambda c, _i: c.get("/meine-faelle"),
            repeat,
            200,
        ),
        ("Fall (100 Einträge)", advisor, lambda c, _i: c.get(case_url), repeat, 200),
        (
            "Suche Name (eindeutig)",
            frontdesk,
            lambda c, _i: c.get("/faelle/suche", query_string={"q": unique_name}),
            repeat,
            200,
        ),
        (
            f"Suche Name ({len(namesakes)} Gleichnamige)",
            frontdesk,
            lambda c, _i: c.get("/faelle/suche", query_string={"q": common_name}),
            repeat,
            200,
        ),
        (
            f"Suche Name (gesät, {hits} Treffer)",
            frontdesk,
            lambda c, _i: c.get("/faelle/suche", query_string={"q": targets["name"]}),
            repeat,
            200,
        ),
        (
            "Suche Aktenzeichen",
            frontdesk,
            lambda c, _i: c.get("/faelle/suche", query_string={"q": targets["reference"]}),
            repeat,
            200,
        ),
        ("Startseite", frontdesk, lambda c, _i: c.get("/"), repeat, 200),
        (
            "Anliegen POST",
            frontdesk,
            lambda _c, i: post_intake(forms[i]),
            POST_REPEAT,
            302,
        ),
        ("Dashboard", supervisor, lambda c, _i: c.get("/leitung/"), repeat, 200),
        # After a rebuild of one day (yesterday): the period's sums added up again from
        # the kept weeks and days, that day read, the percentiles' rows read.
        (
            "Dashboard (ein Tag neu gebaut)",
            supervisor,
            lambda c, _i: _unkept(c.get, "/leitung/", newest_parts=1),
            repeat,
            200,
        ),
        # After the newest of today's hours was summed up (every quarter of an hour) or
        # an earlier hour marked stale (an offer of that hour answered): that hour read,
        # today's hours added up again; the period's kept sums stay as they are.
        (
            "Dashboard (eine Stunde neu gebaut)",
            supervisor,
            lambda c, _i: _unkept(c.get, "/leitung/", newest_parts=1, grain="hour"),
            repeat,
            200,
        ),
        # Nothing kept, all read: a worker's first dashboard of a period other than the
        # one it worked out when it started (gunicorn's post_worker_init).
        (
            "Dashboard (Prozessstart)",
            supervisor,
            lambda c, _i: _unkept(c.get, "/leitung/"),
            repeat,
            200,
        ),
    ]
    # Today's hours that ended since the seeding summed up, as ``zentrum escalate`` does
    # every quarter of an hour.
    with app.app_context():
        from zentrum.models.base import utcnow
        from zentrum.services.report_cube import refresh

        refresh(db.session, utcnow(), limit=4)
        db.session.remove()
    # A dashboard earlier in the day: the process keeps the sums it read (the row after
    # "Dashboard" drops them before every request).
    if supervisor.get("/leitung/").status_code != 200:
        raise RuntimeError("the first dashboard failed")
    timings = [
        _time(app, client, page, request, count, expect)
        for page, client, request, count, expect in pages
    ]
    with app.app_context():
        today = _today(db.session)
        db.session.remove()
        db.engine.dispose()
    return {
        "pages": [[t.page, t.millis, t.statements, t.cpu] for t in timings],
        "peak_mib": peak_mib(),
        "load": os.getloadavg()[0],
        "targets": targets,
        "today": today,
    }


def _today(session) -> list[int]:
    """Today's volume (it grows with a city's daily volume, not with the years kept):
    today's enquiries, today's offers and the offers still open (the dashboard reads
    those from the rows on every request); and the enquiries and offers of today that
    it counts from the rows, those outside the summed hours (the running hour)."""
    from zentrum.domain.clock import local_date, start_of_local_day
    from zentrum.models import Case, Handover
    from zentrum.models.base import utcnow
    from zentrum.services.periods import Period
    from zentrum.services.report_cube import period_figures
    from zentrum.services.reports import in_ranges

    now = utcnow()
    since = start_of_local_day(now)
    summed = period_figures(session, Period(local_date(now), local_date(now))).summed_ranges
    count = sa.func.count()

    def outside(column):
        return sa.not_(in_ranges(column, summed))

    return [
        session.scalar(sa.select(count).where(Case.created_at >= since)),
        session.scalar(sa.select(count).where(Handover.offered_at >= since)),
        session.scalar(sa.select(count).where(Handover.status == "pending")),
        session.scalar(sa.select(count).where(Case.created_at >= since, outside(Case.created_at))),
        session.scalar(
            sa.select(count).where(Handover.offered_at >= since, outside(Handover.offered_at))
        ),
    ]


def intake_rate(url: str, seconds: float, worker: int, start_at: float) -> dict:
    """Post new enquiries for ``seconds`` from the wall-clock moment ``start_at`` on, as
    one of several worker processes at once; count the confirmed ones (redirects)."""
    from zentrum.extensions import db

    app = bench_app(url)
    settle_worker(app)  # as gunicorn's post_worker_init does
    with app.app_context():
        forms = _fresh_forms(db.session, int(seconds * 1000), worker + 1)
        db.session.remove()
    post_intake = _intake_poster(app, _login(app, "bench-empfang"))
    time.sleep(max(0.0, start_at - time.time()))
    started, used = time.time(), time.process_time()
    done = refused = 0
    while time.time() < started + seconds:
        if post_intake(forms[done + refused]).status_code == 302:
            done += 1
        else:
            refused += 1
    with app.app_context():
        db.engine.dispose()
    return {
        "done": done,
        "refused": refused,
        "started": started,
        "ended": time.time(),
        "cpu": time.process_time() - used,
    }


def peak_mib() -> float:
    """This process's peak resident memory in MiB.

    Linux's VmHWM starts afresh with every exec; ``ru_maxrss`` would keep the parent's
    peak (the seeding's), which Linux carries across fork and exec.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    if sys.argv[1] == "intakes":
        url, seconds, worker, start_at = sys.argv[2:6]
        print(json.dumps(intake_rate(url, float(seconds), int(worker), float(start_at))))
    else:
        print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
