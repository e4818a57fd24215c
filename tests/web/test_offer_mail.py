"""Offering or referring through the case page mails the partner after the commit."""

import sqlalchemy as sa

from tests.test_notifications import assert_no_personal_data, mail_on, parsed, smtp_server
from zentrum.models import Case, Handover
from zentrum.services.handover import accept_offer

__all__ = ["mail_on", "smtp_server"]  # fixtures used by the tests below


def test_offer_through_the_page_mails_the_partner(session, client, cases, users, auth, mail_on):
    case = cases("Mira", "Okafor", consents=["ihk"], description="Sehr persönlich")
    auth.login(users("frontdesk"))
    response = client.post(
        f"/faelle/{case.id}/anbieten", data={"offer-partner": cases.partner("ihk").id}
    )
    assert response.status_code == 302
    assert len(mail_on) == 1
    message = parsed(mail_on[0])
    assert mail_on[0].rcpt_tos == ["ihk@zentrum-zukunft.example"]
    assert case.reference in message["Subject"]
    assert f"/faelle/{case.id}" in message.get_body().get_content()
    assert_no_personal_data(mail_on[0], "Mira", "Okafor", "Sehr persönlich")


def test_refused_offer_sends_no_mail(client, cases, users, auth, mail_on):
    case = cases(consents=[])
    auth.login(users("frontdesk"))
    response = client.post(
        f"/faelle/{case.id}/anbieten", data={"offer-partner": cases.partner("ihk").id}
    )
    assert response.status_code == 422
    assert mail_on == []


def test_referral_through_the_page_mails_the_partner(session, client, cases, users, auth, mail_on):
    from datetime import UTC, datetime

    case = cases(consents=["ihk", "jobcenter"])
    offer = cases.offer(case, "ihk")
    advisor = users("advisor", partner="ihk")
    accept_offer(session, advisor, datetime.now(UTC), session.get(Case, case.id), offer.id)
    session.commit()
    auth.login(advisor)
    response = client.post(
        f"/faelle/{case.id}/hinzuziehen", data={"refer-partner": cases.partner("jobcenter").id}
    )
    assert response.status_code == 302
    assert [e.rcpt_tos for e in mail_on] == [["jobcenter@zentrum-zukunft.example"]]
    assert "Hinzuziehung" in parsed(mail_on[0])["Subject"]
    assert session.scalar(sa.select(sa.func.count(Handover.id))) == 1
