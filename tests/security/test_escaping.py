"""A hostile name typed at intake is shown escaped on every page where it appears."""

import pytest
import sqlalchemy as sa

from tests.security.routes import log_in
from zentrum.models import Case, Topic

FIRST = '<script>alert("vorname")</script>'
LAST = '"><img src=x onerror=alert(1)>Kaya'
DESCRIPTION = "</textarea><script>alert('beschreibung')</script>{{7*7}}"


def _raw_markup(page: str) -> list[str]:
    """The hostile markup found unescaped in the page."""
    return [value for value in (FIRST, LAST, "<script>alert(", "<img src=x") if value in page]


def record_hostile(session, client, users, auth) -> Case:
    """An enquiry recorded through the intake form by the front desk, with markup in the name."""
    auth.login(users("frontdesk"))
    topic = session.scalar(sa.select(Topic.id).where(Topic.code == "apprenticeship"))
    response = client.post(
        "/anliegen/neu",
        data={
            "first_name": FIRST,
            "last_name": LAST,
            "birth_date": "2008-02-03",
            "topics": str(topic),
            "consents": [str(p) for p in range(1, 7)],
            "consent_given_by": "young_person",
            "consent_categories": ["master_data", "contact"],
            "consent_purpose": "Beratung im Zentrum Zukunft",
            "description": DESCRIPTION,
            "channel": "walk_in",
            "urgency": "normal",
            "language": "de",
        },
    )
    assert response.status_code == 302
    return session.scalar(sa.select(Case).order_by(Case.id.desc()))


@pytest.fixture
def hostile_case(session, client, users, auth) -> Case:
    return record_hostile(session, client, users, auth)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_front_desk_pages_escape_the_name(client, hostile_case):
    pages = {
        "case": _page(client, f"/faelle/{hostile_case.id}"),
        "start": _page(client, "/"),
        # The name search finds words by their start: "src" begins the word "src=x".
        "search": _page(client, "/faelle/suche?q=src"),
    }
    for name, page in pages.items():
        assert not _raw_markup(page), name
        assert "&lt;script&gt;alert(&#34;vorname&#34;)&lt;/script&gt;" in page, name
    assert "&lt;/textarea&gt;&lt;script&gt;" in pages["case"]  # the description too
    assert "{{7*7}}" in pages["case"]  # shown as typed, never evaluated as a template


def test_partner_and_supervisor_pages_escape_the_name(
    app_factory, session, hostile_case, cases, users
):
    hostile = hostile_case
    offer = cases.offer(hostile, "ihk")
    advisor = users("advisor", partner="ihk")
    supervisor = users("supervisor")  # every write of this session before the clients' ones
    session.commit()
    other_app = app_factory()  # its own app context per request: each client its own user
    partner_client = other_app.test_client()
    log_in(partner_client, advisor.username)
    inbox = _page(partner_client, "/eingang")
    assert "&lt;script&gt;alert(&#34;vorname&#34;)" in inbox and not _raw_markup(inbox)
    accepted = partner_client.post(f"/faelle/{hostile.id}/angebote/{offer.id}/annehmen")
    assert accepted.status_code == 302
    mine = _page(partner_client, "/meine-faelle")
    assert "&lt;script&gt;alert(&#34;vorname&#34;)" in mine and not _raw_markup(mine)
    boss = other_app.test_client()
    log_in(boss, supervisor.username)
    for url in ("/leitung/", "/leitung/uebergaben", f"/faelle/{hostile.id}"):
        assert not _raw_markup(_page(boss, url)), url
