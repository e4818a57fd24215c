"""Demo data: users for every role and about 300 realistic enquiries of the last 90 days."""

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from zentrum.demo_flow import DemoFlow
from zentrum.domain.clock import LOCAL_TZ
from zentrum.domain.vocab import Channel, District, MemberRole, Role, Urgency
from zentrum.models import Case, Partner, Topic, User
from zentrum.services.intake import IntakeData, PersonData, record_intake
from zentrum.services.users import create_user

DEMO_PASSWORD = "zukunft-demo"  # noqa: S105 - printed, in the README; demo only # nosec B105

# (username, display name, role, partner code)
DEMO_USERS = (
    ("empfang", "Sabine Krüger", Role.FRONTDESK, None),
    ("empfang2", "Murat Yıldız", Role.FRONTDESK, None),
    ("jugendamt", "Katrin Becker", Role.ADVISOR, "jugendamt"),
    ("jugendamt2", "Thomas Wagner", Role.ADVISOR, "jugendamt"),
    ("jobcenter", "Andreas Hoffmann", Role.ADVISOR, "jobcenter"),
    ("uni", "Dr. Julia Schäfer", Role.ADVISOR, "uni"),
    ("ihk", "Stefan Koch", Role.ADVISOR, "ihk"),
    ("hwk", "Monika Richter", Role.ADVISOR, "hwk"),
    ("zuwanderung", "Leyla Demir", Role.ADVISOR, "zuwanderung"),
    ("leitung", "Dr. Martina Klein", Role.SUPERVISOR, None),
    ("admin", "Jan Schröder", Role.ADMIN, None),
)

DESCRIPTIONS = {
    "apprenticeship": [
        "Sucht einen Ausbildungsplatz als Kfz-Mechatroniker, hat den Hauptschulabschluss.",
        "Möchte eine Ausbildung im Einzelhandel beginnen und braucht Hilfe bei der Bewerbung.",
        "Hat die Ausbildung abgebrochen und sucht einen neuen Betrieb.",
    ],
    "school": [
        "Möchte den mittleren Schulabschluss nachholen.",
        "Schwierigkeiten in der Schule, die Versetzung ist gefährdet.",
    ],
    "study": [
        "Interessiert sich für ein Studium an der Bergischen Universität, Fragen zur Zulassung.",
        "Überlegt, das Studium abzubrechen, und möchte Alternativen kennenlernen.",
    ],
    "work": [
        "Sucht eine Arbeitsstelle in Teilzeit neben der Schule.",
        "Möchte sich beruflich neu orientieren.",
    ],
    "qualification": [
        "Fragt nach Weiterbildungen im Bereich Pflege.",
        "Möchte einen Sprachkurs mit beruflichem Schwerpunkt besuchen.",
    ],
    "benefits": [
        "Fragen zum Bürgergeld und zu den Kosten der Unterkunft.",
        "Die Familie hat einen Bescheid erhalten und versteht ihn nicht.",
        "Fragt nach Berufsausbildungsbeihilfe.",
    ],
    "family": [
        "Die Mutter bittet um Unterstützung in Erziehungsfragen.",
        "Konflikte in der Familie, der Jugendliche möchte ausziehen.",
    ],
    "difficult_situation": [
        "Befindet sich in einer schwierigen Lebenslage und braucht schnell Hilfe.",
        "Ist derzeit ohne feste Wohnung und kommt bei Freunden unter.",
    ],
    "health": ["Fragt nach Beratungsangeboten bei psychischer Belastung."],
    "housing": ["Sucht eine erste eigene Wohnung und fragt nach Unterstützung."],
    "immigration": [
        "Ist vor kurzem nach Wuppertal gekommen, Fragen zu Sprachkursen und Anerkennung.",
        "Fragt nach der Anerkennung des ausländischen Schulabschlusses.",
    ],
    "culture": ["Sucht Angebote für Musik und Theater im Stadtteil."],
}

_DISTRICT_POSTCODES = {
    District.ELBERFELD: "42103",
    District.ELBERFELD_WEST: "42115",
    District.UELLENDAHL_KATERNBERG: "42111",
    District.VOHWINKEL: "42327",
    District.CRONENBERG: "42349",
    District.BARMEN: "42275",
    District.OBERBARMEN: "42277",
    District.HECKINGHAUSEN: "42289",
    District.LANGERFELD_BEYENBURG: "42389",
    District.RONSDORF: "42369",
}
_LANGUAGES = ["de"] * 12 + ["ar", "ar", "tr", "tr", "uk", "ru", "pl", "bg", "ro", "fa", "ku"]


def _ensure_users(session: Session) -> list[User]:
    """The demo users, created once."""
    partners = {p.code: p for p in session.scalars(sa.select(Partner))}
    existing = {u.username: u for u in session.scalars(sa.select(User))}
    users = []
    for username, name, role, partner_code in DEMO_USERS:
        user = existing.get(username) or create_user(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            display_name=name,
            partner=partners.get(partner_code) if partner_code else None,
        )
        if role == Role.SUPERVISOR and not user.email:
            user.email = f"{username}@zentrum-zukunft.example"  # receives escalations
        users.append(user)
    return users


def _moment(rng: random.Random, now: datetime, days_back: int) -> datetime:
    """A time within opening hours ``days_back`` days ago, as aware UTC."""
    day = (now.astimezone(LOCAL_TZ) - timedelta(days=days_back)).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    clock = time(rng.randint(8, 17), rng.randint(0, 59))
    moment = datetime.combine(day, clock, tzinfo=LOCAL_TZ).astimezone(UTC)
    return min(moment, now - timedelta(minutes=rng.randint(1, 30)))


def _person(
    fake: Faker,
    rng: random.Random,
    today: date,
    ages: tuple[int, int],
    last_name: str | None = None,
) -> PersonData:
    """A plausible person of Wuppertal."""
    district = rng.choice(list(_DISTRICT_POSTCODES))
    return PersonData(
        first_name=fake.first_name(),
        last_name=last_name or fake.last_name(),
        birth_date=fake.date_of_birth(minimum_age=ages[0], maximum_age=ages[1]),
        phone=fake.phone_number() if rng.random() < 0.7 else None,
        email=fake.free_email() if rng.random() < 0.4 else None,
        district=district.value,
        postcode=_DISTRICT_POSTCODES[district],
        language=rng.choice(_LANGUAGES),
        interpreter_needed=False,
    )


def _intake(
    fake: Faker, rng: random.Random, today: date, topics: list[Topic], partners: list[Partner]
) -> IntakeData:
    """One realistic enquiry."""
    young = _person(fake, rng, today, (14, 27))
    young.interpreter_needed = young.language != "de" and rng.random() < 0.4
    chosen = rng.sample(topics, k=rng.choice([1, 1, 1, 2, 2, 3]))
    members = []
    if rng.random() < 0.3:
        members.append((_person(fake, rng, today, (35, 60), young.last_name), MemberRole.PARENT))
    if rng.random() < 0.1:
        members.append((_person(fake, rng, today, (6, 25), young.last_name), MemberRole.SIBLING))
    return IntakeData(
        young_person=young,
        members=[
            (PersonData(m.first_name, m.last_name, m.birth_date), role) for m, role in members
        ],
        topic_ids=[t.id for t in chosen],
        description=" ".join(rng.choice(DESCRIPTIONS[t.code]) for t in chosen),
        channel=rng.choices(list(Channel), weights=[55, 25, 10, 10])[0].value,
        urgency=rng.choices(list(Urgency), weights=[80, 17, 3])[0].value,
        consent_partner_ids=[p.id for p in rng.sample(partners, k=rng.randint(0, 3))],
    )


def seed_demo(
    session: Session, *, case_count: int = 300, now: datetime | None = None
) -> tuple[list[User], int]:
    """Users and cases for the demo; adds no cases when the demo already has them."""
    users = _ensure_users(session)
    frontdesk = [u for u in users if u.role == Role.FRONTDESK]
    if session.scalar(
        sa.select(sa.func.count(Case.id)).where(Case.created_by_id.in_([u.id for u in frontdesk]))
    ):
        return users, 0
    now = now or datetime.now(UTC)
    rng = random.Random(2026)  # reproducible demo data, no secret # nosec B311
    fake = Faker("de_DE")
    fake.seed_instance(2026)
    topics = list(session.scalars(sa.select(Topic).order_by(Topic.sort_order)))
    partners = list(session.scalars(sa.select(Partner).order_by(Partner.id)))
    moments = sorted(_moment(rng, now, rng.randint(0, 90)) for _ in range(case_count))
    today = now.astimezone(LOCAL_TZ).date()
    returning: list[tuple[int, PersonData]] = []
    flow = DemoFlow(session, rng, now, frontdesk)
    for moment in moments:
        data = _intake(fake, rng, today, topics, partners)
        if returning and rng.random() < 0.06:
            # Some young people come back with a new question.
            data.existing_person_id, data.young_person = rng.choice(returning)
        if not any(role == MemberRole.PARENT for _m, role in data.members):
            # Below 15 the guardians consent; the front desk writes down who they are.
            data.consent_guardian_names = f"{fake.first_name()} {data.young_person.last_name}"
        case = record_intake(session, rng.choice(frontdesk), moment, data)
        returning.append((case.young_person.id, data.young_person))
        flow.play(case)
    return users, case_count
