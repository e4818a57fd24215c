"""The partner queue (Eingang) and Meine Fälle."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from zentrum.models import Case
from zentrum.services.handover import accept_offer
from zentrum.services.referrals import refer_case

NOW = datetime.now(UTC)


@pytest.fixture
def ihk_advisor(users, auth):
    user = users("advisor", partner="ihk")
    auth.login(user)
    return user


def _refs(page: str) -> list[str]:
    return re.findall(r">(ZZ-\d{4}-\d{5})</a>", page)


def test_queue_lists_offers_and_referrals_oldest_first_with_waiting_time(
    session, client, cases, users, ihk_advisor
):
    now = datetime.now(UTC)
    old = cases("Alt", "Angebot", consents=["ihk"], at=now - timedelta(days=12))
    cases.offer(old, "ihk", at=now - timedelta(days=10))
    held = cases("Mit", "Hinzuziehung", consents=["jobcenter", "ihk"], at=now - timedelta(days=3))
    offer = cases.offer(held, "jobcenter", at=now - timedelta(days=3))
    jc = users("advisor", partner="jobcenter")
    accept_offer(session, jc, now - timedelta(days=2), session.get(Case, held.id), offer.id)
    refer_case(
        session,
        jc,
        now - timedelta(hours=3, minutes=20),
        session.get(Case, held.id),
        cases.partner("ihk"),
    )
    session.commit()
    fresh = cases("Neu", "Angebot", consents=["ihk"])
    cases.offer(fresh, "ihk")
    page = client.get("/eingang").get_data(as_text=True)
    assert _refs(page) == [old.reference, held.reference, fresh.reference]
    rows = page.split("<tbody>")[1].split("</tr>")
    assert "Übergabe" in rows[0] and "seit 10 T." in rows[0]
    assert "Zielzeit überschritten" in rows[0]
    assert "Hinzuziehung" in rows[1] and "seit 3 Std. 20 Min." in rows[1]
    assert "Zielzeit überschritten" not in rows[2]


def test_queue_filters_by_topic_urgency_and_district(session, client, cases, ihk_advisor):
    apprenticeship = cases("Azubi", "Eins", consents=["ihk"], topics=("apprenticeship",))
    crisis = cases("Krise", "Zwei", consents=["ihk"], topics=("work",), urgency="crisis")
    for case in (apprenticeship, crisis):
        cases.offer(case, "ihk")
    topic_id = cases.topic_ids("apprenticeship")[0]
    assert _refs(client.get(f"/eingang?thema={topic_id}").get_data(as_text=True)) == [
        apprenticeship.reference
    ]
    assert _refs(client.get("/eingang?dringlichkeit=crisis").get_data(as_text=True)) == [
        crisis.reference
    ]
    assert _refs(client.get("/eingang?bezirk=barmen").get_data(as_text=True)) == [
        apprenticeship.reference,
        crisis.reference,
    ]
    assert _refs(client.get("/eingang?bezirk=ronsdorf").get_data(as_text=True)) == []
    unknown = client.get("/eingang?dringlichkeit=sofort&bezirk=mond&thema=abc")
    assert unknown.status_code == 200 and len(_refs(unknown.get_data(as_text=True))) == 2


def test_queue_pages_by_index_without_gaps(app, session, client, cases, ihk_advisor):
    app.config["PAGE_SIZE"] = 2
    made = []
    for i in range(5):
        case = cases(f"Seite{i}", "Blatt", consents=["ihk"], at=NOW - timedelta(hours=10 - i))
        cases.offer(case, "ihk", at=NOW - timedelta(hours=10 - i))
        made.append(case.reference)
    seen, url = [], "/eingang"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _refs(page)
        match = re.search(r'href="([^"]+)" rel="next"', page)
        url = match[1].replace("&amp;", "&") if match else None
    assert seen == made


def test_queue_shows_only_the_own_partner(client, cases, users, auth):
    case = cases(consents=["hwk"])
    cases.offer(case, "hwk")
    auth.login(users("advisor", partner="ihk"))
    assert case.reference not in client.get("/eingang").get_data(as_text=True)


@pytest.mark.parametrize("role", ["frontdesk", "supervisor", "admin"])
def test_queue_pages_are_for_advisors(client, users, auth, role):
    auth.login(users(role))
    assert client.get("/eingang").status_code == 403
    assert client.get("/meine-faelle").status_code == 403


def test_advisor_starts_in_the_queue_after_login(client, users, auth):
    assert auth.login(users("advisor", partner="ihk")).location == "/eingang"


def test_my_cases_lists_open_cases_the_advisor_is_responsible_for(
    session, client, cases, users, ihk_advisor
):
    mine = cases("Meins", "Fall", consents=["ihk"])
    other = cases("Kollege", "Fall", consents=["ihk"])
    for case, advisor in ((mine, ihk_advisor), (other, users("advisor", partner="ihk"))):
        offer = cases.offer(case, "ihk")
        accept_offer(session, advisor, NOW, session.get(Case, case.id), offer.id)
    session.commit()
    assert _refs(client.get("/meine-faelle").get_data(as_text=True)) == [mine.reference]


def test_queue_pages_through_offers_and_referrals_at_the_same_moments(session, cases, users):
    """Each kind is read only as far as a page reaches (the first page+1 of each, after
    the page's anchor); paging through offers and referrals that share their moments
    gives the whole queue in order, once each."""
    from zentrum.services.queues import partner_queue

    jc = users("advisor", partner="jobcenter")
    ihk = cases.partner("ihk")
    moments = [NOW - timedelta(hours=h) for h in (9, 9, 7, 7, 7, 5, 3, 3)]
    for i, at in enumerate(moments):
        case = cases(f"Takt{i}", "Gleich", consents=["jobcenter", "ihk"], at=at)
        if i % 2:
            offer = cases.offer(case, "jobcenter", at=at - timedelta(hours=1))
            accept_offer(
                session, jc, at - timedelta(minutes=30), session.get(Case, case.id), offer.id
            )
            refer_case(session, jc, at, session.get(Case, case.id), ihk)
            session.commit()
        else:
            cases.offer(case, "ihk", at=at)
    whole, more = partner_queue(session, ihk.id, limit=100)
    assert more is None and len(whole) == len(moments)
    assert {item.kind for item in whole} == {"offer", "referral"}
    assert [item.since for item in whole] == sorted(item.since for item in whole)
    paged, after = [], None
    while True:
        page, after = partner_queue(session, ihk.id, after=after, limit=2)
        paged += page
        if after is None:
            break
    assert [(i.kind, i.item_id) for i in paged] == [(i.kind, i.item_id) for i in whole]
