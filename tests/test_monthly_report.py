"""``zentrum report --monthly``: last month's figures to the supervisors, through real SMTP."""

import logging
from datetime import UTC, datetime

import pytest

from tests.test_notifications import (
    BASE_URL,
    BIRTH,
    DESCRIPTION,
    FIRST,
    LAST,
    assert_no_personal_data,
    free_port,
    mail_on,
    parsed,
    smtp_server,
)
from zentrum.domain.vocab import DeclineReason
from zentrum.models import Case
from zentrum.report_mail import monthly_body, supervisor_addresses, working_time
from zentrum.services.dashboard import build_dashboard
from zentrum.services.handover import accept_offer, decline_offer
from zentrum.services.periods import previous_month

__all__ = ["mail_on", "smtp_server"]  # fixtures used by the tests below

# Sunday 1 November 2026, 07:00 in Wuppertal: the report covers October.
NOW = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
NOW_ARG = "2026-11-01T07:00"
HOUSE = "leitung@zentrum-zukunft.example"
IHK_LEAD = "ihk-leitung@zentrum-zukunft.example"


def utc(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["report", *args])


@pytest.fixture
def supervisors(session, users):
    """Who gets the report: active supervisors with an address, each address once."""

    def make(role, email, *, partner=None, active=True):
        user = users(role, partner=partner)
        user.email, user.active = email, active
        return user

    make("supervisor", HOUSE)
    make("supervisor", IHK_LEAD, partner="ihk")
    make("supervisor", " LEITUNG@zentrum-zukunft.example ")  # the same mailbox again
    make("supervisor", None)
    make("supervisor", "   ")
    make("supervisor", "ehemalig@zentrum-zukunft.example", active=False)
    make("admin", "admin@zentrum-zukunft.example")
    make("advisor", "berater@zentrum-zukunft.example", partner="ihk")
    session.commit()


@pytest.fixture
def october(session, cases, users):
    """October: IHK accepts one offer in 4 h 5 min and has one waiting; HWK declines one."""
    private = cases(FIRST, LAST, BIRTH, consents=["ihk"], description=DESCRIPTION, at=utc(10, 5, 8))
    offer = cases.offer(private, "ihk", at=utc(10, 6, 8))
    accept_offer(session, users("advisor", partner="ihk"), utc(10, 6, 12, 5), private, offer.id)
    declined = cases("Bert", "Abgelehnt", consents=["hwk"], at=utc(10, 6, 8))
    offer = cases.offer(declined, "hwk", at=utc(10, 7, 7))
    decline_offer(
        session,
        users("advisor", partner="hwk"),
        utc(10, 8, 7),
        session.get(Case, declined.id),
        offer.id,
        DeclineReason.NO_CAPACITY,
        "Kommentar",
    )
    session.commit()
    waiting = cases("Wanda", "Wartet", consents=["ihk"], at=utc(10, 29, 9))
    cases.offer(waiting, "ihk", at=utc(10, 30, 9))
    september = cases("Sep", "Tember", consents=["ihk"], at=utc(9, 10, 9))
    cases.offer(september, "ihk", at=utc(9, 10, 9))
    return [private, declined, waiting, september]


def block(body: str, heading: str) -> str:
    """The paragraph of the body that starts with the heading."""
    parts = body.replace("\r\n", "\n").split("\n\n")
    return next(part for part in parts if part.startswith(heading))


def test_monthly_report_reaches_each_supervisor_once(app, session, mail_on, supervisors, october):
    result = run(app, "--monthly", "--now", NOW_ARG)
    assert result.exit_code == 0, result.output
    assert "Monatsbericht Oktober 2026 an 2 Leitungen versandt." in result.output
    assert sorted(e.rcpt_tos[0] for e in mail_on) == sorted([HOUSE, IHK_LEAD])
    for envelope in mail_on:
        message = parsed(envelope)
        assert message["Subject"] == "Monatsbericht Übergabezeiten Oktober 2026"
        assert message["To"] == envelope.rcpt_tos[0]
        assert message["Auto-Submitted"] == "auto-generated"
        body = message.get_body().get_content()
        assert "01.10.2026 bis 31.10.2026" in body
        assert f"{BASE_URL}/leitung" in body


def test_monthly_report_holds_the_figures(app, session, mail_on, supervisors, october):
    run(app, "--monthly", "--now", NOW_ARG)
    body = parsed(mail_on[0]).get_body().get_content()
    ihk = block(body, "IHK Wuppertal-Solingen-Remscheid (Zielzeit 10 Std.)")
    assert "Angebote erhalten: 2 · angenommen: 1 · abgelehnt: 0 · wartend: 1" in ihk
    # Waits: 245 min (accepted) and the pending one since Fri 30 Oct 10:00: 8 h until Sunday.
    assert "Median 4 Std. 5 Min., 90. Perzentil 8 Std." in ihk
    assert "Innerhalb der Zielzeit angenommen: 100 %" in ihk
    hwk = block(body, "Handwerkskammer Düsseldorf")
    assert "Angebote erhalten: 1 · angenommen: 0 · abgelehnt: 1 · wartend: 0" in hwk
    assert "Median –" in hwk and "Innerhalb der Zielzeit angenommen: 0 %" in hwk
    everyone = block(body, "Alle Partner zusammen")
    assert "Angebote erhalten: 3 · angenommen: 1 · abgelehnt: 1 · wartend: 1" in everyone
    assert "Innerhalb der Zielzeit angenommen: 50 %" in everyone
    assert "keine Übergabeangebote im Monat" in block(body, "Jobcenter Wuppertal")


def test_monthly_report_holds_no_personal_data_and_no_references(
    app, session, mail_on, supervisors, october
):
    run(app, "--monthly", "--now", NOW_ARG)
    assert mail_on
    for envelope in mail_on:
        assert_no_personal_data(envelope, "Kommentar", "Bert", "Wanda", "Abgelehnt")
        raw = envelope.content.decode("utf-8", "replace")
        assert "ZZ-" not in raw
        for case in october:
            assert case.reference not in raw


def test_body_equals_the_dashboard(app, session, supervisors, october):
    dashboard = build_dashboard(session, previous_month(NOW), None, NOW)
    body = monthly_body(dashboard, BASE_URL)
    for fig in dashboard.partners:
        if not fig.received:
            continue
        text = block(body, fig.partner.name)
        assert f"Angebote erhalten: {fig.received} · angenommen: {fig.accepted}" in text
        assert f"Median {working_time(fig.business.median)}," in text
        assert f"90. Perzentil {working_time(fig.business.p90)}" in text


def test_supervisor_addresses(session, supervisors):
    assert supervisor_addresses(session) == [HOUSE, IHK_LEAD]


def test_mail_off_is_an_error_and_sends_nothing(app, session, smtp_server, supervisors):
    _controller, handler = smtp_server
    result = run(app, "--monthly", "--now", NOW_ARG)
    assert result.exit_code == 1
    assert "E-Mail ist ausgeschaltet" in result.output and "Oktober 2026" in result.output
    assert handler.envelopes == []


def test_no_supervisor_with_an_address_is_an_error(app, session, mail_on, users):
    users("supervisor")
    result = run(app, "--monthly", "--now", NOW_ARG)
    assert result.exit_code == 1
    assert "Keine aktive Leitung mit E-Mail-Adresse" in result.output
    assert mail_on == []


def test_unreachable_server_is_logged_and_reported(app, session, supervisors, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    with caplog.at_level(logging.ERROR, logger="zentrum.report_mail"):
        result = run(app, "--monthly", "--now", NOW_ARG)
    assert result.exit_code == 1
    assert "2 von 2 E-Mails nicht versandt" in result.output
    records = [r for r in caplog.records if r.name == "zentrum.report_mail"]
    assert len(records) == 2 and all(r.exc_info for r in records)
    assert HOUSE not in caplog.text


def test_without_monthly_or_with_a_bad_moment_it_is_a_usage_error(app, session, mail_on):
    result = run(app)
    assert result.exit_code == 2 and "--monthly" in result.output and "--refresh" in result.output
    result = run(app, "--monthly", "--now", "gestern")
    assert result.exit_code == 2 and "kein Zeitpunkt" in result.output
    assert mail_on == []


def test_without_now_it_reports_the_month_before_today(app, session, mail_on, supervisors):
    result = run(app, "--monthly")
    assert result.exit_code == 0, result.output
    month = previous_month(datetime.now(UTC))
    assert (
        f"{month.first:%d.%m.%Y} bis {month.last:%d.%m.%Y}"
        in parsed(mail_on[0]).get_body().get_content()
    )
