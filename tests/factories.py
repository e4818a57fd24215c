"""Small factories for test data, and login helpers."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from zentrum.domain.vocab import MemberRole, Role
from zentrum.models import Partner, Topic, User
from zentrum.services.intake import IntakeData, PersonData, record_intake
from zentrum.services.users import create_user

PASSWORD = "richtig-geheim-1"  # noqa: S105


class UserFactory:
    """``users(role, partner=code)`` creates and commits a user."""

    def __init__(self, session) -> None:
        self.session = session
        self.count = 0

    def __call__(self, role: str = "frontdesk", *, partner: str | None = None, username=None):
        self.count += 1
        partner_row = None
        if partner:
            partner_row = self.session.scalar(sa.select(Partner).where(Partner.code == partner))
        user = create_user(
            self.session,
            username=username or f"{role}{self.count}",
            password=PASSWORD,
            role=Role(role),
            display_name=f"Test {role.title()} {self.count}",
            partner=partner_row,
        )
        self.session.commit()
        return user


class CaseFactory:
    """``cases(first_name=..., at=...)`` records an enquiry and commits it."""

    def __init__(self, session, users: UserFactory) -> None:
        self.session = session
        self.users = users
        self._frontdesk = None

    def frontdesk(self):
        """The front desk user who records the factory's cases (looked up in the session)."""
        if self._frontdesk is None:
            self._frontdesk = self.users("frontdesk").id
        return self.session.get(User, self._frontdesk)

    def topic_ids(self, *codes: str) -> list[int]:
        """Ids of topics by code."""
        stmt = sa.select(Topic.id).where(Topic.code.in_(codes or ("apprenticeship",)))
        return list(self.session.scalars(stmt))

    def partner_id(self, code: str) -> int:
        """Id of a partner by code."""
        return self.session.scalar(sa.select(Partner.id).where(Partner.code == code))

    def data(
        self,
        first_name="Lena",
        last_name="Schmitz",
        birth_date=date(2007, 5, 17),
        *,
        topics=("apprenticeship",),
        urgency="normal",
        members=(),
        consents=(),
        existing_person_id=None,
        description="Sucht einen Ausbildungsplatz.",
    ) -> IntakeData:
        """Intake data with sensible defaults."""
        return IntakeData(
            young_person=PersonData(
                first_name, last_name, birth_date, district="barmen", language="de"
            ),
            topic_ids=self.topic_ids(*topics),
            channel="walk_in",
            urgency=urgency,
            description=description,
            members=[
                (PersonData(first, last, None), MemberRole(role)) for first, last, role in members
            ],
            consent_partner_ids=[self.partner_id(code) for code in consents],
            existing_person_id=existing_person_id,
        )

    def __call__(self, *args, at: datetime | None = None, actor=None, **kwargs):
        if actor is None:
            actor = self.frontdesk()
        case = record_intake(
            self.session, actor, at or datetime.now(UTC), self.data(*args, **kwargs)
        )
        self.session.commit()
        return case

    def partner(self, code: str) -> Partner:
        """A partner by code."""
        return self.session.scalar(sa.select(Partner).where(Partner.code == code))

    def offer(self, case, code: str, *, actor=None, at: datetime | None = None):
        """The front desk (or ``actor``) offers the case to a partner; committed."""
        from zentrum.services.handover import offer_case

        offer = offer_case(
            self.session,
            actor or self.frontdesk(),
            at or datetime.now(UTC),
            case,
            self.partner(code),
        )
        self.session.commit()
        return offer


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, user_or_name, password: str = PASSWORD):
        name = getattr(user_or_name, "username", user_or_name)
        return self.client.post("/login", data={"username": name, "password": password})

    def logout(self):
        return self.client.post("/logout")
