"""Key rings for reporter privacy (issue 9), read from the environment by settings.py.

Each ring is a comma-separated list, newest key first: the newest key writes, every key in the list still
reads, so a key is rotated by putting a new one in front and, once `manage.py identity_reencrypt` has moved
every row to it, dropping the old one from the end.

Production refuses to start without them. The embedded default (POSKO_DEBUG=1, bin/run) makes its own keys on
first use and keeps them in POSKO_VAR_DIR/keys.json (mode 0600, outside the repository: var/ is ignored), so
that data written yesterday still reads today."""

import base64
import binascii
import contextlib
import fcntl
import json
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from posko.env import env_list

FERNET = "fernet"  # cryptography's Fernet keys: 32 random bytes, URL-safe base64
SECRET = "secret"  # HMAC keys: any string of at least 32 characters

_HOW_TO_MAKE = {
    FERNET: 'python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"',
    SECRET: 'python -c "import secrets; print(secrets.token_urlsafe(32))"',
}
_MIN_SECRET_CHARS = 32


def new_key(kind: str) -> str:
    if kind == FERNET:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()
    return secrets.token_urlsafe(32)


def key_check(name: str, kind: str, key: str) -> None:
    """Raise ImproperlyConfigured for a key that is not of its kind (never echoing the key itself)."""
    if kind == FERNET:
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{name}: every key must be 32 random bytes in URL-safe base64 (44 characters); "
                f"make one with: {_HOW_TO_MAKE[FERNET]}"
            )
    elif len(key) < _MIN_SECRET_CHARS:
        raise ImproperlyConfigured(
            f"{name}: every key must be at least {_MIN_SECRET_CHARS} characters; make one with: "
            f"{_HOW_TO_MAKE[SECRET]}"
        )


def key_ring(name: str, kind: str, *, debug: bool, var_dir: Path) -> list[str]:
    """The keys named by environment variable `name`, newest first. Unset: in debug, the keys kept in
    var_dir/keys.json (made on first use); otherwise ImproperlyConfigured."""
    keys = env_list(name)
    if not keys:
        if not debug:
            raise ImproperlyConfigured(
                f"{name} must be set when POSKO_DEBUG is off: a comma-separated list of keys, newest first "
                f"(see .env.example). Make a key with: {_HOW_TO_MAKE[kind]}"
            )
        keys = _development_keys(name, kind, var_dir)
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured(f"{name} lists the same key twice")
    for key in keys:
        key_check(name, kind, key)
    return keys


def _development_keys(name: str, kind: str, var_dir: Path) -> list[str]:
    """Keys of the embedded default, made once and kept in var_dir/keys.json. A lock file makes two processes
    starting together (runserver and its reloader, two test workers) agree on one key."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "keys.json"
    with open(var_dir / "keys.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored: dict = {}
        with contextlib.suppress(FileNotFoundError):
            stored = json.loads(path.read_text())
        if not stored.get(name):
            stored[name] = [new_key(kind)]
            scratch = path.with_suffix(".tmp")
            fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump(stored, fh, indent=1)
            os.replace(scratch, path)
        return list(stored[name])
