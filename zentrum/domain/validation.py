"""Input rules that do not depend on the web layer."""

import re
from datetime import date

MAX_AGE_YEARS = 100
# C0 control characters and DEL, except tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when text holds characters no keyboard types (NUL, escape, ...)."""
    if not multiline and ("\n" in text or "\r" in text or "\t" in text):
        return True
    return bool(_CONTROL.search(text))


def birth_date_problem(birth_date: date, today: date) -> str | None:
    """Why a birth date is implausible ("future" or "too_old"), or None."""
    if birth_date > today:
        return "future"
    try:
        limit = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if birth_date < limit:
        return "too_old"
    return None


def age_on(birth_date: date, today: date) -> int:
    """Age in whole years on a given day."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday
