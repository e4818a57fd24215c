"""Small factories for test data, and login helpers."""

import re
from datetime import UTC, date, datetime

import pyotp
import sqlalchemy as sa

from zentrum.domain.vocab import MemberRole, Role
from zentrum.models import Partner, Topic, User
from zentrum.services.intake import IntakeData, PersonData, record_intake
from zentrum.services.users import create_user
from zentrum.totp import seal

PASSWORD = "richtig-geheim-1"  # noqa: S105
# The second factor of every test user whose role requires one (supervisor, admin).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
SECRET_ON_PAGE = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
CSRF_ON_PAGE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def enrol_test_factor(user, secret: str = TOTP_SECRET) -> None:
    """Give the user the known test secret as a confirmed second factor (caller commits)."""
    user.totp_secret = seal(secret)
    user.totp_enabled_at = datetime.now(UTC)


def fresh_code(app, username: str, secret: str = TOTP_SECRET) -> str:
    """A code the server accepts now: of this time step, or the next if this one was used.

    The server takes each step once and accepts the steps next to now, so one user
    can log in twice within a 30-second step; a third time would have to wait.
    """
    from zentrum.extensions import db

    with app.app_context():
        last = db.session.scalar(sa.select(User.totp_last_step).where(User.username == username))
    totp = pyotp.TOTP(secret)
    current = totp.timecode(datetime.now(UTC))
    step = current if last is None else max(current, last + 1)
    if step > current + 1:
        raise RuntimeError(f"{username} logged in three times within one 30-second step")
    return totp.generate_otp(step)


class UserFactory:
    """``users(role, partner=code)`` creates and commits a user."""

    def __init__(self, session) -> None:
        self.session = session
        self.count = 0

    def __call__(
        self,
        role: str = "frontdesk",
        *,
        partner: str | None = None,
        username=None,
        totp: bool | None = None,
    ):
        """Supervisors and admins get the test second factor unless ``totp=False``."""
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
        if totp or (totp is None and role in ("supervisor", "admin")):
            enrol_test_factor(user)
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
    """Log in and out through the real forms, the second factor included."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, user_or_name, password: str = PASSWORD, csrf_token: str | None = None):
        """Password, then the code or the enrolment the server asks for; the last answer."""
        name = getattr(user_or_name, "username", user_or_name)
        data = {"username": name, "password": password}
        if csrf_token:
            data["csrf_token"] = csrf_token
        response = self.client.post("/login", data=data)
        return self.second_step(name, response, csrf_token)

    def second_step(self, username: str, response, csrf_token: str | None = None):
        """Answer the code or enrolment step when the password step led to one."""
        location = (response.location or "") if response.status_code == 302 else ""
        if not location.endswith(("/login/code", "/login/einrichten")):
            return response
        page = self.client.get(location).get_data(as_text=True)
        data = {}
        if csrf_token:  # the session was renewed after the password: a new token
            data["csrf_token"] = CSRF_ON_PAGE.search(page).group(1)
        if location.endswith("/login/code"):
            data["code"] = fresh_code(self.client.application, username)
        else:
            secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
            data["code"] = pyotp.TOTP(secret).now()
        return self.client.post(location, data=data)

    def logout(self):
        return self.client.post("/logout")
