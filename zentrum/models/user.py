"""Staff accounts."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zentrum.domain.vocab import Role
from zentrum.models.base import Base, UTCDateTime, utcnow
from zentrum.models.partner import Partner

_ROLES = ", ".join(f"'{role.value}'" for role in Role)
# The languages of the interface; German is the language of the house.
LOCALES = ("de", "en")
_LOCALES = ", ".join(f"'{code}'" for code in LOCALES)


class User(UserMixin, Base):
    """A member of staff; an advisor belongs to exactly one partner."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(f"role IN ({_ROLES})", name="role_known"),
        sa.CheckConstraint(
            "role <> 'advisor' OR partner_id IS NOT NULL", name="advisor_has_partner"
        ),
        sa.CheckConstraint(f"locale IN ({_LOCALES})", name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    # A personal work address; supervisors get the escalation mails there.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session cookie; raising it ends all sessions of the user
    # (logout, deactivation, new password), copies of the cookie included.
    session_generation: Mapped[int] = mapped_column(server_default="0")
    # Set by an admin's new or reset password: the user chooses their own at next login.
    must_change_password: Mapped[bool] = mapped_column(server_default=sa.false())
    # Second factor: the TOTP secret, encrypted (zentrum.services.second_factor);
    # None = not enrolled. The last time step used, so that no code counts twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the user chose for the interface ("de" or "en").
    locale: Mapped[str] = mapped_column(sa.String(5), server_default="de")

    partner: Mapped[Partner | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        """Deactivated users cannot log in (Flask-Login reads this)."""
        return self.active

    @property
    def totp_enabled(self) -> bool:
        """True once the user has confirmed a second factor."""
        return self.totp_secret is not None

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: "id:generation"."""
        return f"{self.id}:{self.session_generation}"

    def has_role(self, *roles: Role) -> bool:
        """True when the user has one of the given roles."""
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
