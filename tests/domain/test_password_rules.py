"""Rules for new passwords, without Flask or a database."""

import pytest

from zentrum.domain.passwords import COMMON_PASSWORDS, MIN_LENGTH, password_problems


@pytest.mark.parametrize(
    "password",
    ["richtig-geheim-1", "Sonnenblume7", "zukunft-demo", "KAFFEE UND KUCHEN", "Ä-ö-ü-ß-xyz"],
)
def test_good_passwords_pass(password):
    assert password_problems(password, "sabine") == []


def test_a_short_password_is_refused():
    assert password_problems("Kurz-1", "sabine") == [
        f"Das Passwort braucht mindestens {MIN_LENGTH} Zeichen."
    ]


@pytest.mark.parametrize(
    "password", ["abcdefghijkl", "ABCDEFGHIJKL", "123456789012", "!!!!????####"]
)
def test_a_password_of_one_character_class_is_refused(password):
    assert any("Zeichenart" in p for p in password_problems(password, "sabine"))


def test_the_username_is_no_password():
    problems = password_problems("Sabine.Meyer", "sabine.meyer")
    assert problems == ["Das Passwort darf nicht der Benutzername sein."]


@pytest.mark.parametrize("password", ["Passwort123", "1q2w3e4r5t", "Willkommen1"])
def test_common_passwords_are_refused(password):
    assert "Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes." in (
        password_problems(password, "sabine")
    )


def test_the_common_list_holds_only_passwords_the_other_rules_let_through():
    # Entries the length rule refuses anyway would only make the list look longer.
    assert all(len(p) >= MIN_LENGTH for p in COMMON_PASSWORDS)
    assert all(p == p.lower() for p in COMMON_PASSWORDS)


def test_every_reason_is_given_at_once():
    assert len(password_problems("aaaa", "aaaa")) == 3
