"""Reference data every installation needs: the partners in the house and the topics."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.models import Partner, Topic

PARTNERS = (
    ("jugendamt", "Jugendamt Wuppertal", "jugendamt@zentrum-zukunft.example"),
    ("jobcenter", "Jobcenter Wuppertal", "jobcenter@zentrum-zukunft.example"),
    ("uni", "Bergische Universität Wuppertal", "uni@zentrum-zukunft.example"),
    ("ihk", "IHK Wuppertal-Solingen-Remscheid", "ihk@zentrum-zukunft.example"),
    ("hwk", "Handwerkskammer Düsseldorf", "hwk@zentrum-zukunft.example"),
    ("zuwanderung", "Stadt – Zuwanderung und Integration", "zuwanderung@zentrum-zukunft.example"),
)

TOPICS = (
    ("apprenticeship", "Ausbildung"),
    ("school", "Schule und Schulabschluss"),
    ("study", "Studium"),
    ("work", "Arbeit und Beruf"),
    ("qualification", "Qualifizierung und Weiterbildung"),
    ("benefits", "Geld und Leistungen"),
    ("family", "Familie und Erziehung"),
    ("difficult_situation", "Schwierige Lebenslage"),
    ("health", "Gesundheit"),
    ("housing", "Wohnen"),
    ("immigration", "Zuwanderung und Sprache"),
    ("culture", "Kultur und Freizeit"),
)


def seed_reference_data(session: Session) -> None:
    """Insert the partners and topics that are missing; leaves edited rows alone."""
    known_partners = set(session.scalars(sa.select(Partner.code)))
    for code, name, email in PARTNERS:
        if code not in known_partners:
            session.add(Partner(code=code, name=name, email=email))
    known_topics = set(session.scalars(sa.select(Topic.code)))
    for order, (code, label) in enumerate(TOPICS):
        if code not in known_topics:
            session.add(Topic(code=code, label=label, sort_order=order))
    session.flush()
