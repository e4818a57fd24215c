"""Name keys recognise one person however the name was typed."""

import pytest

from zentrum.domain.names import name_key


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        (("Müller",), ("Mueller",)),
        (("MÜLLER",), ("müller",)),
        (("Jürgen", "Weiß"), ("Juergen", "Weiss")),
        (("Ömer", "Öztürk"), ("Oemer", "Oeztuerk")),
        (("José", "Núñez"), ("Jose", "Nunez")),
        (("  Anna   Lena ", " Schmitz"), ("anna lena", "schmitz")),
        (("Zoë",), ("Zoe",)),
    ],
)
def test_equal_spellings_give_the_same_key(typed, known):
    assert name_key(*typed) == name_key(*known)


@pytest.mark.parametrize(("a", "b"), [("Müller", "Miller"), ("Anna", "Hanna"), ("Lena", "Lea")])
def test_different_names_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_key_is_lowercase_ascii_with_single_spaces():
    assert name_key("  Ça\tva  ", "Straße") == "ca va strasse"
