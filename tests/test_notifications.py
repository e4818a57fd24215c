"""E-mail to partners: through a real local SMTP server, and never with personal data."""

import logging
import socket
from datetime import UTC, date, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from zentrum.notifications import build_message, notify_partner
from zentrum.services.handover import offer_case

BASE_URL = "https://zentrum.example.org"
# Distinctive enough that finding any of them in a mail cannot be chance.
FIRST, LAST = "Quirinella", "Zwetschgenbaum"
BIRTH = date(2008, 3, 19)
DESCRIPTION = "Vertraulich: Streit mit Vermieter Okonkwo-Brandt."
PERSONAL = [FIRST, LAST, "2008-03-19", "19.03.2008", "Vertraulich", "Okonkwo"]


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 that collects what it is sent."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def mail_on(app, smtp_server):
    """Mail switched on, pointing at the local server; returns the collected envelopes."""
    controller, handler = smtp_server
    app.config.update(
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_TIMEOUT=5,
        ZENTRUM_BASE_URL=BASE_URL,
    )
    return handler.envelopes


@pytest.fixture
def private_case(cases):
    """A case whose person and description must never leave the house by mail."""
    return cases(FIRST, LAST, BIRTH, consents=["ihk"], description=DESCRIPTION)


def parsed(envelope):
    """The received message, parsed."""
    return message_from_bytes(envelope.content, policy=policy.default)


def assert_no_personal_data(envelope, *extra):
    """Neither the raw bytes nor the decoded text hold any personal detail."""
    raw = envelope.content.decode("utf-8", "replace")
    text = parsed(envelope).get_body().get_content()
    for secret in [*PERSONAL, *extra]:
        assert secret not in raw
        assert secret not in text


def test_offer_mail_reaches_partner_with_reference_and_link(session, cases, mail_on, private_case):
    ihk = cases.partner("ihk")
    assert notify_partner(ihk, private_case, "offer") is True

    [envelope] = mail_on
    assert envelope.rcpt_tos == ["ihk@zentrum-zukunft.example"]
    assert envelope.mail_from == "zentrum@zentrum-zukunft.example"
    message = parsed(envelope)
    assert message["To"] == "ihk@zentrum-zukunft.example"
    assert message["Subject"] == f"Neues Übergabeangebot {private_case.reference}"
    body = message.get_body().get_content()
    assert private_case.reference in body
    assert f"{BASE_URL}/faelle/{private_case.id}" in body
    assert ihk.name in body and "Übergabeangebot" in body
    assert_no_personal_data(envelope)


def test_referral_mail_names_the_referral(session, cases, mail_on, private_case):
    assert notify_partner(cases.partner("ihk"), private_case, "referral") is True

    [envelope] = mail_on
    message = parsed(envelope)
    assert message["Subject"] == f"Hinzuziehung {private_case.reference}"
    assert "hinzugezogen" in message.get_body().get_content()
    assert_no_personal_data(envelope)


def test_mail_off_sends_nothing(app, session, cases, smtp_server, private_case):
    _controller, handler = smtp_server
    assert app.config["MAIL_SERVER"] is None  # TestConfig keeps mail off
    assert notify_partner(cases.partner("ihk"), private_case, "offer") is False
    assert handler.envelopes == []


def test_partner_without_address_gets_no_mail(session, cases, mail_on, private_case):
    ihk = cases.partner("ihk")
    ihk.email = None
    assert notify_partner(ihk, private_case, "offer") is False
    ihk.email = "  "
    assert notify_partner(ihk, private_case, "offer") is False
    assert mail_on == []


def test_unreachable_server_is_logged_not_raised(app, session, cases, private_case, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    with caplog.at_level(logging.ERROR, logger="zentrum.notifications"):
        assert notify_partner(cases.partner("ihk"), private_case, "offer") is False
    [record] = [r for r in caplog.records if r.name == "zentrum.notifications"]
    assert private_case.reference in record.getMessage()
    assert record.exc_info is not None
    assert not any(secret in caplog.text for secret in PERSONAL)


def test_starttls_required_but_not_offered_sends_nothing(
    app, session, cases, mail_on, private_case, caplog
):
    app.config["MAIL_USE_STARTTLS"] = True
    with caplog.at_level(logging.ERROR, logger="zentrum.notifications"):
        assert notify_partner(cases.partner("ihk"), private_case, "offer") is False
    assert mail_on == []
    assert any(r.name == "zentrum.notifications" for r in caplog.records)


def test_login_when_a_username_is_configured(app, session, cases, private_case):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"geheim", handled=False)

    handler = Collector()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,  # a test server without a certificate
    )
    controller.start()
    try:
        app.config.update(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=controller.port,
            MAIL_USERNAME="zentrum",
            MAIL_PASSWORD="geheim",
        )
        assert notify_partner(cases.partner("ihk"), private_case, "offer") is True
        app.config["MAIL_PASSWORD"] = "falsch"
        assert notify_partner(cases.partner("ihk"), private_case, "offer") is False
    finally:
        controller.stop()
    # smtplib tries each offered mechanism before it gives up on a wrong password.
    assert logins[0] == (b"zentrum", b"geheim")
    assert set(logins[1:]) == {(b"zentrum", b"falsch")}
    assert len(handler.envelopes) == 1


def test_offer_through_the_service_then_mail_after_commit(
    session, cases, users, mail_on, private_case
):
    ihk = cases.partner("ihk")
    note = "Hinweis: Mutter heißt Okonkwo-Brandt"
    offer_case(session, users("frontdesk"), datetime.now(UTC), private_case, ihk, note=note)
    session.commit()

    assert notify_partner(ihk, private_case, "offer") is True
    [envelope] = mail_on
    assert envelope.rcpt_tos == [ihk.email]
    assert f"/faelle/{private_case.id}" in parsed(envelope).get_body().get_content()
    assert_no_personal_data(envelope, note)


def test_offer_helper_then_mail(session, cases, mail_on, private_case):
    cases.offer(private_case, "ihk")
    assert notify_partner(cases.partner("ihk"), private_case, "offer") is True
    assert len(mail_on) == 1


def test_link_defaults_to_the_local_address(app, session, cases, mail_on, private_case):
    del app.config["ZENTRUM_BASE_URL"]
    assert notify_partner(cases.partner("ihk"), private_case, "referral") is True
    body = parsed(mail_on[0]).get_body().get_content()
    assert f"http://127.0.0.1:5000/faelle/{private_case.id}" in body


def test_build_message_without_smtp(session, cases, private_case):
    message = build_message(
        cases.partner("ihk"),
        private_case,
        "offer",
        sender="zentrum@zentrum-zukunft.example",
        base_url=BASE_URL + "/",
    )
    body = message.get_content()
    assert f"{BASE_URL}/faelle/{private_case.id}\n" in body
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@zentrum-zukunft.example>")
    assert not any(secret in message.as_string() + body for secret in PERSONAL)


def test_unknown_kind_is_a_programming_error(app, session, cases, private_case):
    with pytest.raises(ValueError):
        notify_partner(cases.partner("ihk"), private_case, "gossip")
