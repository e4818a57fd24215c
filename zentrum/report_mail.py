"""The monthly report: last month's handover figures, mailed to every supervisor.

Figures only, per partner and for the whole house: offers received, accepted,
declined and still waiting, the median and 90th percentile of the waiting
time in working hours, and the share accepted within the partner's target.
No names, no case references, nothing about a single case. Sent through the
SMTP settings of the offer mails (``zentrum.notifications``); a mail that
cannot be sent is logged and counted, never raised.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from zentrum.domain.clock import LOCAL_TZ
from zentrum.domain.vocab import Role
from zentrum.models import User
from zentrum.notifications import _send
from zentrum.services.dashboard import Dashboard, build_dashboard
from zentrum.services.periods import Period, previous_month
from zentrum.services.reports import PartnerFigures, Spread

logger = logging.getLogger(__name__)


@dataclass
class MonthlyOutcome:
    """What became of one run: the month, and how many mails went out or failed."""

    period: Period
    enabled: bool = True
    recipients: int = 0
    sent: int = 0
    failed: int = 0


def supervisor_addresses(session: Session) -> list[str]:
    """The addresses of the active supervisors, each once (first spelling wins)."""
    stmt = (
        sa.select(User.email)
        .where(User.role == Role.SUPERVISOR.value, User.active.is_(True))
        .order_by(User.id)
    )
    seen: dict[str, str] = {}
    for value in session.scalars(stmt):
        address = (value or "").strip()
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


def working_time(seconds: int | None) -> str:
    """Working time as "2 Std. 5 Min." (seconds dropped); "–" when there is none."""
    if seconds is None:
        return "–"
    hours, minutes = divmod(max(seconds, 0) // 60, 60)
    if not hours:
        return _("%(m)s Min.", m=minutes)
    if not minutes:
        return _("%(h)s Std.", h=hours)
    return _("%(h)s Std. %(m)s Min.", h=hours, m=minutes)


def share_text(within: int, base: int) -> str:
    """A share as whole per cent, "–" without a base."""
    return f"{round(100 * within / base)} %" if base else "–"


def month_name(period: Period) -> str:
    """ "Oktober 2026"."""
    return format_date(period.first, "LLLL yyyy")


def _block(heading: str, counts: tuple[int, ...], spread: Spread) -> str:
    received, accepted, declined, pending, within, base = counts
    if not received:
        return heading + "\n  " + _("keine Übergabeangebote im Monat")
    lines = [
        heading,
        _(
            "Angebote erhalten: %(received)d · angenommen: %(accepted)d · abgelehnt: "
            "%(declined)d · wartend: %(pending)d",
            received=received,
            accepted=accepted,
            declined=declined,
            pending=pending,
        ),
        _(
            "Wartezeit in Arbeitszeit (angenommene und noch wartende Angebote): "
            "Median %(median)s, 90. Perzentil %(p90)s",
            median=working_time(spread.median),
            p90=working_time(spread.p90),
        ),
        _("Innerhalb der Zielzeit angenommen: %(share)s", share=share_text(within, base)),
    ]
    return "\n  ".join(lines)


def _counts(fig: PartnerFigures) -> tuple[int, ...]:
    return (
        fig.received,
        fig.accepted,
        fig.declined,
        fig.pending,
        fig.within_target,
        fig.decided_or_due,
    )


def monthly_body(dashboard: Dashboard, base_url: str) -> str:
    """The report's text: the whole house first, then each partner (no I/O)."""
    period = dashboard.period
    shown = [f for f in dashboard.partners if f.partner.active or f.received]
    totals = tuple(sum(column) for column in zip(*map(_counts, dashboard.partners), strict=True))
    blocks = [_block(_("Alle Partner zusammen"), totals or (0,) * 6, dashboard.overall)]
    for fig in shown:
        target = working_time(fig.partner.target_minutes * 60)
        heading = _("%(name)s (Zielzeit %(target)s)", name=fig.partner.name, target=target)
        blocks.append(_block(heading, _counts(fig), fig.business))
    stand = dashboard.now.astimezone(LOCAL_TZ)
    return "\n\n".join(
        [
            _("Guten Tag,"),
            _(
                "hier sind die Übergabezahlen des Zentrums Zukunft für %(month)s "
                "(%(first)s bis %(last)s, Stand %(stand)s Uhr).",
                month=month_name(period),
                first=f"{period.first:%d.%m.%Y}",
                last=f"{period.last:%d.%m.%Y}",
                stand=f"{stand:%d.%m.%Y, %H:%M}",
            ),
            *blocks,
            _(
                "Gezählt werden die Angebote, die im Monat gemacht wurden. Wartezeiten zählen "
                "nur die Öffnungszeiten des Hauses; noch wartende Angebote zählen bis zum "
                "Stand mit."
            ),
            _("Alle Zahlen finden Sie nach der Anmeldung unter:")
            + "\n"
            + f"{base_url.rstrip('/')}/leitung",
            _(
                "Diese Nachricht enthält nur Zahlen: keine personenbezogenen Daten und keine "
                "Fallnummern. Sie wurde automatisch versandt; bitte antworten Sie nicht darauf."
            ),
            _("Zentrum Zukunft Wuppertal"),
        ]
    )


def build_report_message(
    dashboard: Dashboard, recipient: str, *, sender: str, base_url: str
) -> EmailMessage:
    """The monthly report to one recipient (no I/O)."""
    message = EmailMessage()
    message["Subject"] = _(
        "Monatsbericht Übergabezeiten %(month)s", month=month_name(dashboard.period)
    )
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
    message.set_content(monthly_body(dashboard, base_url))
    return message


def send_monthly_report(session: Session, now: datetime) -> MonthlyOutcome:
    """Mail the previous month's figures to every active supervisor with an address."""
    period = previous_month(now)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return MonthlyOutcome(period, enabled=False)
    recipients = supervisor_addresses(session)
    outcome = MonthlyOutcome(period, recipients=len(recipients))
    if not recipients:
        return outcome
    dashboard = build_dashboard(session, period, None, now)
    sender = config.get("MAIL_FROM") or "zentrum@zentrum-zukunft.example"
    base_url = config.get("ZENTRUM_BASE_URL") or "http://127.0.0.1:5000"
    for recipient in recipients:
        try:
            _send(
                build_report_message(dashboard, recipient, sender=sender, base_url=base_url), config
            )
        except (smtplib.SMTPException, OSError, ValueError):
            # The month only: the log holds no address and no personal data either.
            logger.exception("could not send the monthly report for %s", period.first)
            outcome.failed += 1
        else:
            outcome.sent += 1
    return outcome
