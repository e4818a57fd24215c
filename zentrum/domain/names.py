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
