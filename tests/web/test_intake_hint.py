"""The duplicate-person hint while typing: a small JSON answer for the front desk."""

from datetime import date

import pytest

URL = "/anliegen/personen"


def _ask(client, first="Lena", last="Schmitz", born="2007-05-17"):
    return client.get(URL, query_string={"vorname": first, "nachname": last, "geburtsdatum": born})


@pytest.fixture
def frontdesk(users, auth):
    user = users("frontdesk")
    auth.login(user)
    return user


def test_known_person_is_named_with_the_reference_of_the_newest_case(client, frontdesk, cases):
    cases("Lena", "Schmitz")
    newest = cases(
        "Lena", "Schmitz", existing_person_id=cases("Lena", "Schmitz").members[0].person_id
    )
    response = _ask(client, first="lena", last="SCHMITZ ")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    persons = response.get_json()["persons"]
    assert len(persons) == 2  # the first case's person and the other, reused one
    assert {
        "name": "Lena Schmitz",
        "birth_date": "17.05.2007",
        "reference": newest.reference,
    } in persons
    assert all(set(p) == {"name", "birth_date", "reference"} for p in persons)


def test_spelling_variants_match_like_the_hint_after_saving(client, frontdesk, cases):
    cases("Jörg", "Müller", birth_date=date(2008, 1, 2))
    persons = _ask(client, "Joerg", "Mueller", "2008-01-02").get_json()["persons"]
    assert [p["name"] for p in persons] == ["Jörg Müller"]


def test_other_birth_date_or_incomplete_input_finds_nobody(client, frontdesk, cases):
    cases("Lena", "Schmitz")
    assert _ask(client, born="2007-05-18").get_json() == {"persons": []}
    assert _ask(client, born="2007-05").get_json() == {"persons": []}
    assert _ask(client, last="").get_json() == {"persons": []}


@pytest.mark.parametrize("role", ["advisor", "supervisor"])
def test_only_front_desk_and_admin_may_ask(client, users, auth, cases, role):
    cases("Lena", "Schmitz")
    auth.login(users(role, partner="ihk" if role == "advisor" else None))
    assert _ask(client).status_code == 403


def test_nobody_logged_in_is_sent_to_the_login(client, cases):
    cases("Lena", "Schmitz")
    response = _ask(client)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_hint_runs_at_most_three_statements(client, frontdesk, cases, count_queries):
    for _ in range(3):
        cases("Lena", "Schmitz")
    with count_queries() as statements:
        persons = _ask(client).get_json()["persons"]
    assert len(persons) == 3
    # The user's session lookup, the persons, their newest references.
    assert len(statements) <= 3
