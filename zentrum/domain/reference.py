"""Case references like ``ZZ-2026-00042``."""

import re

REFERENCE_RE = re.compile(r"^ZZ-(\d{4})-(\d{5,})$")


def format_reference(year: int, number: int) -> str:
    """The reference of the ``number``-th case of ``year``."""
    return f"ZZ-{year}-{number:05d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """(year, number) of a reference typed in any case, or None."""
    match = REFERENCE_RE.match(text.strip().upper())
    return (int(match[1]), int(match[2])) if match else None
