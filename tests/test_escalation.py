"""Escalation of waiting offers: stages on the real database, mails through a real SMTP server."""

import logging
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

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
from zentrum.domain.clock import LOCAL_TZ
from zentrum.domain.escalation import Stage
from zentrum.domain.vocab import DeclineReason
from zentrum.escalation_mail import build_escalation_message, send_escalation_mails
from zentrum.extensions import db
from zentrum.models import Case, OfferEscalation, User
from zentrum.services import escalation as service
from zentrum.services.escalation import escalate, overdue_offer_ids
from zentrum.services.handover import accept_offer, decline_offer, offer_case

MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
FRI, NEXT_MON = date(2026, 11, 27), date(2026, 11, 30)
IHK_MAIL = "ihk@zentrum-zukunft.example"

__all__ = ["mail_on", "smtp_server"]  # fixtures used by the tests below


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A Wuppertal wall-clock moment as aware UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


@pytest.fixture
def offered(cases):
    """``offered(at, code)``: a new case with consent for IHK and HWK, offered to ``code``."""

    def make(at: datetime, code: str = "ihk", **case_args):
        case = cases(consents=["ihk", "hwk"], at=at - timedelta(minutes=5), **case_args)
        return cases.offer(case, code, at=at)

    return make


@pytest.fixture
def supervisor(users, session):
    """``supervisor(email, partner=code)``: an active supervisor with an address."""

    def make(email: str | None, partner: str | None = None, **changes):
        user = users("supervisor", partner=partner)
        user.email = email
        for name, value in changes.items():
            setattr(user, name, value)
        session.commit()
        return user

    return make


def run(session, now: datetime):
    """One escalation run as the command does it: record, commit, then mail."""
    notices = escalate(session, now)
    session.commit()
    send_escalation_mails(notices)
    return notices


def stages(notices) -> list[tuple[int, str]]:
    return [(n.handover_id, n.stage.value) for n in notices]


def rows(session) -> list[tuple[int, str]]:
    stmt = sa.select(OfferEscalation.handover_id, OfferEscalation.stage).order_by(
        OfferEscalation.handover_id, OfferEscalation.id
    )
    return [tuple(row) for row in session.execute(stmt)]


# -- when a stage is due --------------------------------------------------------------------


def test_nothing_is_due_before_eighty_percent(session, offered, mail_on):
    offer = offered(local(MON, 8))
    assert run(session, local(MON, 15, 59)) == []
    assert rows(session) == [] and mail_on == []
    assert offer.to_partner.target_minutes == 600


def test_warning_from_eighty_percent_mails_the_partners_address(session, offered, mail_on):
    offer = offered(local(MON, 8))
    [notice] = run(session, local(MON, 16))

    assert (notice.handover_id, notice.stage) == (offer.id, Stage.WARNING)
    assert notice.waited_seconds == 8 * 3600 and notice.recipients == (IHK_MAIL,)
    assert rows(session) == [(offer.id, "warning")]
    [envelope] = mail_on
    assert envelope.rcpt_tos == [IHK_MAIL]
    message = parsed(envelope)
    reference = notice.reference
    assert message["Subject"] == f"Übergabeangebot {reference} wartet: Zielzeit bald erreicht"
    body = message.get_body().get_content()
    assert reference in body and "IHK Wuppertal-Solingen-Remscheid" in body
    assert "seit 8 Std. Arbeitszeit" in body and "80 % der Zielzeit von 10 Std." in body
    assert "Angeboten am 23.11.2026 um 08:00 Uhr." in body
    assert f"{BASE_URL}/faelle/{offer.case_id}" in body.splitlines()


def test_overdue_only_once_the_target_is_passed_not_overnight(
    session, offered, supervisor, mail_on
):
    boss = supervisor("leitung@zentrum-zukunft.example")
    offer = offered(local(MON, 8))
    assert stages(run(session, local(MON, 18))) == [(offer.id, "warning")]
    # The night does not count: at eight on Tuesday the target is used, not passed.
    assert run(session, local(TUE, 7, 59)) == []
    assert run(session, local(TUE, 8)) == []
    [notice] = run(session, local(TUE, 8, 1))

    assert (notice.stage, notice.recipients) == (Stage.OVERDUE, (boss.email,))
    assert rows(session) == [(offer.id, "warning"), (offer.id, "overdue")]
    assert overdue_offer_ids(session) == {offer.id}
    assert [e.rcpt_tos for e in mail_on] == [[IHK_MAIL], [boss.email]]
    message = parsed(mail_on[1])
    assert message["Subject"] == f"Übergabeangebot {notice.reference} überfällig"
    body = message.get_body().get_content()
    assert (
        "seit 10 Std. 1 Min. Arbeitszeit" in body and "Zielzeit von 10 Std. überschritten" in body
    )
    assert f"{BASE_URL}/faelle/{offer.case_id}" in body


def test_weekend_does_not_count(session, offered):
    offer = offered(local(FRI, 16))
    assert run(session, local(NEXT_MON, 8)) == []  # two working hours of ten
    assert stages(run(session, local(NEXT_MON, 14))) == [(offer.id, "warning")]
    assert run(session, local(NEXT_MON, 16)) == []
    assert stages(run(session, local(NEXT_MON, 16, 1))) == [(offer.id, "overdue")]


def test_public_holiday_does_not_count(session, offered):
    # Thursday 4 June 2026 is Corpus Christi (Fronleichnam), a holiday in NRW.
    offer = offered(local(date(2026, 6, 3), 16))
    assert run(session, local(date(2026, 6, 4), 17)) == []
    assert run(session, local(date(2026, 6, 5), 13, 59)) == []
    assert stages(run(session, local(date(2026, 6, 5), 14))) == [(offer.id, "warning")]


def test_partner_target_is_its_own(session, offered, cases):
    cases.partner("ihk").target_minutes = 60
    session.commit()
    offer = offered(local(MON, 8))
    assert run(session, local(MON, 8, 47)) == []
    assert stages(run(session, local(MON, 8, 48))) == [(offer.id, "warning")]
    assert stages(run(session, local(MON, 9, 1))) == [(offer.id, "overdue")]


def test_offer_past_the_target_at_once_gets_both_stages_warning_first(
    session, offered, supervisor, mail_on
):
    boss = supervisor("leitung@zentrum-zukunft.example")
    offer = offered(local(MON, 8))
    notices = run(session, local(WED, 12))
    assert stages(notices) == [(offer.id, "warning"), (offer.id, "overdue")]
    assert rows(session) == [(offer.id, "warning"), (offer.id, "overdue")]
    assert [e.rcpt_tos for e in mail_on] == [[IHK_MAIL], [boss.email]]
    warning = parsed(mail_on[0]).get_body().get_content()
    assert "seit 24 Std. Arbeitszeit" in warning  # Monday, Tuesday and four hours
    assert "Zielzeit von 10 Std. ist bereits überschritten" in warning and "80 %" not in warning


# -- once per stage --------------------------------------------------------------------------


def test_second_run_sends_nothing(session, offered, supervisor, mail_on):
    supervisor("leitung@zentrum-zukunft.example")
    offered(local(MON, 8))
    offered(local(MON, 12))
    assert len(run(session, local(TUE, 11))) == 3  # both stages, and a warning
    assert len(mail_on) == 3
    assert run(session, local(TUE, 11)) == []
    assert run(session, local(TUE, 11, 15)) == []
    assert len(mail_on) == 3 and len(rows(session)) == 3


def test_a_run_that_lost_the_insert_to_another_run_mails_nothing(
    session, offered, supervisor, mail_on, monkeypatch, caplog
):
    supervisor("leitung@zentrum-zukunft.example")
    offer = offered(local(MON, 8))
    assert len(run(session, local(WED, 8))) == 2
    # A second run that read the recorded stages before the first one committed.
    monkeypatch.setattr(service, "_recorded_stages", lambda _session, _ids: {})
    with caplog.at_level(logging.INFO, logger="zentrum.services.escalation"):
        assert run(session, local(WED, 8, 15)) == []
    assert caplog.text.count("was recorded by another run") == 2
    assert rows(session) == [(offer.id, "warning"), (offer.id, "overdue")]
    assert len(mail_on) == 2


def test_concurrent_runs_claim_each_stage_once(app, session, offered, supervisor, monkeypatch):
    supervisor("leitung@zentrum-zukunft.example")
    offers = [offered(local(MON, 8) + timedelta(minutes=i)) for i in range(8)]
    session.rollback()  # hold no transaction while the threads work
    read_both = threading.Barrier(2, timeout=30)
    read = service._recorded_stages

    def read_then_wait(*args):
        # Both runs have seen no stage recorded before either inserts one.
        recorded = read(*args)
        read_both.wait()
        return recorded

    monkeypatch.setattr(service, "_recorded_stages", read_then_wait)
    results: list = [None, None]

    def work(slot: int) -> None:
        with app.app_context():
            try:
                notices = escalate(db.session, local(WED, 12))
                db.session.commit()
                results[slot] = stages(notices)
            except OperationalError as error:  # SQLite: "database is locked" for the loser
                db.session.rollback()
                results[slot] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    expected = [(offer.id, stage) for offer in offers for stage in ("warning", "overdue")]
    if db.engine.dialect.name == "postgresql":
        # The unique constraint decided row by row: one run claimed all, the other none.
        assert sorted(results, key=len) == [[], expected], results
    else:
        # SQLite lets one writer in; the other run fails whole and mails nothing.
        assert [r for r in results if isinstance(r, list)] == [expected], results
        assert sum(isinstance(r, OperationalError) for r in results) == 1, results
    assert sorted(rows(session)) == sorted(expected)


# -- each offer its own clock ----------------------------------------------------------------


def test_handover_to_another_partner_starts_a_new_clock(session, cases, users, offered):
    cases.partner("hwk").target_minutes = 300
    session.commit()
    ihk_advisor = users("advisor", partner="ihk")
    first = offered(local(MON, 8))
    case = first.case_id
    assert stages(run(session, local(MON, 16, 30))) == [(first.id, "warning")]
    decline_offer(
        session,
        ihk_advisor,
        local(MON, 17),
        _case(session, case),
        first.id,
        DeclineReason.NOT_RESPONSIBLE,
    )
    session.commit()
    second = cases.offer(_case(session, case), "hwk", at=local(TUE, 14))

    # The case has waited far longer than a day, the new offer only three hours of five.
    assert run(session, local(TUE, 17)) == []
    [notice] = run(session, local(TUE, 18))
    assert (notice.handover_id, notice.stage, notice.partner_code) == (second.id, "warning", "hwk")
    assert notice.recipients == ("hwk@zentrum-zukunft.example",)
    assert stages(run(session, local(WED, 9, 1))) == [(second.id, "overdue")]
    # The declined offer is never judged again.
    assert rows(session) == [(first.id, "warning"), (second.id, "warning"), (second.id, "overdue")]


def test_accepted_offer_is_not_escalated_and_loses_its_flag(session, users, offered, supervisor):
    supervisor("leitung@zentrum-zukunft.example")
    offer = offered(local(MON, 8))
    waiting = offered(local(MON, 8), "hwk")
    run(session, local(TUE, 9))
    assert overdue_offer_ids(session) == {offer.id, waiting.id}
    assert overdue_offer_ids(session, partner_id=offer.to_partner_id) == {offer.id}
    accept_offer(
        session,
        users("advisor", partner="ihk"),
        local(TUE, 10),
        _case(session, offer.case_id),
        offer.id,
    )
    session.commit()
    assert overdue_offer_ids(session) == {waiting.id}
    later = offered(local(TUE, 10))
    assert stages(run(session, local(WED, 9))) == [(later.id, "warning")]


def _case(session, case_id):
    return session.get(Case, case_id)


# -- who is told ------------------------------------------------------------------------------


def test_overdue_goes_to_the_partners_and_the_house_wide_supervisors_only(
    session, users, offered, supervisor, mail_on, caplog
):
    own = supervisor("ihk.leitung@zentrum-zukunft.example", partner="ihk")
    house = supervisor("leitung@zentrum-zukunft.example")
    supervisor("hwk.leitung@zentrum-zukunft.example", partner="hwk")
    supervisor("frueher@zentrum-zukunft.example", partner="ihk", active=False)
    silent = supervisor(None, partner="ihk")
    supervisor("  ")
    supervisor("LEITUNG@zentrum-zukunft.example")  # the same mailbox once more
    advisor = users("advisor", partner="ihk")
    advisor.email = "berater@zentrum-zukunft.example"
    admin = users("admin")
    admin.email = "admin@zentrum-zukunft.example"
    session.commit()
    offered(local(MON, 8))

    with caplog.at_level(logging.WARNING, logger="zentrum.services.escalation"):
        warning, overdue = run(session, local(WED, 8))
    assert warning.recipients == (IHK_MAIL,)
    assert overdue.recipients == (own.email, house.email)
    assert sorted(e.rcpt_tos[0] for e in mail_on) == sorted([IHK_MAIL, own.email, house.email])
    skipped = [r.getMessage() for r in caplog.records if "no e-mail address" in r.getMessage()]
    assert any(f"user {silent.id}" in message for message in skipped)
    [row] = session.scalars(sa.select(OfferEscalation).where(OfferEscalation.stage == "overdue"))
    assert row.mailed_to == f"{own.email}, {house.email}"


def test_stage_without_any_address_is_still_recorded(session, cases, offered, mail_on, caplog):
    cases.partner("ihk").email = None
    session.commit()
    offer = offered(local(MON, 8))
    with caplog.at_level(logging.WARNING, logger="zentrum.services.escalation"):
        notices = run(session, local(WED, 8))
    assert [n.recipients for n in notices] == [(), ()]
    assert rows(session) == [(offer.id, "warning"), (offer.id, "overdue")]
    assert overdue_offer_ids(session) == {offer.id}
    assert mail_on == []
    assert "goes to nobody" in caplog.text


def test_no_personal_data_in_any_mail(session, cases, offered, supervisor, mail_on):
    supervisor("ihk.leitung@zentrum-zukunft.example", partner="ihk")
    note = "Hinweis: Mutter heißt Okonkwo-Brandt"
    case = cases(FIRST, LAST, BIRTH, consents=["ihk"], description=DESCRIPTION, at=local(MON, 7))
    offer_case(session, cases.frontdesk(), local(MON, 8), case, cases.partner("ihk"), note=note)
    session.commit()
    run(session, local(WED, 8))
    assert len(mail_on) == 2
    for envelope in mail_on:
        assert_no_personal_data(envelope, note, cases.frontdesk().display_name)
        assert case.reference in parsed(envelope).get_body().get_content()


def test_mail_that_cannot_be_sent_is_logged_and_counted(app, session, offered, caplog):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    offered(local(MON, 8))
    notices = escalate(session, local(MON, 16))
    session.commit()
    with caplog.at_level(logging.ERROR, logger="zentrum.escalation_mail"):
        report = send_escalation_mails(notices)
    assert (report.enabled, report.sent, report.failed) == (True, 0, 1)
    assert notices[0].reference in caplog.text and FIRST not in caplog.text


def test_message_without_smtp(session, offered):
    offered(local(MON, 8))
    [notice] = escalate(session, local(MON, 9) + timedelta(hours=7, minutes=5))
    message = build_escalation_message(
        notice, IHK_MAIL, sender="zentrum@zentrum-zukunft.example", base_url=BASE_URL + "/"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert "seit 8 Std. 5 Min. Arbeitszeit" in message.get_content()
    assert f"{BASE_URL}/faelle/{notice.case_id}\n" in message.get_content()


# -- the command -------------------------------------------------------------------------------


def test_command_reports_and_mails_once(app, session, offered, supervisor, mail_on):
    supervisor("leitung@zentrum-zukunft.example")
    offered(local(MON, 8))
    offered(local(TUE, 8))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["escalate", "--now", local(TUE, 16, 30).isoformat()])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "2 Warnungen, 1 Überschreitung gemeldet"
    assert len(mail_on) == 3
    second = runner.invoke(args=["escalate", "--now", local(TUE, 16, 45).isoformat()])
    assert second.exit_code == 0, second.output
    assert second.output.strip() == "0 Warnungen, 0 Überschreitungen gemeldet"
    assert len(mail_on) == 3
    session.rollback()
    assert len(rows(session)) == 3


def test_command_reads_a_time_without_zone_as_wuppertal_time(app, session, offered, mail_on):
    offered(local(MON, 8))
    runner = app.test_cli_runner()
    early = runner.invoke(args=["escalate", "--now", "2026-11-23T15:59"])
    assert early.output.strip() == "0 Warnungen, 0 Überschreitungen gemeldet"
    due = runner.invoke(args=["escalate", "--now", "2026-11-23T16:00"])
    assert due.output.strip() == "1 Warnung, 0 Überschreitungen gemeldet"
    assert len(mail_on) == 1


def test_command_with_mail_off_still_flags(app, session, offered, supervisor, smtp_server):
    _controller, handler = smtp_server
    supervisor("leitung@zentrum-zukunft.example")
    offer = offered(local(MON, 8))
    result = app.test_cli_runner().invoke(args=["escalate", "--now", "2026-11-25T08:00"])
    assert result.exit_code == 0, result.output
    assert "1 Warnung, 1 Überschreitung gemeldet" in result.output
    assert "E-Mail ist ausgeschaltet" in result.output
    assert handler.envelopes == []
    session.rollback()
    assert overdue_offer_ids(session) == {offer.id}


def test_command_fails_visibly_when_mail_fails(app, session, offered):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    offered(local(MON, 8))
    result = app.test_cli_runner().invoke(args=["escalate", "--now", "2026-11-23T16:00"])
    assert result.exit_code == 1
    assert "1 Warnung, 0 Überschreitungen gemeldet" in result.output
    assert "1 von 1 E-Mails nicht versandt" in result.output
    session.rollback()
    assert len(rows(session)) == 1  # recorded all the same: never mailed twice


def test_command_refuses_a_time_it_cannot_read(app, session):
    result = app.test_cli_runner().invoke(args=["escalate", "--now", "gestern"])
    assert result.exit_code == 2
    assert "kein Zeitpunkt" in result.output


def test_command_runs_without_now(app, session, offered):
    offered(datetime.now(UTC))
    result = app.test_cli_runner().invoke(args=["escalate"])
    assert result.exit_code == 0, result.output
    assert "gemeldet" in result.output


def test_create_user_takes_an_email(app, session):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "m.klein",
            "--role",
            "supervisor",
            "--name",
            "Martina Klein",
            "--email",
            "m.klein@zentrum-zukunft.example",
            "--password",
            "ein-langes-passwort",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(sa.select(User).where(User.username == "m.klein"))
    assert user.email == "m.klein@zentrum-zukunft.example"
    bad = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "x",
            "--role",
            "supervisor",
            "--name",
            "X",
            "--email",
            "kein-at",
            "--password",
            "ein-langes-passwort",
        ]
    )
    assert bad.exit_code == 2 and "--email" in bad.output


# -- cost --------------------------------------------------------------------------------------


def test_statements_do_not_grow_with_the_number_of_offers(session, offered, count_queries):
    def statements(n: int) -> int:
        for _ in range(n):
            offered(local(MON, 8))
        session.rollback()
        with count_queries() as counted:
            assert escalate(session, local(MON, 9)) == []
        session.rollback()
        return len(counted)

    assert statements(2) == statements(6) == 2
