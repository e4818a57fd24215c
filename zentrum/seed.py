"""Reference data every installation needs: the partners in the house and the topics."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from zentrum.models import Partner, RoutingRule, Topic

PARTNERS = (
    ("jugendamt", "Jugendamt Wuppertal", "jugendamt@zentrum-zukunft.example"),
    ("jobcenter", "Jobcenter Wuppertal", "jobcenter@zentrum-zukunft.example"),
    ("uni", "Bergische Universität Wuppertal", "uni@zentrum-zukunft.example"),
    ("ihk", "IHK Wuppertal-Solingen-Remscheid", "ihk@zentrum-zukunft.example"),
    ("hwk", "Handwerkskammer Düsseldorf", "hwk@zentrum-zukunft.example"),
    ("zuwanderung", "Stadt – Zuwanderung und Integration", "zuwanderung@zentrum-zukunft.example"),
)


def N_(text: str) -> str:
    """Mark a stock text for the catalogue; the database keeps it German (labels.stock_text)."""
    return text


TOPICS = (
    ("apprenticeship", N_("Ausbildung")),
    ("school", N_("Schule und Schulabschluss")),
    ("study", N_("Studium")),
    ("work", N_("Arbeit und Beruf")),
    ("qualification", N_("Qualifizierung und Weiterbildung")),
    ("benefits", N_("Geld und Leistungen")),
    ("family", N_("Familie und Erziehung")),
    ("difficult_situation", N_("Schwierige Lebenslage")),
    ("health", N_("Gesundheit")),
    ("housing", N_("Wohnen")),
    ("immigration", N_("Zuwanderung und Sprache")),
    ("culture", N_("Kultur und Freizeit")),
)


def seed_reference_data(session: Session) -> None:
    """Insert the partners and topics that are missing; leaves edited rows alone."""
    known_partners = set(session.scalars(sa.select(Partner.code)))
    for code, name, email in PARTNERS:
        if code not in known_partners:
            session.add(
                Partner(code=code, name=name, email=email, child_protection=code == "jugendamt")
            )
    known_topics = set(session.scalars(sa.select(Topic.code)))
    for order, (code, label) in enumerate(TOPICS):
        if code not in known_topics:
            session.add(Topic(code=code, label=label, sort_order=order))
    session.flush()
    seed_routing_rules(session)


# (partner code, reason, priority, topic codes, min age, max age, urgencies); the stock
# reasons are marked for the catalogue, shown translated through labels.stock_text.
RULES = (
    (
        "jugendamt",
        N_("Krise bei Minderjährigen → Jugendamt (Kinderschutz)"),
        100,
        (),
        None,
        17,
        ("crisis",),
    ),
    ("jugendamt", N_("Thema Familie und Erziehung → Jugendamt"), 50, ("family",), None, None, ()),
    (
        "jugendamt",
        N_("Schwierige Lebenslage, unter 18 Jahre → Jugendamt"),
        45,
        ("difficult_situation",),
        None,
        17,
        (),
    ),
    ("ihk", N_("Thema Ausbildung, 16–24 Jahre → IHK"), 40, ("apprenticeship",), 16, 24, ()),
    (
        "hwk",
        N_("Thema Ausbildung, 16–24 Jahre → Handwerkskammer"),
        35,
        ("apprenticeship",),
        16,
        24,
        (),
    ),
    ("uni", N_("Thema Studium → Bergische Universität"), 40, ("study",), None, None, ()),
    (
        "jobcenter",
        N_("Thema Geld und Leistungen, ab 15 Jahre → Jobcenter"),
        40,
        ("benefits",),
        15,
        None,
        (),
    ),
    (
        "jobcenter",
        N_("Thema Arbeit und Beruf, ab 15 Jahre → Jobcenter"),
        30,
        ("work",),
        15,
        None,
        (),
    ),
    (
        "jobcenter",
        N_("Thema Qualifizierung und Weiterbildung → Jobcenter"),
        20,
        ("qualification",),
        None,
        None,
        (),
    ),
    (
        "jobcenter",
        N_("Schwierige Lebenslage, ab 18 Jahre → Jobcenter"),
        25,
        ("difficult_situation",),
        18,
        None,
        (),
    ),
    (
        "jobcenter",
        N_("Thema Wohnen → Jobcenter (Kosten der Unterkunft)"),
        15,
        ("housing",),
        18,
        None,
        (),
    ),
    (
        "zuwanderung",
        N_("Thema Zuwanderung und Sprache → Stadt – Zuwanderung und Integration"),
        40,
        ("immigration",),
        None,
        None,
        (),
    ),
    ("jugendamt", N_("Thema Schule, unter 18 Jahre → Jugendamt"), 10, ("school",), None, 17, ()),
)


def seed_routing_rules(session: Session) -> None:
    """A sensible starting rule set, added once to an installation that has no rules."""
    if session.scalar(sa.select(sa.func.count(RoutingRule.id))):
        return
    partners = {p.code: p for p in session.scalars(sa.select(Partner))}
    topics = {t.code: t for t in session.scalars(sa.select(Topic))}
    for code, reason, priority, topic_codes, min_age, max_age, urgencies in RULES:
        if code not in partners:
            continue
        session.add(
            RoutingRule(
                partner=partners[code],
                reason=reason,
                priority=priority,
                topics=[topics[c] for c in topic_codes if c in topics],
                min_age=min_age,
                max_age=max_age,
                urgencies=",".join(urgencies),
            )
        )
    session.flush()
