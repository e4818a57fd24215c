"""German labels of the stored vocabularies, marked for translation."""

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from zentrum.domain.vocab import (
    CaseStatus,
    Channel,
    District,
    EventKind,
    MemberRole,
    Role,
    Urgency,
)

LABELS = {
    "role": {
        Role.FRONTDESK: _l("Empfang"),
        Role.ADVISOR: _l("Berater:in"),
        Role.SUPERVISOR: _l("Leitung"),
        Role.ADMIN: _l("Administration"),
    },
    "urgency": {
        Urgency.NORMAL: _l("normal"),
        Urgency.URGENT: _l("dringend"),
        Urgency.CRISIS: _l("Krise"),
    },
    "channel": {
        Channel.WALK_IN: _l("persönlich vor Ort"),
        Channel.PHONE: _l("Telefon"),
        Channel.EMAIL: _l("E-Mail"),
        Channel.OUTREACH: _l("aufsuchend im Quartier"),
    },
    "member_role": {
        MemberRole.YOUNG_PERSON: _l("junger Mensch"),
        MemberRole.PARENT: _l("Elternteil"),
        MemberRole.SIBLING: _l("Geschwister"),
        MemberRole.OTHER: _l("andere Angehörige"),
    },
    "status": {
        CaseStatus.AT_FRONT_DESK: _l("beim Empfang"),
        CaseStatus.WITH_PARTNER: _l("bei Partner"),
        CaseStatus.CLOSED: _l("abgeschlossen"),
    },
    "event": {
        EventKind.INTAKE: _l("Anliegen aufgenommen"),
    },
    "district": {
        District.ELBERFELD: "Elberfeld",
        District.ELBERFELD_WEST: "Elberfeld-West",
        District.UELLENDAHL_KATERNBERG: "Uellendahl-Katernberg",
        District.VOHWINKEL: "Vohwinkel",
        District.CRONENBERG: "Cronenberg",
        District.BARMEN: "Barmen",
        District.OBERBARMEN: "Oberbarmen",
        District.HECKINGHAUSEN: "Heckinghausen",
        District.LANGERFELD_BEYENBURG: "Langerfeld-Beyenburg",
        District.RONSDORF: "Ronsdorf",
        District.OUTSIDE: _l("außerhalb Wuppertals"),
    },
    "language": {
        "de": _l("Deutsch"),
        "ar": _l("Arabisch"),
        "tr": _l("Türkisch"),
        "en": _l("Englisch"),
        "uk": _l("Ukrainisch"),
        "ru": _l("Russisch"),
        "pl": _l("Polnisch"),
        "ro": _l("Rumänisch"),
        "bg": _l("Bulgarisch"),
        "ku": _l("Kurdisch"),
        "fa": _l("Persisch (Farsi)"),
        "prs": _l("Dari"),
        "ps": _l("Paschtu"),
        "ti": _l("Tigrinya"),
        "so": _l("Somali"),
        "fr": _l("Französisch"),
        "it": _l("Italienisch"),
        "el": _l("Griechisch"),
        "sr": _l("Serbisch/Kroatisch/Bosnisch"),
        "sq": _l("Albanisch"),
        "es": _l("Spanisch"),
        "other": _l("andere Sprache"),
    },
}


def label(kind: str, value: str | None) -> str:
    """The German label of a stored value; the value itself when it has none."""
    if value is None:
        return ""
    return str(LABELS[kind].get(value, value))


def choices(kind: str) -> list[SelectChoice]:
    """Options for a select or radio field, in their declared order."""
    return [SelectChoice(str(value), text) for value, text in LABELS[kind].items()]
