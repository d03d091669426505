"""Tracking codes and PINs.

A tracking code is 12 random symbols of Crockford's base32 (no I, L, O or U, so nothing is mistaken for
1 or 0): 60 bits, grouped for reading aloud as PSK-XXXX-XXXX-XXXX. The PIN is 6 digits, shown once, and kept
only as an HMAC keyed with SECRET_KEY and a per-report salt, compared in constant time."""

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PSK"


def tracking_code_new() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{PREFIX}-{symbols[0:4]}-{symbols[4:8]}-{symbols[8:12]}"


def tracking_code_normalize(raw: str) -> str:
    """Accepts what people type: lower case, spaces, missing dashes, O for 0, I/L for 1."""
    text = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    if text.startswith(PREFIX):
        text = text[len(PREFIX) :]
    text = text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(text) != 12 or any(ch not in ALPHABET for ch in text):
        return ""
    return f"{PREFIX}-{text[0:4]}-{text[4:8]}-{text[8:12]}"


def pin_new() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def pin_salt_new() -> str:
    return secrets.token_hex(16)


def pin_hash(pin: str, salt: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{salt}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(pin: str, salt: str, expected: str) -> bool:
    return hmac.compare_digest(pin_hash((pin or "").strip(), salt), expected)
