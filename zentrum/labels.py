"""German labels of the stored vocabularies, marked for translation."""

from wtforms.fields.choices import SelectChoice

from zentrum.domain.vocab import (
    BasisStatus,
    CaseStatus,
    Channel,
    ConsentGiver,
    DataCategory,
    DeclineReason,
    District,
    EventKind,
    LegalBasis,
    MemberRole,
    OfferStatus,
    Outcome,
    ReferralStatus,
    Role,
    Urgency,
)
from zentrum.translating import gettext
from zentrum.translating import lazy_gettext as _l

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
        EventKind.OFFER: _l("Übergabe angeboten"),
        EventKind.ACCEPT: _l("Übergabe angenommen"),
        EventKind.DECLINE: _l("Übergabe abgelehnt"),
        EventKind.WITHDRAW: _l("Angebot zurückgezogen"),
        EventKind.REFER: _l("Partner hinzugezogen"),
        EventKind.REFERRAL_ACCEPT: _l("Hinzuziehung angenommen"),
        EventKind.REFERRAL_DECLINE: _l("Hinzuziehung abgelehnt"),
        EventKind.REFERRAL_WITHDRAW: _l("Hinzuziehung zurückgezogen"),
        EventKind.REFERRAL_END: _l("Hinzuziehung beendet"),
        EventKind.REASSIGN: _l("Zuständigkeit im Team geändert"),
        EventKind.NOTE: _l("Fallnotiz"),
        EventKind.FIRST_CONTACT: _l("Erstkontakt mit dem jungen Menschen"),
        EventKind.CLOSE: _l("Fall abgeschlossen"),
        EventKind.REOPEN: _l("Fall wieder geöffnet"),
        EventKind.CONSENT_GIVEN: _l("Einwilligung erfasst"),
        EventKind.CONSENT_REVOKED: _l("Einwilligung widerrufen"),
        EventKind.BASIS_REQUESTED: _l("Rechtsgrundlage beantragt"),
        EventKind.BASIS_APPROVED: _l("Rechtsgrundlage freigegeben"),
        EventKind.BASIS_REFUSED: _l("Rechtsgrundlage abgelehnt"),
    },
    "decline_reason": {
        DeclineReason.NOT_RESPONSIBLE: _l("nicht zuständig"),
        DeclineReason.NO_CAPACITY: _l("derzeit keine Kapazität"),
        DeclineReason.NO_CONSENT: _l("Einwilligung reicht nicht aus"),
        DeclineReason.DUPLICATE: _l("Doppelerfassung"),
        DeclineReason.OTHER: _l("anderer Grund (bitte erläutern)"),
    },
    "outcome": {
        Outcome.APPRENTICESHIP_FOUND: _l("Ausbildungsplatz gefunden"),
        Outcome.STUDY_STARTED: _l("Studium aufgenommen"),
        Outcome.JOB_FOUND: _l("Arbeitsstelle gefunden"),
        Outcome.SCHOOL_PLACE: _l("Schulplatz oder Abschluss gesichert"),
        Outcome.SUPPORT_GRANTED: _l("Hilfe oder Leistung bewilligt"),
        Outcome.ADVICE_GIVEN: _l("Beratung abgeschlossen"),
        Outcome.REFERRED_ELSEWHERE: _l("an eine Stelle außerhalb des Hauses vermittelt"),
        Outcome.NO_CONTACT: _l("kein Kontakt zustande gekommen"),
        Outcome.WITHDRAWN_BY_PERSON: _l("Anliegen von der Person zurückgezogen"),
        Outcome.OTHER: _l("anderes Ergebnis (bitte erläutern)"),
    },
    "offer_status": {
        OfferStatus.PENDING: _l("wartet auf Annahme"),
        OfferStatus.ACCEPTED: _l("angenommen"),
        OfferStatus.DECLINED: _l("abgelehnt"),
        OfferStatus.WITHDRAWN: _l("zurückgezogen"),
    },
    "referral_status": {
        ReferralStatus.PENDING: _l("wartet auf Antwort"),
        ReferralStatus.ACTIVE: _l("beteiligt"),
        ReferralStatus.DECLINED: _l("abgelehnt"),
        ReferralStatus.WITHDRAWN: _l("zurückgezogen"),
        ReferralStatus.ENDED: _l("beendet"),
    },
    "legal_basis": {
        LegalBasis.CHILD_PROTECTION: _l("ohne Einwilligung: Krise, Kinderschutz (§ 8a SGB VIII)"),
        LegalBasis.SGB_X_69_1_1: _l(
            "§ 69 Abs. 1 Nr. 1 SGB X – Übermittlung zur Erfüllung einer gesetzlichen Aufgabe"
        ),
        LegalBasis.SGB_II_50: _l("§ 50 SGB II – Datenübermittlung durch das Jobcenter"),
        LegalBasis.SGB_VIII_64_2: _l(
            "§ 64 Abs. 2 SGB VIII – Übermittlung für den Zweck, zu dem erhoben wurde"
        ),
        LegalBasis.SGB_VIII_65_1_4: _l(
            "§ 65 Abs. 1 Nr. 4 SGB VIII – Gefährdungseinschätzung mit Fachkräften"
        ),
        LegalBasis.OTHER: _l("andere Rechtsvorschrift (in der Begründung nennen)"),
    },
    "data_category": {
        DataCategory.MASTER_DATA: _l("Stammdaten (Name, Geburtsdatum, Anschrift)"),
        DataCategory.CONTACT: _l("Kontaktdaten (Telefon, E-Mail)"),
        DataCategory.SCHOOL: _l("Schule/Ausbildung"),
        DataCategory.FAMILY: _l("Familie/Lebenssituation"),
        DataCategory.HEALTH: _l("Gesundheit"),
        DataCategory.BENEFITS: _l("Leistungsbezug"),
        DataCategory.CASE_NOTES: _l("Beratungsverlauf und Fallnotizen"),
    },
    "consent_giver": {
        ConsentGiver.YOUNG_PERSON: _l("der junge Mensch selbst (ab 15 Jahren)"),
        ConsentGiver.GUARDIANS: _l("die Sorgeberechtigten (unter 15 Jahren)"),
    },
    "basis_status": {
        BasisStatus.PENDING: _l("wartet auf Freigabe"),
        BasisStatus.APPROVED: _l("freigegeben"),
        BasisStatus.REFUSED: _l("abgelehnt"),
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


def stock_text(text: str | None) -> str:
    """Data in the user's language where it is stock text, otherwise as typed.

    Topics and routing-rule reasons are data: the seeded ones (``seed.TOPICS``,
    ``seed.RULES``) are in the catalogue and come out translated; a name or reason an
    admin typed has no translation and shows as typed.
    """
    return gettext(text) if text else ""


topic_label = stock_text


def choices(kind: str) -> list[SelectChoice]:
    """Options for a select or radio field, in their declared order."""
    return [SelectChoice(str(value), text) for value, text in LABELS[kind].items()]
