"""Name keys, so that one person is recognised however the name was typed."""

import re
import unicodedata

_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPACES = re.compile(r"\s+")


def name_key(*parts: str) -> str:
    """Normalise names for matching: case, accents, ä/ae, ö/oe, ü/ue, ß/ss and spaces.

    "Müller", "MUELLER" and " muller " are not all equal (the last one lost its
    umlaut entirely), but "Müller" and "Mueller", "José" and "Jose" are.
    """
    text = " ".join(parts).casefold().translate(_SPELLINGS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


_TOKEN_SPLIT = re.compile(r"[\s\-]+")


def name_tokens(key: str) -> set[str]:
    """The words of a name key (split at spaces and hyphens), for the search index."""
    return {token for token in _TOKEN_SPLIT.split(key) if token}


def name_pairs(tokens: set[str]) -> set[str]:
    """Every ordered pair of two different words ("lena sommer", "sommer lena"): a full
    name's search looks its two words up together, however common each one is."""
    return {f"{a} {b}" for a in tokens for b in tokens if a != b}


def prefix_end(prefix: str) -> str:
    """The smallest string after every string that starts with ``prefix`` (byte order).

    ``prefix <= s < prefix_end(prefix)`` selects the strings with that prefix through an
    ordinary index, on SQLite and PostgreSQL alike.
    """
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
