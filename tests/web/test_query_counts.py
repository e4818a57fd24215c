"""List and case pages run a fixed number of statements, whatever the data size."""

from datetime import UTC, datetime

import sqlalchemy as sa

from zentrum.models import Case, Partner, Topic, User
from zentrum.services.handover import accept_offer
from zentrum.services.notes import add_note


def _offered(cases, n):
    made = []
    for i in range(n):
        case = cases(
            f"Warte{i}", "Schlange", consents=["ihk"], members=[("Eva", "Schlange", "parent")]
        )
        cases.offer(case, "ihk")
        made.append(case)
    return made


def test_inbox_statements_do_not_grow_with_the_queue(
    session, client, cases, users, auth, count_queries
):
    _offered(cases, 2)
    auth.login(users("advisor", partner="ihk"))
    session.remove()  # requests share the test's session: start each count from a clean one
    with count_queries() as few:
        assert client.get("/eingang").status_code == 200
    _offered(cases, 15)
    session.remove()
    with count_queries() as many:
        page = client.get("/eingang").get_data(as_text=True)
    assert page.count("Schlange") == 17
    assert len(few) == len(many) <= 8, _dump(few) + "\n----\n" + _dump(many)


def test_case_page_statements_do_not_grow_with_its_history(
    session, client, cases, users, auth, count_queries
):
    case = cases(consents=["ihk"])
    case_id = case.id
    offer = cases.offer(case, "ihk")
    advisor = users("advisor", partner="ihk")
    advisor_id = advisor.id
    accept_offer(session, advisor, datetime.now(UTC), session.get(Case, case_id), offer.id)
    session.commit()
    auth.login(advisor)
    session.remove()  # requests share the test's session: start each count from a clean one
    with count_queries() as few:
        assert client.get(f"/faelle/{case_id}").status_code == 200
    advisor = session.get(User, advisor_id)
    for i in range(12):
        add_note(session, advisor, datetime.now(UTC), session.get(Case, case_id), f"Notiz {i}")
    session.commit()
    session.remove()
    with count_queries() as many:
        page = client.get(f"/faelle/{case_id}").get_data(as_text=True)
    assert "Notiz 11" in page
    # 21: the page, its audit entry (3), and the logged-in user's own lookup, which every
    # request makes (conftest no longer lets one request reuse the previous one's user).
    assert len(few) == len(many) <= 21, _dump(few) + "\n----\n" + _dump(many)


def _accepted(session, cases, advisor_id, n, last_name="Meier"):
    for i in range(n):
        case = cases(
            f"Eigen{i}", last_name, consents=["ihk"], members=[("Udo", last_name, "parent")]
        )
        offer = cases.offer(case, "ihk")
        advisor = session.get(User, advisor_id)
        accept_offer(session, advisor, datetime.now(UTC), session.get(Case, case.id), offer.id)
        session.commit()


def test_my_cases_statements_do_not_grow_with_the_cases(
    session, client, cases, users, auth, count_queries
):
    advisor_id = users("advisor", partner="ihk").id
    _accepted(session, cases, advisor_id, 2)
    auth.login(session.get(User, advisor_id))
    session.remove()
    with count_queries() as few:
        assert client.get("/meine-faelle").status_code == 200
    _accepted(session, cases, advisor_id, 12)
    auth.login(session.get(User, advisor_id).username)
    session.remove()
    with count_queries() as many:
        page = client.get("/meine-faelle").get_data(as_text=True)
    assert page.count("Eigen") == 14
    assert len(few) == len(many) <= 5, _dump(few) + "\n----\n" + _dump(many)


def _search_counts(session, client, auth, count_queries, query):
    auth.login("empfang-suche")  # the logged-in user is kept in g; load it afresh
    session.remove()
    with count_queries() as statements:
        page = client.get("/faelle/suche", query_string={"q": query})
    assert page.status_code == 200
    return statements, page.get_data(as_text=True)


def test_name_search_statements_do_not_grow_with_the_hits(
    session, client, cases, users, auth, count_queries
):
    users("frontdesk", username="empfang-suche")
    for i in range(2):
        cases(f"Such{i}", "Vogelsang", members=[("Ida", "Vogelsang", "parent")])
    few, _page = _search_counts(session, client, auth, count_queries, "vogelsang")
    for i in range(2, 14):
        cases(f"Such{i}", "Vogelsang", members=[("Ida", "Vogelsang", "parent")])
    many, page = _search_counts(session, client, auth, count_queries, "vogelsang")
    assert page.count("Such") >= 14
    # Three of them write the audit entry: the chain head, the entry, its case refs.
    assert len(few) == len(many) <= 8, _dump(few) + "\n----\n" + _dump(many)


def test_reference_search_runs_a_fixed_number_of_statements(
    session, client, cases, users, auth, count_queries
):
    users("frontdesk", username="empfang-suche")
    reference = cases("Referenz", "Suche").reference
    for i in range(10):
        cases(f"Andere{i}", "Suche")
    statements, page = _search_counts(session, client, auth, count_queries, reference)
    assert reference in page
    # Two of them write the audit entry (the chain head, the entry; no hits: no case refs).
    assert len(statements) <= 7, _dump(statements)


def test_start_page_statements_do_not_grow_with_the_cases(
    session, client, cases, users, auth, count_queries
):
    frontdesk = users("frontdesk")
    for i in range(2):
        cases(f"Start{i}", "Seite", members=[("Ida", "Seite", "parent")])
    auth.login(frontdesk)
    session.remove()
    with count_queries() as few:
        assert client.get("/").status_code == 200
    for i in range(2, 20):
        cases(f"Start{i}", "Seite", members=[("Ida", "Seite", "parent")])
    auth.login(frontdesk.username)
    session.remove()
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert "Start19" in page
    assert len(few) == len(many) <= 6, _dump(few) + "\n----\n" + _dump(many)


def _intake(session, first_name):
    topic = session.scalar(sa.select(Topic.id).where(Topic.code == "apprenticeship"))
    partners = session.scalars(sa.select(Partner.id).where(Partner.code.in_(["ihk", "uni"])))
    return {
        "first_name": first_name,
        "last_name": "Neu",
        "birth_date": "2008-03-14",
        "district": "barmen",
        "language": "de",
        "topics": [str(topic)],
        "description": "Sucht einen Ausbildungsplatz.",
        "channel": "walk_in",
        "urgency": "normal",
        "consents": [str(p) for p in partners],
        "consent_given_by": "young_person",
        "consent_categories": ["master_data", "contact"],
        "consent_purpose": "Beratung und Vermittlung zum Anliegen im Zentrum Zukunft Wuppertal",
        "members-0-first_name": "Eva",
        "members-0-last_name": "Neu",
        "members-0-relation": "parent",
        "save": "1",
    }


def test_intake_post_statements_do_not_grow_with_the_database(
    session, client, cases, users, auth, count_queries
):
    frontdesk = users("frontdesk").username
    cases("Vorjahr", "Neu")  # this year's reference counter exists, as on every day but one
    first = _intake(session, "Erste")
    auth.login(frontdesk)
    session.remove()
    with count_queries() as empty:
        assert client.post("/anliegen/neu", data=first).status_code == 302
    for i in range(15):
        cases(f"Bestand{i}", "Neu", members=[("Eva", "Neu", "parent")])
    later = _intake(session, "Spaete")
    auth.login(frontdesk)
    session.remove()
    with count_queries() as full:
        assert client.post("/anliegen/neu", data=later).status_code == 302
    assert session.scalar(sa.select(sa.func.count()).select_from(Case)) == 18
    # Two persons, two members, two consents: fixed by the form, not by the database;
    # three more write the audit entry (chain head locked, entry, head moved on).
    assert len(empty) == len(full) <= 21, _dump(empty) + "\n----\n" + _dump(full)


def _dump(statements):  # pragma: no cover - debugging aid
    return "\n".join(s.split("\n")[0][:150] for s in statements)
