"""Model fields for a reporter's identity (issue 9): encrypted at rest, with keyed hashes for the few equality
lookups the portal needs.

`EncryptedTextField` stores a Fernet token (AES-128-CBC with HMAC-SHA256, from `cryptography`) made with the
newest key of settings.POSKO_IDENTITY_KEYS and reads with any key of the ring (MultiFernet), so code keeps
reading `report.reporter_name` as plain text while the database holds only tokens. A token is random each
time, so the field cannot be searched: the only lookups it accepts are `isnull` and equality with "" (a blank
stays blank, and says no more than the `anonymous` column does). Where equality is needed, a
`KeyedHashField` beside it holds HMAC-SHA256 of the normalised value under the newest key of
settings.POSKO_IDENTITY_HASH_KEYS, filled in whenever the row is saved; lookups try every key of the ring, so
rows keep being found while a rotation is under way. `manage.py identity_reencrypt` moves every row of every
model with these fields to the newest keys.

Both fields are for any model that keeps identity (reports today; drafts of the report form may use them too).
"""

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull


class IdentityKeyMissing(ImproperlyConfigured):
    """No key of POSKO_IDENTITY_KEYS decrypts a stored value: a key was dropped before re-encryption ended."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def identity_fernet() -> MultiFernet:
    """The ring of identity keys: encrypts with the newest, decrypts with any."""
    return _fernet(tuple(settings.POSKO_IDENTITY_KEYS))


def identity_encrypt(value: str) -> str:
    return identity_fernet().encrypt(value.encode()).decode("ascii") if value else value


def identity_decrypt(token: str) -> str:
    if not token:
        return token
    try:
        return identity_fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise IdentityKeyMissing(
            "A stored identity field cannot be decrypted with any key of POSKO_IDENTITY_KEYS. Put back the key "
            "it was written with (keep old keys at the end of the list until `manage.py identity_reencrypt` "
            "has finished)."
        ) from None


def identity_token_is_current(token: str) -> bool:
    """Whether a stored token was made with the newest identity key (blank values need no key)."""
    if not token:
        return True
    try:
        Fernet(settings.POSKO_IDENTITY_KEYS[0]).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


# --- Keyed hashes -------------------------------------------------------------------------------------------


def identity_hash(purpose: str, value: str, key: str | None = None) -> str:
    """HMAC-SHA256 of an already normalised value, under `key` (default: the newest hash key). The purpose
    ("nik", "email", "phone") is part of the message, so one value gives different hashes in different roles."""
    if not value:
        return ""
    key = key or settings.POSKO_IDENTITY_HASH_KEYS[0]
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def identity_hashes(purpose: str, value: str) -> list[str]:
    """The value's hash under every key of the ring, for lookups while a rotation is under way."""
    return [identity_hash(purpose, value, key) for key in settings.POSKO_IDENTITY_HASH_KEYS] if value else []


def normalize_nik(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def normalize_email(value: str) -> str:
    return (value or "").strip().lower()


def normalize_phone(value: str) -> str:
    # The same rule as complaints.validators.validate_phone: +62 / 62 become the domestic 0.
    digits = re.sub(r"\D", "", value or "")
    return "0" + digits[2:] if digits.startswith("62") else digits


# --- Fields ---------------------------------------------------------------------------------------------------


class _BlankOnlyExact(Exact):
    """`field=""` works (blank is stored blank); equality with anything else could never match a token."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted and cannot be compared with a value: use its keyed-hash "
                "column (complaints.fields.identity_hashes)."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text encrypted at rest with the identity key ring; reads back as plain text. Not searchable."""

    description = "Text encrypted with the identity keys (Fernet)"

    def get_lookup(self, lookup_name):
        # Only what cannot leak or silently fail; anything else is Django's "Unsupported lookup" FieldError.
        return {"exact": _BlankOnlyExact, "isnull": IsNull}.get(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def from_db_value(self, value, expression, connection):
        return identity_decrypt(value) if value else value

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return identity_encrypt(value) if value else value


class KeyedHashField(models.CharField):
    """HMAC-SHA256 (hex) of another field's normalised value, set whenever the row is saved: the only way to
    find rows by an identity value. `purpose` separates roles; `normalizer` is a module-level function."""

    def __init__(self, *args, source: str = "", purpose: str = "", normalizer=None, **kwargs):
        self.source, self.purpose, self.normalizer = source, purpose, normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        # A default in the database too, so rows inserted by raw SQL (benchmarks) need not name the column.
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose, normalizer=self.normalizer)
        defaults = (
            ("max_length", 64),
            ("blank", True),
            ("editable", False),
            ("db_index", True),
            ("db_default", ""),
        )
        for key, default in defaults:
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def value_for(self, plain: str) -> str:
        normalised = self.normalizer(plain) if self.normalizer else (plain or "")
        return identity_hash(self.purpose, normalised)

    def pre_save(self, model_instance, add):
        value = self.value_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
