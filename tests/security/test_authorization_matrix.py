"""Every route × every role × own and foreign case, generated from ``app.url_map``.

A new route is covered without anyone remembering it: the test fails until
its expected outcomes are written into ``EXPECTED`` below, and a URL parameter
that ``PARAMS`` cannot fill fails too. The app runs with CSRF protection on and
the requests carry a valid token, so what is checked is authorization; a second
test checks that every POST refuses a missing token.

Outcomes: an HTTP status, or ``LOGIN`` for the redirect to the login page.
``OK_POST`` (302 elsewhere than the login page) means the action was done.
"""

from datetime import date
from urllib.parse import urlsplit

import pyotp
import pytest

from tests.conftest import make_app
from tests.factories import PASSWORD, SECRET_ON_PAGE
from tests.security import stats
from tests.security.routes import ROUTES, fill, log_in
from tests.security.world import ADVISORS, ROLES, row_counts
from zentrum.extensions import db

LOGIN = "login"  # 302 to /login
OK_POST = 302  # done, back to a page


def row(*outcomes) -> dict:
    """One table row: the outcomes in the order of ``ROLES``."""
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


# fmt: off
# The expected outcome per endpoint and method, for the OWN case where the route has one.
# Roles:          anonymous frontdesk holder involved foreign supervisor admin
# ("holder"/"involved": advisor of the partner that holds / was offered and referred the
# case; "foreign": an advisor whose partner has nothing to do with it).
# On the FOREIGN case every advisor gets 404 (unless the role may not use the route at all:
# 403 comes first) and everyone else what they get on the own one (they see every case,
# and the foreign cases mirror the own ones).
# 409 is the lifecycle's refusal ("only who holds the case can do that", "the supervisors
# only read"), shown on the case page; 403 is a role without access to the page at all.
EXPECTED: dict[tuple[str, str], dict] = {
    ("auth.login", "GET"):          row(200, 200, 200, 200, 200, 200, 200),
    ("auth.login", "POST"):         row(422, 422, 422, 422, 422, 422, 422),
    ("auth.logout", "POST"):        row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ("intake.start", "GET"):        row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("intake.new", "GET"):          row(LOGIN, 200, 403, 403, 403, 403, 403),
    ("intake.new", "POST"):         row(LOGIN, OK_POST, 403, 403, 403, 403, 403),
    ("cases.search", "GET"):        row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("cases.show", "GET"):          row(LOGIN, 200, 200, 200, 404, 200, 200),
    ("cases.offer", "POST"):        row(LOGIN, 409, OK_POST, 409, 404, 409, 409),
    ("cases.accept", "POST"):       row(LOGIN, 409, 409, OK_POST, 404, 409, 409),
    ("cases.decline", "POST"):      row(LOGIN, 409, 409, OK_POST, 404, 409, 409),
    ("cases.withdraw", "POST"):     row(LOGIN, 409, OK_POST, 409, 404, 409, 409),
    ("cases.refer", "POST"):        row(LOGIN, 409, OK_POST, 409, 404, 409, 409),
    ("cases.accept_referral", "POST"):  row(LOGIN, 409, 409, OK_POST, 404, 409, 409),
    ("cases.decline_referral", "POST"): row(LOGIN, 409, 409, OK_POST, 404, 409, 409),
    ("cases.end_referral", "POST"): row(LOGIN, 409, OK_POST, OK_POST, 404, 409, 409),
    ("cases.reassign", "POST"):     row(LOGIN, 409, OK_POST, 409, 404, 409, 409),
    ("cases.first_contact", "POST"): row(LOGIN, 409, OK_POST, 409, 404, 409, 409),
    ("cases.close", "POST"):        row(LOGIN, 409, OK_POST, 409, 404, 409, 409),
    ("cases.reopen", "POST"):       row(LOGIN, 409, OK_POST, 409, 404, 409, 409),
    ("cases.add_note", "POST"):     row(LOGIN, OK_POST, OK_POST, OK_POST, 404, 409, OK_POST),
    ("queues.inbox", "GET"):        row(LOGIN, 403, 200, 200, 200, 403, 403),
    ("queues.mine", "GET"):         row(LOGIN, 403, 200, 200, 200, 403, 403),
    ("reports.dashboard", "GET"):   row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("reports.handovers", "GET"):   row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("exports.figures_as_csv", "GET"):    row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("exports.figures_as_xlsx", "GET"):   row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("exports.handovers_as_csv", "GET"):  row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("exports.handovers_as_xlsx", "GET"): row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("admin.rules", "GET"):         row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.new_rule", "GET"):      row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.new_rule", "POST"):     row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.edit_rule", "GET"):     row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.edit_rule", "POST"):    row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.enable_rule", "POST"):  row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.disable_rule", "POST"): row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.partners", "GET"):      row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.edit_partner", "GET"):  row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.edit_partner", "POST"): row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    # The second login step: without a pending login (password given) it starts again.
    ("auth.code", "GET"):           row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ("auth.code", "POST"):          row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ("auth.enrol", "GET"):          row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ("auth.enrol", "POST"):         row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    # Mein Konto: everyone's own. Who has a second factor (the foreign advisor, the
    # supervisor, the admin) is sent from its set-up back to the account page (302); the
    # roles that must use one may not switch it off (403).
    ("account.overview", "GET"):    row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("account.password", "GET"):    row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("account.password", "POST"):   row(LOGIN, OK_POST, OK_POST, OK_POST, OK_POST, OK_POST, OK_POST),
    ("account.enrol", "GET"):       row(LOGIN, 200, 200, 200, 302, 302, 302),
    ("account.enrol", "POST"):      row(LOGIN, OK_POST, OK_POST, OK_POST, OK_POST, OK_POST, OK_POST),
    ("account.disable_factor", "POST"): row(LOGIN, OK_POST, OK_POST, OK_POST, OK_POST, 403, 403),
    ("language.choose", "GET"):     row(LOGIN, 200, 200, 200, 200, 200, 200),
    ("language.choose", "POST"):    row(LOGIN, OK_POST, OK_POST, OK_POST, OK_POST, OK_POST, OK_POST),
    # The duplicate hint of the intake form (see the report: the admin may ask, though the
    # intake form itself is the front desk's only).
    ("intake.persons", "GET"):      row(LOGIN, 200, 403, 403, 403, 403, 200),
    # Print views: what the case page shows the same person. The handover sheet is the
    # open offer from the holder to the involved partner: both may print it.
    ("cases.print_summary", "GET"): row(LOGIN, 200, 200, 200, 404, 200, 200),
    ("cases.print_handover", "GET"): row(LOGIN, 200, 200, 200, 404, 200, 200),
    ("cases.print_consent", "GET"): row(LOGIN, 200, 200, 200, 404, 200, 200),
    # Consents and legal bases (services/consents.py): the front desk and involved advisors
    # record; supervisors only read, but may ask for a legal basis and decide one that
    # somebody else asked for (four eyes); admins only read. The revocation page is the
    # front desk's and the advisors' only (403 before anything else), like the page to record
    # a consent; the page to ask for a legal basis is the supervisors' too.
    ("cases.record_consent", "GET"):  row(LOGIN, 200, 200, 200, 404, 403, 403),
    ("cases.record_consent", "POST"): row(LOGIN, OK_POST, OK_POST, OK_POST, 404, 409, 409),
    ("cases.revoke_consent", "GET"):  row(LOGIN, 200, 200, 200, 404, 403, 403),
    ("cases.revoke_consent", "POST"): row(LOGIN, OK_POST, OK_POST, OK_POST, 404, 403, 403),
    ("cases.request_basis", "GET"):   row(LOGIN, 200, 200, 200, 404, 200, 403),
    ("cases.request_basis", "POST"):  row(LOGIN, OK_POST, OK_POST, OK_POST, 404, OK_POST, 409),
    ("cases.decide_basis", "POST"):   row(LOGIN, 409, 409, 409, 404, OK_POST, 409),
    # The audit log (Protokoll) and the record of processing: supervisors and admins;
    # subject access (Auskunft): admins only.
    ("audit.log", "GET"):           row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("audit.case_access", "GET"):   row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("audit.person_access", "GET"): row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("privacy.records", "GET"):     row(LOGIN, 403, 403, 403, 403, 200, 200),
    ("privacy.subject_access", "GET"): row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("privacy.subject_page", "GET"):   row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("privacy.subject_json", "GET"):   row(LOGIN, 403, 403, 403, 403, 403, 200),
    # User management: admins only. A password reset shows the new password once (200).
    ("admin.users", "GET"):           row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.new_user", "GET"):        row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.new_user", "POST"):       row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.edit_user", "GET"):       row(LOGIN, 403, 403, 403, 403, 403, 200),
    ("admin.change_role", "POST"):    row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.deactivate_user", "POST"): row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.reactivate_user", "POST"): row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.reset_factor", "POST"):   row(LOGIN, 403, 403, 403, 403, 403, OK_POST),
    ("admin.reset_password", "POST"): row(LOGIN, 403, 403, 403, 403, 403, 200),
}
# fmt: on

# Valid form data per POST endpoint, so that an allowed role's request really acts.
FORM_DATA = {
    "intake.new": lambda w, side: {
        "first_name": "Neu",
        "last_name": "Person",
        "birth_date": "2008-03-01",
        "topics": "1",
        "channel": "walk_in",
        "urgency": "normal",
        "language": "de",
        "person_choice": "new",
    },
    "cases.offer": lambda w, side: {
        "offer-partner": w.partner_ids["zuwanderung"],
        "offer-override_reason": "Passt besser",
    },
    "cases.decline": lambda w, side: {"decline-reason": "no_capacity"},
    "cases.decline_referral": lambda w, side: {"decline-reason": "no_capacity"},
    "cases.refer": lambda w, side: {"refer-partner": w.partner_ids["zuwanderung"]},
    "cases.reassign": lambda w, side: {"reassign-user": w.colleague_id},
    "cases.close": lambda w, side: {"close-outcome": "advice_given"},
    "cases.reopen": lambda w, side: {"reopen-reason": "Neue Frage"},
    "cases.add_note": lambda w, side: {"note-body": "Eine Notiz"},
    "admin.new_rule": lambda w, side: {
        "partner_id": w.partner_ids["ihk"],
        "reason": "Neue Regel",
        "priority": "10",
    },
    "admin.edit_rule": lambda w, side: {
        "partner_id": w.partner_ids["ihk"],
        "reason": "Geänderte Regel",
        "priority": "10",
        "enabled": "y",
    },
    "admin.edit_partner": lambda w, side: {"target_hours": "10", "active": "y"},
    "account.password": lambda w, side: {
        "current": PASSWORD,
        "new": "Ganz-neues-Passwort-7",
        "repeat": "Ganz-neues-Passwort-7",
    },
    "account.disable_factor": lambda w, side: {"password": PASSWORD},
    "language.choose": lambda w, side: {"locale": "en"},
    "cases.record_consent": lambda w, side: {
        "consent-partner": w.partner_ids["jugendamt"],
        "consent-categories": ["master_data", "contact"],
        "consent-purpose": "Beratung zur Ausbildung",
        "consent-given_on": date.today().isoformat(),
        "consent-given_by": "young_person",
    },
    "cases.revoke_consent": lambda w, side: {
        "revoked_by": "young_person",
        "note": "Am Telefon erklärt",
        "confirm": "y",
    },
    "cases.request_basis": lambda w, side: {
        "basis-partner": w.partner_ids["jugendamt"],
        "basis-basis": "sgb_x_69_1_1",
        "basis-justification": "Die Beratung braucht die Unterlagen des Jugendamts dringend.",
    },
    "cases.decide_basis": lambda w, side: {"decide-approve": "Freigeben"},
    "admin.new_user": lambda w, side: {
        "username": "neues.konto",
        "display_name": "Neues Konto",
        "role": "advisor",
        "partner": str(w.partner_ids["ihk"]),
        "password_mode": "typed",
        "password": "Erstes-Passwort-42",
    },
    "admin.change_role": lambda w, side: {"role": "advisor", "partner": str(w.partner_ids["ihk"])},
}

# Form data that needs the page of the logged-in client (a secret shown only there).
CLIENT_DATA = {"account.enrol": lambda client: {"code": enrolment_code(client)}}


def enrolment_code(client) -> str:
    """The current code of the secret the set-up page offers ("" when it offers none)."""
    match = SECRET_ON_PAGE.search(client.get("/konto/zweiter-faktor").get_data(as_text=True))
    return pyotp.TOTP(match.group(1).replace(" ", "")).now() if match else ""


MATRIX = [(*route, role) for route in ROUTES for role in ROLES]


def _outcome(response):
    if response.status_code == 302 and urlsplit(response.location).path == "/login":
        return LOGIN
    return response.status_code


def expected(endpoint: str, method: str, role: str, side: str | None):
    """The table's outcome; the foreign case's rule applied."""
    table_row = EXPECTED.get((endpoint, method))
    if table_row is None:
        pytest.fail(
            f"No expected outcomes for {method} {endpoint}. Add a row for it to EXPECTED in "
            f"tests/security/test_authorization_matrix.py (one outcome per role: "
            f"{', '.join(ROLES)})."
        )
    if side == "foreign" and role in ADVISORS and table_row[role] not in (LOGIN, 403):
        return 404  # a role without access to the route is refused before the case is read
    return table_row[role]


@pytest.fixture(scope="module")
def csrf_app(database_url):
    """The app with CSRF protection on, as in production (one for the module)."""
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("endpoint", "method", "rule", "params", "role"),
    MATRIX,
    ids=[f"{m[0]}-{m[1]}-{m[4]}" for m in MATRIX],
)
def test_route_answers_each_role_as_expected(csrf_app, world, endpoint, method, rule, params, role):
    client = csrf_app.test_client()
    token = log_in(client, world.usernames.get(role))
    assert token, "the login page carries no CSRF token: is CSRF protection on?"
    sides = ("own", "foreign") if "case_id" in params else (None,)
    for side in sides:
        want = expected(endpoint, method, role, side)
        url = fill(world, endpoint, rule, params, side)
        if method == "GET":
            response = client.get(url)
        else:
            data = {**FORM_DATA.get(endpoint, lambda w, s: {})(world, side), "csrf_token": token}
            data |= CLIENT_DATA.get(endpoint, lambda c: {})(client)
            response = client.post(url, data=data)
        got = _outcome(response)
        stats.record("matrix", (endpoint, method, role, side))
        assert got == want, (
            f"{method} {url} ({endpoint}) as {role}"
            f"{f' on the {side} case' if side else ''}: got {got}, expected {want}"
        )


def test_every_route_has_expectations_and_no_stale_rows():
    """The table names exactly the routes the app has."""
    routed = {(endpoint, method) for endpoint, method, _rule, _params in ROUTES}
    missing = sorted(routed - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - routed)
    assert not missing, f"add rows to EXPECTED for {missing}"
    assert not stale, f"remove rows of routes that are gone from EXPECTED: {stale}"


POSTS = [(e, r, p) for e, m, r, p in ROUTES if m == "POST"]


@pytest.mark.parametrize(("endpoint", "rule", "params"), POSTS, ids=[p[0] for p in POSTS])
def test_every_post_refuses_a_missing_csrf_token(session, csrf_app, world, endpoint, rule, params):
    """Without its token a POST is refused with 400, whoever sends it, and nothing is stored."""
    table_row = EXPECTED.get((endpoint, "POST")) or {}
    # The first role that may use the route, so the refusal is the token's and not the role's.
    role = next((r for r in ROLES if table_row.get(r) not in (LOGIN, 403, 404, None)), "frontdesk")
    client = csrf_app.test_client()
    log_in(client, world.usernames.get(role))
    before = row_counts(session)
    url = fill(world, endpoint, rule, params, "own" if "case_id" in params else None)
    data = FORM_DATA.get(endpoint, lambda w, s: {})(world, "own")
    response = client.post(url, data=data)
    stats.record("csrf", endpoint)
    assert response.status_code == 400, f"{endpoint} as {role} without a CSRF token"
    assert "Formular abgelaufen" in response.get_data(as_text=True)
    assert row_counts(session) == before
