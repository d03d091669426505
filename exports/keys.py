"""The office's export key: an Ed25519 key that signs every bundle's SHA256SUMS.

Where it comes from (POSKO_EXPORT_KEY): the PEM itself (a value starting with "-----BEGIN"), or the path of a
PEM file. Unset, the embedded default keeps one in var/ (POSKO_EXPORT_KEY_FILE) and makes it on first use.
`manage.py export_key_new` makes a new one. Anyone can check a signature with the public key alone:

    openssl pkeyutl -verify -pubin -inkey posko-export-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError
from django.utils import timezone

from exports.models import ExportKey


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public_pem: str
    fingerprint: str

    def sign(self, data: bytes) -> bytes:
        """A raw 64-byte Ed25519 signature (RFC 8032), which `openssl pkeyutl -verify -rawin` checks."""
        return self.private.sign(data)


def key_new_pem() -> bytes:
    """A new private key as unencrypted PKCS#8 PEM (keep it secret; its public half is published)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_pem_of(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def fingerprint_of(public: Ed25519PublicKey) -> str:
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _default_key_pem(path: Path) -> bytes:
    """The embedded default's key in var/: made on first use, atomically (two workers starting at once must
    not end with two keys), readable only by the portal's user."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key_new_pem())
    return path.read_bytes()


def _configured_pem() -> bytes:
    value = (settings.POSKO_EXPORT_KEY or "").strip()
    if not value:
        return _default_key_pem(Path(settings.POSKO_EXPORT_KEY_FILE))
    if value.startswith("-----BEGIN"):
        # Environment files often carry a PEM on one line with literal \n.
        return value.replace("\\n", "\n").encode()
    try:
        return Path(value).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"POSKO_EXPORT_KEY names a file that cannot be read: {exc}") from None


def signing_key() -> SigningKey:
    """The current export key, loaded from the environment (or var/)."""
    try:
        private = serialization.load_pem_private_key(_configured_pem(), password=None)
    except ValueError as exc:
        raise ImproperlyConfigured(f"POSKO_EXPORT_KEY is not a readable PEM private key: {exc}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ImproperlyConfigured(
            "POSKO_EXPORT_KEY must be an Ed25519 private key (manage.py export_key_new)"
        )
    public = private.public_key()
    return SigningKey(private=private, public_pem=public_pem_of(public), fingerprint=fingerprint_of(public))


def key_record(key: SigningKey) -> ExportKey:
    """The row that lists this key for /.well-known/posko-export-keys.json, made when first seen."""
    row = ExportKey.objects.filter(fingerprint=key.fingerprint).first()
    if row:
        return row
    try:
        return ExportKey.objects.create(fingerprint=key.fingerprint, public_key_pem=key.public_pem)
    except IntegrityError:  # another process recorded it first
        return ExportKey.objects.get(fingerprint=key.fingerprint)


def key_mark_used(row: ExportKey) -> None:
    now = timezone.now()
    ExportKey.objects.filter(pk=row.pk, first_used_at__isnull=True).update(first_used_at=now)
    ExportKey.objects.filter(pk=row.pk).update(last_used_at=now)
