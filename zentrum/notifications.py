"""E-mail to a partner's functional address when a case is offered or referred to it.

The mail carries the case reference and a link, never personal data: whoever
reads the partner's mailbox must log in to see more, and visibility rules
apply there. Call ``notify_partner`` only after the commit succeeded; a mail
that cannot be sent is logged and never breaks the request.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from zentrum.models import Case, Partner

logger = logging.getLogger(__name__)

KINDS = ("offer", "referral")


def case_link(base_url: str, case: Case) -> str:
    """The absolute address of the case page."""
    return f"{base_url.rstrip('/')}/faelle/{case.id}"


def _subject(kind: str, reference: str) -> str:
    if kind == "offer":
        return _("Neues Übergabeangebot %(ref)s", ref=reference)
    return _("Hinzuziehung %(ref)s", ref=reference)


def _body(partner: Partner, case: Case, kind: str, link: str) -> str:
    if kind == "offer":
        what = _(
            "der Fall %(ref)s wurde %(partner)s zur Übernahme angeboten (Übergabeangebot).",
            ref=case.reference,
            partner=partner.name,
        )
    else:
        what = _(
            "%(partner)s wurde zum Fall %(ref)s hinzugezogen (Hinzuziehung).",
            ref=case.reference,
            partner=partner.name,
        )
    return "\n\n".join(
        [
            _("Guten Tag,"),
            what,
            _("Bitte melden Sie sich an und öffnen Sie den Fall:") + "\n" + link,
            _(
                "Diese Nachricht enthält aus Datenschutzgründen keine persönlichen Daten. "
                "Sie wurde automatisch versandt; bitte antworten Sie nicht darauf."
            ),
            _("Zentrum Zukunft Wuppertal"),
        ]
    )


def build_message(
    partner: Partner, case: Case, kind: str, *, sender: str, base_url: str
) -> EmailMessage:
    """The notification as an e-mail: reference, kind and link only (no I/O)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind!r}")
    message = EmailMessage()
    message["Subject"] = _subject(kind, case.reference)
    message["From"] = sender
    message["To"] = partner.email
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # RFC 3834: no vacation replies or other auto-answers to this address.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_body(partner, case, kind, case_link(base_url, case)))
    return message


def _send(message: EmailMessage, config) -> None:
    """Hand the message to the configured SMTP server (STARTTLS and login when set)."""
    with smtplib.SMTP(
        config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=config.get("MAIL_TIMEOUT", 10)
    ) as smtp:
        if config.get("MAIL_USE_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def notify_partner(partner: Partner, case: Case, kind: str) -> bool:
    """Mail the partner that a case was offered or referred to it; True when sent.

    False when mail is off (no MAIL_SERVER), the partner has no address, or
    sending failed; a failure is logged, never raised.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind: {kind!r}")
    config = current_app.config
    if not config.get("MAIL_SERVER") or not (partner.email or "").strip():
        return False
    try:
        # A partner's shared mailbox reads German, whatever language the sender chose.
        with force_locale("de"):
            message = build_message(
                partner,
                case,
                kind,
                sender=config.get("MAIL_FROM") or "zentrum@zentrum-zukunft.example",
                base_url=config.get("ZENTRUM_BASE_URL") or "http://127.0.0.1:5000",
            )
        _send(message, config)
    except (smtplib.SMTPException, OSError, ValueError):
        # Only the reference and the partner: the log must not hold personal data either.
        logger.exception(
            "could not send the %s notification for %s to partner %s",
            kind,
            case.reference,
            partner.code,
        )
        return False
    return True
