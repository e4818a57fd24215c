"""E-mail for offers that wait too long: a warning to the partner, a flag to the supervisors.

Like the offer mails (``zentrum.notifications``, whose SMTP settings and
sending this reuses) a mail carries the case reference, the partner, the
waiting time and a link, never personal data. Send only after the commit
that recorded the stages; a mail that cannot be sent is logged, not raised.
"""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import gettext as _

from zentrum.domain.clock import LOCAL_TZ
from zentrum.domain.escalation import WARNING_DENOMINATOR, WARNING_NUMERATOR, Stage
from zentrum.notifications import _send
from zentrum.services.escalation import EscalationNotice

logger = logging.getLogger(__name__)


@dataclass
class MailReport:
    """What became of the mails of one run."""

    enabled: bool = True
    sent: int = 0
    failed: int = 0


def format_working_time(seconds: int) -> str:
    """Working time as hours and minutes, e.g. "8 Std. 15 Min." (seconds dropped)."""
    hours, minutes = divmod(max(seconds, 0) // 60, 60)
    if not hours:
        return _("%(m)s Min.", m=minutes)
    if not minutes:
        return _("%(h)s Std.", h=hours)
    return _("%(h)s Std. %(m)s Min.", h=hours, m=minutes)


def _subject(notice: EscalationNotice) -> str:
    if notice.stage == Stage.WARNING:
        return _("Übergabeangebot %(ref)s wartet: Zielzeit bald erreicht", ref=notice.reference)
    return _("Übergabeangebot %(ref)s überfällig", ref=notice.reference)


def _situation(notice: EscalationNotice) -> str:
    """What happened, in one paragraph: reference, partner, waiting time against the target."""
    values = {
        "ref": notice.reference,
        "partner": notice.partner_name,
        "waited": format_working_time(notice.waited_seconds),
        "target": format_working_time(notice.target_minutes * 60),
        "share": f"{100 * WARNING_NUMERATOR // WARNING_DENOMINATOR} %",
    }
    if notice.stage == Stage.WARNING and notice.waited_seconds > notice.target_minutes * 60:
        # Both stages in one run: the partner learns that the target is already passed.
        return _(
            "das Übergabeangebot zum Fall %(ref)s an %(partner)s wartet seit %(waited)s "
            "Arbeitszeit auf eine Antwort. Die Zielzeit von %(target)s ist bereits "
            "überschritten; die Leitung wird informiert.",
            **values,
        )
    if notice.stage == Stage.WARNING:
        return _(
            "das Übergabeangebot zum Fall %(ref)s an %(partner)s wartet seit %(waited)s "
            "Arbeitszeit auf eine Antwort. Damit sind %(share)s der Zielzeit von %(target)s "
            "erreicht.",
            **values,
        )
    return _(
        "das Übergabeangebot zum Fall %(ref)s an %(partner)s wartet seit %(waited)s "
        "Arbeitszeit auf eine Antwort und hat die Zielzeit von %(target)s überschritten. "
        "Sie erhalten diese Nachricht als Leitung.",
        **values,
    )


def _body(notice: EscalationNotice, link: str) -> str:
    offered = notice.offered_at.astimezone(LOCAL_TZ)
    ask = (
        _("Bitte melden Sie sich an und nehmen Sie das Angebot an oder lehnen Sie es ab:")
        if notice.stage == Stage.WARNING
        else _("Zum Fall (nach der Anmeldung):")
    )
    return "\n\n".join(
        [
            _("Guten Tag,"),
            _situation(notice),
            _(
                "Angeboten am %(day)s um %(time)s Uhr.",
                day=f"{offered:%d.%m.%Y}",
                time=f"{offered:%H:%M}",
            ),
            ask + "\n" + link,
            _(
                "Diese Nachricht enthält aus Datenschutzgründen keine persönlichen Daten. "
                "Sie wurde automatisch versandt; bitte antworten Sie nicht darauf."
            ),
            _("Zentrum Zukunft Wuppertal"),
        ]
    )


def build_escalation_message(
    notice: EscalationNotice, recipient: str, *, sender: str, base_url: str
) -> EmailMessage:
    """The escalation mail to one recipient (no I/O)."""
    message = EmailMessage()
    message["Subject"] = _subject(notice)
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
    link = f"{base_url.rstrip('/')}/faelle/{notice.case_id}"
    message.set_content(_body(notice, link))
    return message


def send_escalation_mails(notices: Iterable[EscalationNotice]) -> MailReport:
    """Mail every notice to each of its recipients, one message each; failures are logged."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return MailReport(enabled=False)
    sender = config.get("MAIL_FROM") or "zentrum@zentrum-zukunft.example"
    base_url = config.get("ZENTRUM_BASE_URL") or "http://127.0.0.1:5000"
    report = MailReport()
    for notice in notices:
        for recipient in notice.recipients:
            try:
                _send(
                    build_escalation_message(notice, recipient, sender=sender, base_url=base_url),
                    config,
                )
            except (smtplib.SMTPException, OSError, ValueError):
                # Reference, stage and partner only: the log holds no personal data either.
                logger.exception(
                    "could not send the %s mail for %s (partner %s)",
                    notice.stage,
                    notice.reference,
                    notice.partner_code,
                )
                report.failed += 1
            else:
                report.sent += 1
    return report
