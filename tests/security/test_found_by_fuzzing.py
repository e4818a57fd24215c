"""Regressions for what the fuzzing found: each a plain test of one input."""

import pytest

from tests.security.world import row_counts
from zentrum.web.validators import MAX_ID, as_id

HUGE = (2**31, 2**63, 10**30)


@pytest.fixture
def desk(users, auth):
    user = users("frontdesk")
    auth.login(user)
    return user


@pytest.mark.parametrize("number", HUGE)
def test_an_id_beyond_the_integer_columns_in_the_url_is_not_found(client, desk, number):
    assert client.get(f"/faelle/{number}").status_code == 404
    assert client.post(f"/faelle/{number}/notizen", data={"note-body": "x"}).status_code == 404


@pytest.mark.parametrize("number", HUGE)
def test_a_huge_paging_cursor_on_the_start_page_is_ignored(client, desk, number):
    assert client.get(f"/?vor={number}").status_code == 200


@pytest.mark.parametrize("number", HUGE)
def test_huge_numbers_in_the_advisors_lists_are_ignored(client, users, auth, number):
    auth.login(users("advisor", partner="ihk"))
    assert client.get(f"/meine-faelle?vor={number}").status_code == 200
    assert client.get(f"/eingang?thema={number}").status_code == 200


@pytest.mark.parametrize("number", HUGE)
def test_a_huge_known_person_id_at_intake_is_refused(session, client, desk, number):
    before = row_counts(session)
    response = client.post(
        "/anliegen/neu",
        data={
            "first_name": "Mia",
            "last_name": "Muster",
            "birth_date": "2008-01-01",
            "topics": "1",
            "person_choice": str(number),
        },
    )
    assert response.status_code == 400
    assert row_counts(session) == before


def _held_case(session, cases, users):
    """A case held by the HWK, with its advisor; committed."""
    from zentrum.models import Case
    from zentrum.services.handover import accept_offer

    advisor = users("advisor", partner="hwk")
    case = cases(consents=["hwk"])
    offer = cases.offer(case, "hwk")
    accept_offer(session, advisor, offer.offered_at, session.get(Case, case.id), offer.id)
    session.commit()
    return case, advisor


@pytest.mark.parametrize("number", HUGE)
def test_reassigning_to_a_huge_user_id_is_refused_beside_the_field(
    session, client, cases, users, auth, number
):
    case, advisor = _held_case(session, cases, users)
    users("advisor", partner="hwk")  # a colleague, so that the page offers the form
    auth.login(advisor)
    before = row_counts(session)
    response = client.post(f"/faelle/{case.id}/zuweisen", data={"reassign-user": str(number)})
    assert response.status_code == 422
    assert "derselben Organisation" in response.get_data(as_text=True)
    assert row_counts(session) == before


@pytest.mark.parametrize("number", HUGE)
def test_a_note_referring_to_a_huge_note_id_is_refused(session, client, cases, desk, number):
    case = cases()
    before = row_counts(session)
    response = client.post(
        f"/faelle/{case.id}/notizen",
        data={"note-body": "Nachtrag", "note-addendum_to": str(number)},
    )
    assert response.status_code == 422
    assert row_counts(session) == before


def test_as_id_takes_only_ids_the_columns_can_hold():
    assert as_id("42") == 42 and as_id(MAX_ID) == MAX_ID
    assert [as_id(v) for v in ("0", "-1", str(MAX_ID + 1), "1e3", "٣", "", None, 2**63)] == [
        None
    ] * 8


def test_a_nul_byte_in_the_search_is_refused(client, desk):
    # PostgreSQL refuses NUL in text: it must not reach the query (it did: a 500).
    response = client.get("/faelle/suche", query_string={"q": "Le\x00na"})
    assert response.status_code == 400
    assert "unzulässige Zeichen" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["admin\x00", "\x00"])
def test_a_nul_byte_in_the_username_is_refused_beside_the_field(client, name):
    response = client.post("/login", data={"username": name, "password": "egal-egal-1"})
    assert response.status_code == 422
    assert "unzulässige Steuerzeichen" in response.get_data(as_text=True)


def test_every_int_in_a_route_is_a_bounded_id(app):
    """No route takes <int:...> without the bound (a blueprint cannot bring its own)."""
    from werkzeug.routing import IntegerConverter

    from zentrum.web.converters import IdConverter

    ints = [
        c
        for r in app.url_map.iter_rules()
        for c in r._converters.values()
        if isinstance(c, IntegerConverter)
    ]
    assert ints and all(isinstance(c, IdConverter) and c.max == MAX_ID for c in ints)


@pytest.mark.parametrize("hours", ["   ", "\t"])
def test_a_target_time_of_only_spaces_is_asked_for_again(session, client, users, auth, hours):
    # It passed InputRequired, parsed to nothing and failed in to_partner_data (a 500).
    auth.login(users("admin"))
    before = row_counts(session)
    response = client.post("/admin/partner/1", data={"target_hours": hours, "active": "y"})
    assert response.status_code == 422
    assert "Bitte eine Zielzeit angeben." in response.get_data(as_text=True)
    assert row_counts(session) == before


@pytest.mark.parametrize("number", HUGE)
def test_a_huge_consent_or_partner_id_on_the_consent_print_form_is_not_found(
    client, cases, desk, number
):
    # type=int let it reach the query: an OverflowError on SQLite (a 500).
    case = cases(consents=["ihk"])
    url = f"/faelle/{case.id}/einwilligung/druck"
    assert client.get(url, query_string={"einwilligung": str(number)}).status_code == 404
    assert client.get(url, query_string={"partner": str(number)}).status_code == 404
    assert client.get(url, query_string={"einwilligung": "-1", "partner": "4"}).status_code == 404


@pytest.mark.parametrize("number", [2**31, 2**63, 10**11])
def test_a_huge_paging_cursor_in_the_audit_log_is_ignored(session, client, users, auth, number):
    # "digits, fewer than 12" let 2**31 through: PostgreSQL's "integer out of range" (a 500).
    auth.login(users("supervisor"))
    for url in ("/protokoll/", "/protokoll/fall/1", "/protokoll/person/1"):
        response = client.get(url, query_string={"vor": str(number)})
        assert response.status_code == 200, url
