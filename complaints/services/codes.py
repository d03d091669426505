"""Tracking codes and PINs.

A tracking code is 12 random symbols of Crockford's base32 (no I, L, O or U, so nothing is mistaken for
1 or 0): 60 bits, grouped for reading aloud as PSK-XXXX-XXXX-XXXX. The PIN is 6 digits, shown once, and kept
only as an HMAC with a per-report salt, compared in constant time. The HMAC's key is the newest of
settings.POSKO_PIN_KEYS (its own ring, never SECRET_KEY: issue 9); each report keeps the id of the key that
made its hash, so rotating keys never breaks an old PIN, and a PIN proved under an older key is re-hashed
under the newest (`pin_upgrade`). Reports filed before the ring existed have no key id and were keyed with
SECRET_KEY; they are re-hashed the same way the first time their PIN is used."""

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
    text = text.translate(str.maketrans("OIL", "011"))
    if len(text) != 12 or any(ch not in ALPHABET for ch in text):
        return ""
    return f"{PREFIX}-{text[0:4]}-{text[4:8]}-{text[8:12]}"


def pin_new() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def pin_salt_new() -> str:
    return secrets.token_hex(16)


def pin_key_id(key: str) -> str:
    """A short public name for a PIN key (a digest, which tells nothing of the key)."""
    return hashlib.sha256(b"posko-pin-key:" + key.encode()).hexdigest()[:12]


def _pin_keys() -> dict[str, str]:
    return {pin_key_id(key): key for key in settings.POSKO_PIN_KEYS}


def pin_key_current() -> str:
    """The id of the key new PINs are hashed with (the newest of POSKO_PIN_KEYS)."""
    return pin_key_id(settings.POSKO_PIN_KEYS[0])


def pin_hash(pin: str, salt: str, key_id: str | None = None) -> str:
    """The PIN's HMAC under the key `key_id` (default: the newest). An unknown id gives "", which matches
    nothing; "" is the SECRET_KEY of reports filed before the PIN keys existed."""
    if key_id is None:
        key_id = pin_key_current()
    key = settings.SECRET_KEY if key_id == "" else _pin_keys().get(key_id)
    if key is None:
        return ""
    return hmac.new(key.encode(), f"{salt}:{pin}".encode(), hashlib.sha256).hexdigest()


def pin_matches(pin: str, salt: str, expected: str, key_id: str = "") -> bool:
    actual = pin_hash((pin or "").strip(), salt, key_id)
    return bool(actual) and hmac.compare_digest(actual, expected)


def pin_needs_upgrade(key_id: str) -> bool:
    return key_id != pin_key_current()
