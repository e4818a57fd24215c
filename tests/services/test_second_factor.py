"""The second factor on user rows: codes in their window, each step once, sealed secrets."""

from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa

from tests.factories import TOTP_SECRET
from zentrum.domain.vocab import AuditAction
from zentrum.models import AuditEntry, User
from zentrum.services.second_factor import check_code, enable, needs_enrolment, reset
from zentrum.totp import UnreadableSecret, matching_step, new_secret, seal, unseal

NOW = datetime(2026, 11, 26, 9, 0, 15, tzinfo=UTC)
TOTP = pyotp.TOTP(TOTP_SECRET)
ROLES = ("supervisor", "admin")


def _code(at: datetime) -> str:
    return TOTP.at(at)


def test_code_of_now_and_of_the_neighbouring_steps_match(app):
    step = TOTP.timecode(NOW)
    assert matching_step(TOTP_SECRET, _code(NOW), NOW) == step
    assert matching_step(TOTP_SECRET, _code(NOW - timedelta(seconds=30)), NOW) == step - 1
    assert matching_step(TOTP_SECRET, _code(NOW + timedelta(seconds=30)), NOW) == step + 1
    assert matching_step(TOTP_SECRET, _code(NOW - timedelta(seconds=60)), NOW) is None
    assert matching_step(TOTP_SECRET, _code(NOW + timedelta(seconds=60)), NOW) is None


def test_malformed_codes_never_match(app):
    code = _code(NOW)
    for typed in (
        "",
        "12345",
        "1234567",
        "abcdef",
        code + "0",
        "-" + code[1:],
        "١٢٣٤٥٦",
        "１２３４５６",
    ):
        assert matching_step(TOTP_SECRET, typed, NOW) is None
    assert matching_step(TOTP_SECRET, f" {code[:3]} {code[3:]} ", NOW) is not None


def test_a_code_counts_once(session, users):
    user = users("supervisor")
    assert check_code(session, user, _code(NOW), NOW)
    assert not check_code(session, user, _code(NOW), NOW)
    assert not check_code(session, user, _code(NOW), NOW + timedelta(seconds=20))


def test_an_older_step_after_a_newer_one_is_refused(session, users):
    user = users("supervisor")
    assert check_code(session, user, _code(NOW + timedelta(seconds=30)), NOW)
    assert not check_code(session, user, _code(NOW), NOW)
    assert check_code(
        session, user, _code(NOW + timedelta(seconds=60)), NOW + timedelta(seconds=45)
    )


def test_the_claim_is_made_in_the_database(session, users):
    """A second request that read the old step still loses: the UPDATE is conditional."""
    user = users("supervisor")
    step = TOTP.timecode(NOW)
    session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    # The row object still believes no step was used.
    assert user.totp_last_step is None
    assert not check_code(session, user, _code(NOW), NOW)


def test_the_secret_is_stored_sealed(session, users):
    user = users("supervisor")
    stored = session.scalar(sa.select(User.totp_secret).where(User.id == user.id))
    assert TOTP_SECRET not in stored
    assert unseal(stored) == TOTP_SECRET


def test_another_secret_key_cannot_open_it(app, app_factory, session, users):
    user = users("supervisor")
    other = app_factory(SECRET_KEY="another-key-another-key-another-key")
    with other.app_context():
        try:
            unseal(user.totp_secret)
        except UnreadableSecret:
            pass
        else:
            raise AssertionError("a different key opened the secret")
        assert seal("ABC") != seal("ABC")  # a fresh IV every time
        assert not check_code(session, user, _code(NOW), NOW)


def test_enable_needs_a_code_of_the_new_secret(session, users):
    user = users("supervisor", totp=False)
    assert needs_enrolment(user, ROLES)
    secret = new_secret()
    assert not enable(session, user, secret, "000000", NOW)
    assert not user.totp_enabled
    assert enable(session, user, secret, pyotp.TOTP(secret).at(NOW), NOW)
    session.commit()
    assert user.totp_enabled and not needs_enrolment(user, ROLES)
    assert user.totp_enabled_at == NOW
    # The code that switched it on cannot log in as well.
    assert not check_code(session, user, pyotp.TOTP(secret).at(NOW), NOW)
    actions = session.scalars(sa.select(AuditEntry.action)).all()
    assert actions == [AuditAction.TOTP_ENABLED]


def test_only_required_roles_need_enrolment(session, users):
    assert not needs_enrolment(users("frontdesk"), ROLES)
    assert not needs_enrolment(users("advisor", partner="ihk"), ROLES)
    assert needs_enrolment(users("admin", totp=False), ROLES)
    assert not needs_enrolment(users("admin", totp=False), ())


def test_reset_switches_off_and_ends_sessions(session, users):
    user = users("admin")
    generation = user.session_generation
    reset(session, user)
    session.commit()
    assert not user.totp_enabled and user.totp_last_step is None
    assert user.session_generation == generation + 1
