"""What the attacker's tests share: the routes of the app, how to fill their URLs, logging in."""

import re

import pytest
from flask import url_for

from tests.factories import PASSWORD, AuthActions
from tests.security.world import World
from zentrum import create_app

# Which of the own side's cases a case route is tried on (default: "pending").
CASE_STATE = {
    "cases.offer": "active",
    "cases.reassign": "active",
    "cases.first_contact": "active",
    "cases.close": "active",
    "cases.reopen": "closed",
    "cases.add_note": "active",
    "audit.case_access": "active",
}
# Which account an admin's user route is tried on (default: the active "target").
ACCOUNT = {"admin.reactivate_user": "inactive"}

# How to fill each URL parameter: (world, side) -> value. Side is "own" or "foreign".
PARAMS = {
    "case_id": lambda w, side, endpoint: w.case_id(side, CASE_STATE.get(endpoint, "pending")),
    "offer_id": lambda w, side, endpoint: w.sides[side].offer,
    "referral_id": lambda w, side, endpoint: w.sides[side].referral,
    "partner_id": lambda w, side, endpoint: w.partner_ids["ihk"],
    "rule_id": lambda w, side, endpoint: w.rule_id,
    "handover_id": lambda w, side, endpoint: w.sides[side].offer,
    "consent_id": lambda w, side, endpoint: w.sides[side].consent,
    "basis_id": lambda w, side, endpoint: w.sides[side].basis,
    "person_id": lambda w, side, endpoint: w.sides[side or "own"].person,
    "user_id": lambda w, side, endpoint: w.accounts[ACCOUNT.get(endpoint, "target")],
}

# Query arguments a route needs besides its URL parameters, by rule: (world, side) -> dict.
QUERY = {
    "/faelle/<int:case_id>/einwilligung/druck": lambda w, side: {"partner": w.partner_ids["ihk"]},
}

_SPEC_APP = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})  # only its url_map is read


def routes() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(endpoint, method, rule, URL parameters) of every route but static files."""
    found = []
    for rule in _SPEC_APP.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule.endpoint, method, rule.rule, tuple(sorted(rule.arguments))))
    return sorted(found)


ROUTES = routes()
_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"'
)


def csrf_token(client) -> str:
    """A valid CSRF token of the client's session, read from the login page ("" if CSRF is off)."""
    page = client.get("/login").get_data(as_text=True)
    match = _TOKEN.search(page)
    return (match[1] or match[2]) if match else ""


def log_in(client, username: str | None) -> str:
    """Log in through the forms (with their tokens), the second factor included; the new token."""
    if username is not None:
        token = csrf_token(client)
        response = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        response = AuthActions(client).second_step(username, response, token or None)
        assert response.status_code == 302, f"login of {username} failed"
        assert not response.location.startswith("/login"), f"login of {username} unfinished"
    return csrf_token(client)


def fill(world: World, endpoint: str, rule: str, params: tuple[str, ...], side: str | None):
    """The URL of the route with its parameters filled; fails for an unknown parameter."""
    values = {}
    for name in params:
        if name not in PARAMS:
            pytest.fail(
                f"The route {rule} ({endpoint}) has the URL parameter <{name}>, which the "
                f"authorization matrix does not know how to fill. Add a filler for it to "
                f"PARAMS in tests/security/routes.py."
            )
        values[name] = PARAMS[name](world, side, endpoint)
    if rule in QUERY:
        values |= QUERY[rule](world, side)
    with _SPEC_APP.test_request_context():
        return url_for(endpoint, **values)
