"""The name search finds words by prefix through the token index, and keeps it current."""

import sqlalchemy as sa

from zentrum.domain.names import name_pairs
from zentrum.models import PersonNamePair, PersonNameToken
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
    pairs = session.scalars(
        sa.select(PersonNamePair.pair).where(PersonNamePair.person_id == person.id)
    )
    assert sorted(pairs) == ["becker lena", "lena becker"]
    assert _found(session, viewer, "lena becker") == [case.id]
    assert _found(session, viewer, "lena schmitz") == []


def test_name_pairs_are_every_ordered_pair_of_two_words():
    assert name_pairs({"anna", "lena", "mueller"}) == {
        "anna lena",
        "anna mueller",
        "lena anna",
        "lena mueller",
        "mueller anna",
        "mueller lena",
    }
    assert name_pairs({"lena"}) == set()


def test_several_words_match_by_their_beginnings_in_any_order(session, users, cases):
    """The pair lookup finds what the words' ranges would: every word by its beginning."""
    viewer = users("frontdesk")
    sommer = cases("Lena", "Sommer")
    lenara = cases("Lenara", "Sommerfeld")
    cases("Lena", "Winter")
    cases("Sommer", "Berg")  # the same two words, but not on one person together
    double = cases("Anna Lena", "Sommer", members=[("Jonas", "Sommer", "parent")])
    assert sorted(_found(session, viewer, "lena sommer")) == sorted(
        [sommer.id, lenara.id, double.id]
    )
    assert sorted(_found(session, viewer, "SOMMER Lena")) == sorted(
        [sommer.id, lenara.id, double.id]
    )
    assert sorted(_found(session, viewer, "le so")) == sorted([sommer.id, lenara.id, double.id])
    assert _found(session, viewer, "lenar sommer") == [lenara.id]
    assert _found(session, viewer, "sommerf len") == [lenara.id]
    assert _found(session, viewer, "anna lena sommer") == [double.id]
    assert _found(session, viewer, "jonas sommer") == [double.id]  # a family member
    assert _found(session, viewer, "lena berg") == []
    assert _found(session, viewer, "ena sommer") == []


def test_pairs_match_what_intersecting_the_words_finds(session, users, cases):
    """Random names and queries: the pair lookup equals checking every word by hand."""
    import random

    from zentrum.domain.names import name_key, name_tokens

    rng = random.Random(7)
    syllables = ["an", "na", "le", "ma", "ri", "so", "mer", "ber", "ke", "lo"]

    def word():
        return "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))).capitalize()

    viewer = users("frontdesk")
    people = {}
    for _ in range(40):
        first, last = f"{word()} {word()}" if rng.random() < 0.2 else word(), word()
        people[cases(first, last).id] = name_tokens(name_key(first, last))
    for _ in range(60):
        query = [word()[: rng.randint(1, 4)].lower() for _ in range(rng.randint(2, 3))]
        expected = {
            case_id
            for case_id, words in people.items()
            if all(any(w.startswith(q) for w in words) for q in query)
        }
        assert set(_found(session, viewer, " ".join(query))) == expected, query
