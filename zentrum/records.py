"""The record of processing activities (Verarbeitungsverzeichnis, Art. 30 DSGVO).

Generated from the running configuration, the vocabularies and the database
(partners, topics, the stored columns), so that it says what the service does,
not what somebody once wrote down. The page and ``zentrum vvz`` render the same
sections.
"""

import re
from dataclasses import dataclass, field

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from zentrum.domain.vocab import Channel, MemberRole, Role, Urgency
from zentrum.labels import label, topic_label
from zentrum.models.base import utcnow
from zentrum.services.records import RecordFacts, record_facts

FIELD_LABELS = {
    "first_name": _l("Vorname"),
    "last_name": _l("Nachname"),
    "birth_date": _l("Geburtsdatum"),
    "phone": _l("Telefonnummer"),
    "email": _l("E-Mail-Adresse"),
    "district": _l("Stadtbezirk"),
    "postcode": _l("Postleitzahl"),
    "language": _l("Sprache"),
    "interpreter_needed": _l("Dolmetschbedarf"),
    "username": _l("Benutzername"),
    "display_name": _l("Anzeigename"),
    "role": _l("Rolle"),
    "partner_id": _l("Partnerorganisation"),
    "active": _l("aktiv/deaktiviert"),
    "last_login_at": _l("letzte Anmeldung"),
    "must_change_password": _l("muss Passwort ändern"),
    "locale": _l("Sprache"),
}


@dataclass
class Section:
    """One heading of the record and its points."""

    title: str
    items: list[str] = field(default_factory=list)


def _fields(columns: list[str]) -> str:
    """Column names as German field labels; a new column shows under its own name."""
    names = []
    for column in columns:
        if column.startswith("totp"):
            text = _("zweiter Faktor (TOTP)")
        else:
            text = str(FIELD_LABELS.get(column, column))
        if text not in names:
            names.append(text)
    return ", ".join(names)


_RATE = re.compile(r"^\s*(\d+)\s+per\s+(\d+\s+)?(second|minute|hour|day)s?\s*$")
_UNITS = {
    "second": (_l("Sekunde"), _l("Sekunden")),
    "minute": (_l("Minute"), _l("Minuten")),
    "hour": (_l("Stunde"), _l("Stunden")),
    "day": (_l("Tag"), _l("Tagen")),
}


def _rate(text: str) -> str:
    """A limit as configured ("5 per 15 minutes") in German ("5 in 15 Minuten")."""
    match = _RATE.match(text)
    if match is None:
        return text
    count, span, unit = match.groups()
    one, many = _UNITS[unit]
    if span:
        return _("%(count)s in %(span)s %(unit)s", count=count, span=span.strip(), unit=many)
    return _("%(count)s pro %(unit)s", count=count, unit=one)


def _labels(kind: str, values) -> str:
    return ", ".join(label(kind, value) for value in values)


def _contact(config, key: str) -> str:
    """A configured contact, or which variable to set (one message, not glued fragments)."""
    if config[key]:
        return config[key]
    return _("nicht eingetragen (%(variable)s)", variable=f"ZENTRUM_{key}")


def _controller(config) -> Section:
    return Section(
        _("Verantwortlicher"),
        [
            config["CONTROLLER_NAME"],
            _("Kontakt: %(contact)s", contact=_contact(config, "CONTROLLER_CONTACT")),
            _("Datenschutzbeauftragte:r: %(contact)s", contact=_contact(config, "DPO_CONTACT")),
        ],
    )


def _purposes() -> Section:
    return Section(
        _("Zwecke und Rechtsgrundlagen"),
        [
            _(
                "Aufnahme und Dokumentation der Anliegen junger Menschen und ihrer Familien "
                "(Beratung aus einer Hand)."
            ),
            _(
                "Weitergabe an Partnerorganisationen (Übergabe, Hinzuziehung) mit Einwilligung "
                "der Person (Art. 6 Abs. 1 lit. a, Art. 9 Abs. 2 lit. a DSGVO), ohne Einwilligung "
                "nur bei Kindeswohlgefährdung an das Jugendamt (§ 8a SGB VIII)."
            ),
            _(
                "Steuerung und Qualitätssicherung: Übergabezeiten und Auswertungen ohne "
                "Personenbezug für die Leitung."
            ),
            _(
                "Nachweis und Sicherheit: Benutzerkonten und Protokoll der Zugriffe "
                "(Art. 5 Abs. 2, Art. 32 DSGVO)."
            ),
        ],
    )


def _subjects() -> Section:
    return Section(
        _("Kategorien betroffener Personen"),
        [
            _("Personen in Anliegen: %(roles)s", roles=_labels("member_role", MemberRole)),
            _("Beschäftigte mit Benutzerkonto: %(roles)s", roles=_labels("role", Role)),
        ],
    )


def _data(facts: RecordFacts) -> Section:
    return Section(
        _("Kategorien personenbezogener Daten"),
        [
            _("Angaben zur Person: %(fields)s", fields=_fields(facts.person_columns)),
            _(
                "Anliegen: Themen (%(topics)s), Dringlichkeit (%(urgencies)s), Zugangsweg "
                "(%(channels)s), Beschreibung, Ergebnis",
                topics=", ".join(topic_label(topic) for topic in facts.topics),
                urgencies=_labels("urgency", Urgency),
                channels=_labels("channel", Channel),
            ),
            _(
                "Fallnotizen (geteilt oder intern), Verlauf, Übergaben und Hinzuziehungen mit "
                "Ablehnungsgründen und Kommentaren"
            ),
            _(
                "Einwilligungen (Schweigepflichtentbindungen) je Partnerorganisation mit Datum "
                "und Widerruf"
            ),
            _(
                "Besondere Kategorien (Art. 9 DSGVO) sind möglich: Themen wie Gesundheit oder "
                "schwierige Lebenslage, Krisen, Freitexte."
            ),
            _("Benutzerkonten: %(fields)s", fields=_fields(facts.user_columns)),
            _("Protokoll: Zeitpunkt, Benutzer, Aktion, Fall/Person, Netzwerkadresse"),
        ],
    )


def _recipients(facts: RecordFacts) -> Section:
    items = []
    for partner in facts.recipients:
        text = partner.name
        if partner.child_protection:
            text += " – " + _("Kinderschutz: erhält Krisen auch ohne Einwilligung (§ 8a SGB VIII)")
        if not partner.active:
            text += " – " + _("inaktiv, erhält keine neuen Fälle")
        items.append(text)
    items.append(_("Keine Übermittlung in Drittländer."))
    return Section(_("Empfänger (Partnerorganisationen im Haus)"), items)


def _retention(config) -> Section:
    years = config["RETENTION_YEARS"]
    audit_years = config.get("AUDIT_RETENTION_YEARS")
    return Section(
        _("Löschfristen"),
        [
            _(
                "Abgeschlossene Fälle werden %(years)s Jahre nach Abschluss anonymisiert "
                "(zentrum retention): Namen, Kontaktdaten und Freitexte werden entfernt, das "
                "Geburtsdatum auf den Quartalsbeginn gekürzt; Zahlen für Auswertungen bleiben.",
                years=years,
            ),
            _(
                "Personen in weiteren, noch nicht fälligen Fällen behalten ihre Angaben, bis "
                "alle ihre Fälle fällig sind."
            ),
            _("Protokoll: %(years)s Jahre.", years=audit_years)
            if audit_years
            else _("Protokoll: ohne automatische Löschung (Frist noch festzulegen)."),
            _(
                "Sitzungen enden nach %(idle)s Minuten ohne Anfrage, spätestens %(hours)s "
                "Stunden nach der Anmeldung.",
                idle=config["SESSION_IDLE_MINUTES"],
                hours=config["SESSION_MAX_HOURS"],
            ),
        ],
    )


def _measures(config, facts: RecordFacts) -> Section:
    items = [
        _(
            "Passwörter als Argon2id-Hash (Zeitkosten %(time)s, Speicher %(memory)s KiB, "
            "Parallelität %(parallel)s); Mindestlänge und Sperrliste häufiger Passwörter.",
            time=config["ARGON2_TIME_COST"],
            memory=config["ARGON2_MEMORY_COST"],
            parallel=config["ARGON2_PARALLELISM"],
        ),
    ]
    if any(column.startswith("totp") for column in facts.user_columns):
        items.append(_("Zwei-Faktor-Anmeldung (TOTP)."))
    if config.get("RATELIMIT_ENABLED"):
        items.append(
            _(
                "Anmeldeversuche je Adresse: %(per_address)s; Fehlversuche je Benutzername: "
                "%(per_user)s (danach gesperrt).",
                per_address=_rate(config["LOGIN_RATE_LIMIT"]),
                per_user=_rate(config["LOGIN_FAILURE_LIMIT"]),
            )
        )
    items += [
        _(
            "Rollen und Sichtbarkeit: Berater:innen sehen nur Fälle, an denen ihre "
            "Organisation beteiligt ist; interne Notizen nur die eigene Organisation."
        ),
        _(
            "Protokoll (Audit-Log) als Hash-Kette: jede Änderung, Lücke oder Einfügung wird "
            "beim Prüfen (zentrum audit verify) erkannt."
        ),
        _("Strenge Content-Security-Policy, CSRF-Schutz für jedes Formular."),
    ]
    if config.get("SESSION_COOKIE_SECURE"):
        items.append(_("Transport nur über TLS (Cookies mit Secure-Kennzeichen)."))
    else:
        items.append(
            _(
                "Achtung: Diese Konfiguration setzt Cookies ohne Secure-Kennzeichen "
                "(keine Produktionskonfiguration); im Betrieb nur hinter TLS."
            )
        )
    if config.get("MAIL_SERVER"):
        tls = _("mit STARTTLS") if config.get("MAIL_USE_STARTTLS") else _("ohne STARTTLS")
        items.append(_("E-Mails nur mit Aktenzeichen und Link, %(tls)s.", tls=tls))
    return Section(_("Technische und organisatorische Maßnahmen (Art. 32 DSGVO)"), items)


def build_record(session: Session, config) -> list[Section]:
    """Every section of the record, from the configuration and the database."""
    facts = record_facts(session)
    return [
        _controller(config),
        _purposes(),
        _subjects(),
        _data(facts),
        _recipients(facts),
        _retention(config),
        _measures(config, facts),
    ]


def render_records_markdown(session: Session, config) -> str:
    """The record as Markdown, for ``zentrum vvz``."""
    return render_template(
        "privacy/records.md", sections=build_record(session, config), generated_at=utcnow()
    )
