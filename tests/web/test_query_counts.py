"""List and case pages run a fixed number of statements, whatever the data size."""

from datetime import UTC, datetime

from zentrum.models import Case, User
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


def _dump(statements):  # pragma: no cover - debugging aid
    return "\n".join(s.split("\n")[0][:150] for s in statements)
