"""The name search finds words by prefix through the token index, and keeps it current."""

import sqlalchemy as sa

from zentrum.models import PersonNameToken
from zentrum.services.cases import search_cases


def _found(session, viewer, query):
    return [row.case.id for row in search_cases(session, viewer, query)]


def test_any_word_of_any_name_is_found_by_its_beginning(session, users, cases):
    viewer = users("frontdesk")
    double = cases("Anna-Lena", "Müller-Lüdenscheidt", members=[("Özlem", "Yıldız", "parent")])
    cases("Annabell", "Berg")
    assert _found(session, viewer, "luedensch") == [double.id]
    assert _found(session, viewer, "lena mueller") == [double.id]
    assert _found(session, viewer, "OEZLEM") == [double.id]
    assert len(_found(session, viewer, "anna")) == 2
    assert _found(session, viewer, "nna") == []  # words by their beginning, not substrings


def test_percent_and_underscore_in_a_query_match_only_themselves(session, users, cases):
    viewer = users("frontdesk")
    cases("Lena", "Schmitz")
    assert _found(session, viewer, "%") == []
    assert _found(session, viewer, "l_na") == []


def test_a_renamed_person_is_found_by_the_new_name_only(session, users, cases):
    viewer = users("frontdesk")
    case = cases("Lena", "Schmitz")
    person = case.young_person
    person.last_name, person.name_key = "Becker", "lena becker"
    session.commit()
    assert _found(session, viewer, "becker") == [case.id]
    assert _found(session, viewer, "schmitz") == []
    words = session.scalars(
        sa.select(PersonNameToken.token).where(PersonNameToken.person_id == person.id)
    )
    assert sorted(words) == ["becker", "lena"]
