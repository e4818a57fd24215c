"""Who sees which case: pages, lists, search and counts, for every role."""

from datetime import UTC, datetime, timedelta

import pytest

from zentrum.domain.vocab import DeclineReason
from zentrum.models import Case
from zentrum.services.handover import accept_offer, decline_offer, offer_case
from zentrum.services.referrals import refer_case

NOW = datetime.now(UTC)
EVERYONE = {"A", "B", "C", "D", "E", "F"}
SEES = {
    "frontdesk": EVERYONE,
    "supervisor": EVERYONE,
    "admin": EVERYONE,
    "ihk": {"B", "C", "E", "F"},
    "hwk": {"D", "F"},
    "jobcenter": {"D"},
    "jugendamt": set(),
}


@pytest.fixture
def world(session, cases, users):
    """Cases of every kind, each named by a letter and a distinctive last name."""
    advisors = {code: users("advisor", partner=code) for code in ("ihk", "hwk", "jobcenter")}
    all_consents = ["ihk", "hwk", "jobcenter"]

    def make(letter):
        return cases(
            f"Person{letter}",
            f"Sichtbar{letter}",
            consents=all_consents,
            at=NOW - timedelta(minutes=10),
        )

    def get(case):
        return session.get(Case, case.id)

    made = {letter: make(letter) for letter in sorted(EVERYONE)}
    cases.offer(made["B"], "ihk")  # B: pending offer to the IHK
    offer = cases.offer(made["C"], "ihk")  # C: held by the IHK
    accept_offer(session, advisors["ihk"], NOW, get(made["C"]), offer.id)
    offer = cases.offer(made["D"], "hwk")  # D: held by the HWK, Jobcenter referred
    accept_offer(session, advisors["hwk"], NOW, get(made["D"]), offer.id)
    refer_case(session, advisors["hwk"], NOW, get(made["D"]), cases.partner("jobcenter"))
    offer = cases.offer(made["E"], "ihk")  # E: the IHK declined
    decline_offer(
        session, advisors["ihk"], NOW, get(made["E"]), offer.id, DeclineReason.NOT_RESPONSIBLE
    )
    offer = cases.offer(made["F"], "ihk")  # F: the IHK held it, then the HWK took over
    accept_offer(session, advisors["ihk"], NOW, get(made["F"]), offer.id)
    handover = offer_case(session, advisors["ihk"], NOW, get(made["F"]), cases.partner("hwk"))
    accept_offer(session, advisors["hwk"], NOW, get(made["F"]), handover.id)
    session.commit()
    return made


def _viewer(users, role):
    if role in ("frontdesk", "supervisor", "admin"):
        return users(role)
    return users("advisor", partner=role)


@pytest.mark.parametrize("role", sorted(SEES))
def test_case_pages_answer_404_outside_involvement(client, users, auth, world, role):
    auth.login(_viewer(users, role))
    for letter, case in world.items():
        expected = 200 if letter in SEES[role] else 404
        assert client.get(f"/faelle/{case.id}").status_code == expected, (role, letter)


@pytest.mark.parametrize("role", sorted(SEES))
def test_lists_search_and_counts_reveal_nothing_more(client, users, auth, world, role):
    auth.login(_viewer(users, role))
    start = client.get("/").get_data(as_text=True)
    for letter, case in world.items():
        link = f'href="/faelle/{case.id}"'
        visible = letter in SEES[role]
        assert (link in start) is visible, (role, letter)
        by_ref = client.get(f"/faelle/suche?q={case.reference}").get_data(as_text=True)
        assert (link in by_ref) is visible, (role, letter)
        by_name = client.get(f"/faelle/suche?q=Sichtbar{letter}").get_data(as_text=True)
        assert (link in by_name) is visible, (role, letter)
    count = len(SEES[role])
    assert f"wurde{'n' if count != 1 else ''} {count} Anliegen aufgenommen" in start
