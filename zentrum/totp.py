"""TOTP codes (RFC 6238, pyotp), their QR code (segno) and the sealing of stored secrets.

Secrets are stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key
derived from SECRET_KEY by HKDF. A copy of the database alone (a backup, a
replica, a read-only SQL account) then yields no second factors; the key lives
only in the server's environment. The price: a new SECRET_KEY makes the stored
secrets unreadable, and every user enrols again (an admin resets them).
"""

import base64
import hmac
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

DIGITS = 6
# Codes of the step before and after the current one count too (clock drift).
WINDOW = 1


class UnreadableSecret(Exception):
    """A stored secret that the configured key cannot open (SECRET_KEY changed)."""


def _fernet() -> Fernet:
    """The cipher for stored secrets, keyed from the app's SECRET_KEY."""
    secret_key = current_app.config["SECRET_KEY"].encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"zentrum totp secret").derive(
        secret_key
    )
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A fresh random base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def seal(secret: str) -> str:
    """The secret encrypted for storage."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str) -> str:
    """The secret from its stored form; UnreadableSecret when the key does not fit."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as error:
        raise UnreadableSecret from error


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, within the window around now; None if none."""
    code = (code or "").strip().replace(" ", "")
    # isascii: other scripts' digits ("١٢٣٤٥٦") are digits too, but never a code.
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS)
    current = totp.timecode(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (also the QR code's content)."""
    issuer = current_app.config["TOTP_ISSUER"]
    return pyotp.TOTP(secret, digits=DIGITS).provisioning_uri(name=username, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The URI as a QR code: an SVG data: URI, rendered here (no script, no CDN)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
