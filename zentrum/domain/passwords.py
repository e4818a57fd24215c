"""Rules for new passwords: long enough, not trivial, not the username."""

MIN_LENGTH = 10


def N_(text: str) -> str:
    """Mark a message for the catalogue; the web layer translates it (``gettext``)."""
    return text


TOO_SHORT = N_("Das Passwort braucht mindestens %(min)d Zeichen.")
ONE_KIND = N_(
    "Das Passwort darf nicht nur aus einer Zeichenart bestehen "
    "(nur Kleinbuchstaben, nur Großbuchstaben, nur Ziffern oder nur Sonderzeichen)."
)
IS_USERNAME = N_("Das Passwort darf nicht der Benutzername sein.")
TOO_COMMON = N_("Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes.")

# The most common passwords of German and international leak lists (lower case);
# the length rule already rules out the shorter ones.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0987654321",
        "12345678910",
        "123456789a",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertzuiop",
        "qwertyuiop",
        "asdfghjklö",
        "asdfghjkl1",
        "passwort123",
        "passwort1234",
        "password123",
        "password1234",
        "password12",
        "passwort12",
        "passwort!!",
        "hallo12345",
        "hallo123456",
        "willkommen",
        "willkommen1",
        "willkommen123",
        "geheim1234",
        "geheim12345",
        "sommer2024",
        "sommer2025",
        "sommer2026",
        "winter2024",
        "winter2025",
        "winter2026",
        "wuppertal1",
        "wuppertal123",
        "zentrum123",
        "zentrum2026",
        "iloveyou12",
        "qwerty1234",
        "qwertz1234",
        "abc1234567",
        "abcdefghij",
        "abcd123456",
        "letmein123",
        "changeme123",
        "admin12345",
        "administrator",
        "fussball123",
        "schalke04!",
        "borussia09",
    }
)


def broken_rules(password: str, username: str = "") -> list[str]:
    """The rules a new password breaks, as German message ids (``%(min)d`` = MIN_LENGTH)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    if password and _character_classes(password) < 2:
        problems.append(ONE_KIND)
    lowered = password.strip().lower()
    if username and lowered == username.strip().lower():
        problems.append(IS_USERNAME)
    if lowered in COMMON_PASSWORDS:
        problems.append(TOO_COMMON)
    return problems


def password_problems(password: str, username: str = "") -> list[str]:
    """Why a new password is refused (German messages); empty when it is fine."""
    return [rule % {"min": MIN_LENGTH} for rule in broken_rules(password, username)]


def _character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters occur."""
    checks = (str.islower, str.isupper, str.isdigit)
    found = {i for c in password for i, check in enumerate(checks) if check(c)}
    if any(not (c.islower() or c.isupper() or c.isdigit()) for c in password):
        found.add(len(checks))
    return len(found)
