"""Print views: the case summary and the handover sheet show only what the reader may see."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from zentrum.domain.vocab import AuditAction
from zentrum.models import Case
from zentrum.services.handover import accept_offer, offer_case
from zentrum.services.notes import add_note

NOW = datetime.now(UTC)


@pytest.fixture
def handed_over(session, cases, users):
    """A case the IHK accepted from the front desk, then offered on to the HWK (accepted)."""
    ihk, hwk = users("advisor", partner="ihk"), users("advisor", partner="hwk")
    case = cases(
        "Mira",
        "Druckmann",
        consents=["ihk", "hwk"],
        members=[("Petra", "Druckmann", "parent")],
        description="Sucht eine Ausbildung als Tischlerin.",
    )
    first = cases.offer(case, "ihk")
    accept_offer(session, ihk, NOW, session.get(Case, case.id), first.id)
    add_note(session, ihk, NOW, session.get(Case, case.id), "Intern-IHK-Geheimnis", internal=True)
    add_note(session, ihk, NOW, session.get(Case, case.id), "Geteilte Notiz der IHK")
    second = offer_case(session, ihk, NOW, session.get(Case, case.id), cases.partner("hwk"))
    second.note = "Handwerk passt besser: Tischlerlehre."
    session.flush()
    accept_offer(session, hwk, NOW, session.get(Case, case.id), second.id)
    session.commit()
    return {"case": case, "ihk": ihk, "hwk": hwk, "first": first, "second": second}


def _sheet(case, handover):
    return f"/faelle/{case.id}/uebergabe/{handover.id}/druck"


def test_case_page_links_to_the_summary(handed_over, auth, client):
    auth.login(handed_over["hwk"])
    page = client.get(f"/faelle/{handed_over['case'].id}").get_data(as_text=True)
    assert f'href="/faelle/{handed_over["case"].id}/druck"' in page


def test_summary_shows_the_case_without_other_partners_internal_notes(handed_over, auth, client):
    auth.login(handed_over["hwk"])
    response = client.get(f"/faelle/{handed_over['case'].id}/druck")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mira Druckmann" in page and "Petra Druckmann" in page
    assert "Geteilte Notiz der IHK" in page
    assert "Intern-IHK-Geheimnis" not in page
    assert 'rel="stylesheet" href="/static/print.css"' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_summary_keeps_own_internal_notes_for_their_partner(handed_over, auth, client):
    auth.login(handed_over["ihk"])
    page = client.get(f"/faelle/{handed_over['case'].id}/druck").get_data(as_text=True)
    assert "Intern-IHK-Geheimnis" in page


def test_print_views_answer_404_to_an_uninvolved_advisor(handed_over, users, auth, client):
    stranger = users("advisor", partner="jobcenter")
    auth.login(stranger)
    case = handed_over["case"]
    assert client.get(f"/faelle/{case.id}/druck").status_code == 404
    assert client.get(_sheet(case, handed_over["second"])).status_code == 404


def test_handover_sheet_for_the_receiving_partner(handed_over, auth, client):
    auth.login(handed_over["hwk"])
    response = client.get(_sheet(handed_over["case"], handed_over["second"]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Übergabeblatt ZZ-" in page
    assert "IHK Wuppertal-Solingen-Remscheid" in page  # from
    assert "Handwerkskammer Düsseldorf" in page  # to
    assert "Handwerk passt besser: Tischlerlehre." in page
    assert "Angenommen am" in page
    assert handed_over["ihk"].display_name in page  # the sending advisor
    assert "Mira Druckmann" in page and "Petra Druckmann" in page
    assert "Einwilligung erteilt am" in page


def test_handover_sheet_never_carries_notes_even_for_the_sender(handed_over, auth, client):
    """The sheet goes to the receiving partner: the sender's internal note stays off it."""
    auth.login(handed_over["ihk"])
    page = client.get(_sheet(handed_over["case"], handed_over["second"])).get_data(as_text=True)
    assert "Intern-IHK-Geheimnis" not in page
    assert "Geteilte Notiz der IHK" not in page


def test_handover_sheet_of_another_partners_offer_is_404_for_an_advisor(handed_over, auth, client):
    """The HWK sees the case, but the front desk's offer to the IHK is not theirs to print."""
    auth.login(handed_over["hwk"])
    assert client.get(_sheet(handed_over["case"], handed_over["first"])).status_code == 404


def test_handover_of_another_case_is_404(handed_over, cases, auth, client, users):
    other = cases("Otto", "Anders")
    auth.login(users("frontdesk"))
    assert client.get(_sheet(other, handed_over["second"])).status_code == 404


def test_summary_lists_only_the_sheets_the_reader_may_open(handed_over, auth, client):
    case = handed_over["case"]
    auth.login(handed_over["hwk"])
    page = client.get(f"/faelle/{case.id}/druck").get_data(as_text=True)
    assert _sheet(case, handed_over["second"]) in page
    assert _sheet(case, handed_over["first"]) not in page


def _entries(session, action):
    from zentrum.models import AuditEntry

    session.rollback()  # see what the requests committed
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(stmt))


def test_every_printout_is_recorded_like_a_view_of_the_case(session, handed_over, auth, client):
    # They were not: "Wer hat diesen Fall gesehen?" missed everyone who printed the case.
    hwk, case = handed_over["hwk"], handed_over["case"]
    auth.login(hwk)
    hwk_partner = session.get(Case, case.id).holder_partner_id
    for url in (
        f"/faelle/{case.id}/druck",
        _sheet(case, handed_over["second"]),
        f"/faelle/{case.id}/einwilligung/{hwk_partner}/druck",
    ):
        assert client.get(url).status_code == 200, url
    views = _entries(session, AuditAction.CASE_VIEW)
    assert [(e.case_id, e.user_id, e.details) for e in views] == [
        (case.id, hwk.id, {"view": "print_summary"}),
        (case.id, hwk.id, {"view": "print_handover"}),
        (case.id, hwk.id, {"view": "print_consent"}),
    ]


def test_a_refused_printout_is_recorded(session, handed_over, users, auth, client):
    stranger = users("advisor", partner="jobcenter")
    auth.login(stranger)
    case = handed_over["case"]
    assert client.get(f"/faelle/{case.id}/druck").status_code == 404
    assert client.get(_sheet(case, handed_over["second"])).status_code == 404
    refused = _entries(session, AuditAction.ACCESS_REFUSED)
    assert [(e.case_id, e.user_id, e.details["endpoint"]) for e in refused] == [
        (case.id, stranger.id, "cases.print_summary"),
        (case.id, stranger.id, "cases.print_handover"),
    ]
    assert _entries(session, AuditAction.CASE_VIEW) == []
