"""A busy morning at the Zentrum Zukunft: 20 front-desk users, 150 advisors, 5 supervisors.

Run through ``benchmarks/loadtest.sh`` (it prepares the database, the users and the file
named by ``ZENTRUM_LOAD_SETUP``). Every user logs in through the login form and works
with CSRF tokens like a browser. Request names are fixed (``intake``, ``accept`` …) so
that ``benchmarks/load_check.py`` can compare what the server confirmed with the rows.

An accept that another advisor won first answers 409 and counts as ``accept (taken)``,
not as an error: that is the rule working, not a fault.
"""

import json
import os
import random
import re
import secrets

from locust import HttpUser, between, events, task

with open(os.environ.get("ZENTRUM_LOAD_SETUP", "/tmp/zentrum-load.json")) as setup:  # noqa: PTH123
    SETUP = json.load(setup)
PASSWORD = SETUP["password"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CASE_LINK = re.compile(r'href="/faelle/(\d+)"')
ACCEPT = re.compile(r'action="/faelle/(\d+)/angebote/(\d+)/annehmen"')
# The note form ticks "intern" in advance where the rules want it (the Jugendamt, § 65
# SGB VIII: a shared note needs an approved legal basis); the load test keeps the tick.
INTERNAL_TICKED = re.compile(
    r'<input[^>]*\bchecked\b[^>]*name="note-internal"|<input[^>]*name="note-internal"[^>]*\bchecked\b'
)
SURNAMES = ("Schmitz", "Yilmaz", "Müller", "Nowak", "Becker", "Hoffmann", "Kaya", "Wagner")


_ENVIRONMENT = {}


@events.init.add_listener
def _remember(environment, **_kwargs):
    _ENVIRONMENT["env"] = environment


@events.quit.add_listener
def _final_stats(**_kwargs):
    """Write the final figures after every user finished (locust's CSV is written before)."""
    path = os.environ.get("ZENTRUM_LOAD_STATS")
    runner = _ENVIRONMENT["env"].runner
    if not path or runner is None:
        return
    stats = runner.stats

    def figures(entry):
        return {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "rps": entry.total_rps,
        }

    found = {entry.name: figures(entry) for entry in stats.entries.values()}
    found["Aggregated"] = figures(stats.total)
    with open(path, "w") as out:  # noqa: PTH123
        json.dump(found, out)


class _Staff(HttpUser):
    """Logs in once with a user of its kind and keeps the CSRF token of its session."""

    abstract = True
    kind = ""
    wait_time = between(1, 4)

    def on_start(self):
        self.username = SETUP["users"][self.kind].pop()
        page = self.client.get("/login", name="login form").text
        response = self.client.post(
            "/login",
            data={
                "csrf_token": CSRF.search(page)[1],
                "username": self.username,
                "password": PASSWORD,
            },
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login {self.username}: {response.status_code}")
        self.csrf = None

    def token(self, page: str) -> str:
        found = CSRF.search(page)
        if found:
            self.csrf = found[1]
        return self.csrf


class FrontDesk(_Staff):
    """Records enquiries and offers them on; looks people up."""

    weight = 20
    kind = "frontdesk"

    @task(3)
    def intake(self):
        form = self.client.get("/anliegen/neu", name="intake form").text
        data = {
            "csrf_token": self.token(form),
            "first_name": "Last" + secrets.token_hex(4),
            "last_name": random.choice(SURNAMES),
            "birth_date": f"{random.randint(1999, 2010)}-0{random.randint(1, 9)}-{random.randint(10, 28)}",
            "district": "barmen",
            "language": "de",
            "topics": [str(random.choice(SETUP["topics"]))],
            "description": "Lasttest: sucht Beratung.",
            "channel": "walk_in",
            "urgency": "normal",
            "consents": [str(p) for p in SETUP["partners"]],
            "consent_given_by": "young_person",  # born 2010 or earlier: 15 or older
            "consent_categories": ["master_data", "contact"],
            "consent_purpose": "Beratung und Vermittlung zum Anliegen im Zentrum Zukunft Wuppertal",
            "person_choice": "new",
            "save": "1",
        }
        with self.client.post(
            "/anliegen/neu", data=data, name="intake", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"intake answered {response.status_code}")
                return
        case_id = re.search(r"/faelle/(\d+)", response.headers["Location"])[1]
        with self.client.post(
            f"/faelle/{case_id}/anbieten",
            data={
                "csrf_token": self.csrf,
                "offer-partner": str(random.choice(SETUP["partners"])),
                "offer-override_reason": "Lasttest",
            },
            name="offer",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"offer answered {response.status_code}")

    @task(2)
    def search(self):
        self.client.get(
            "/faelle/suche", params={"q": random.choice(SURNAMES)}, name="search by name"
        )

    @task(1)
    def start_page(self):
        self.client.get("/", name="start page")


class Advisor(_Staff):
    """Works the partner's queue: opens offered cases, accepts, writes notes."""

    weight = 150
    kind = "advisor"

    @task(4)
    def work_the_queue(self):
        queue = self.client.get("/eingang", name="queue").text
        links = CASE_LINK.findall(queue)
        if not links:
            return
        case_id = random.choice(links[:5])
        page = self.client.get(f"/faelle/{case_id}", name="case page").text
        self.token(page)
        offer = ACCEPT.search(page)
        if not offer:
            return
        with self.client.post(
            f"/faelle/{case_id}/angebote/{offer[2]}/annehmen",
            data={"csrf_token": self.csrf},
            name="accept",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                response.success()
                response.request_meta["name"] = "accept (taken)"
                return
            if response.status_code != 302:
                response.failure(f"accept answered {response.status_code}")
                return
        self._note(case_id, page)

    def _note(self, case_id, page):
        data = {"csrf_token": self.csrf, "note-body": "Erstgespräch vereinbart (Lasttest)."}
        if INTERNAL_TICKED.search(page):
            data["note-internal"] = "y"
        with self.client.post(
            f"/faelle/{case_id}/notizen",
            data=data,
            name="note",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"note answered {response.status_code}")

    @task(2)
    def my_cases(self):
        page = self.client.get("/meine-faelle", name="my cases").text
        links = CASE_LINK.findall(page)
        if links:
            self.client.get(f"/faelle/{random.choice(links)}", name="case page")


class Supervisor(_Staff):
    """Reads the dashboard and drills down."""

    weight = 5
    kind = "supervisor"
    wait_time = between(3, 8)

    @task(2)
    def dashboard(self):
        self.client.get("/leitung/", name="dashboard")

    @task(1)
    def drill_down(self):
        self.client.get("/leitung/uebergaben", name="drill-down")
