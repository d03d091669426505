"""Key rings from the environment: production refuses to start without them; the embedded default makes its
own in var/ and keeps them (issue 9)."""

import json
import os
import stat
import subprocess
import sys

from tests.conftest import ROOT

PRINT_KEYS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.POSKO_IDENTITY_KEYS, s.POSKO_IDENTITY_HASH_KEYS, s.POSKO_PIN_KEYS]))"
)
RINGS = ("POSKO_IDENTITY_KEYS", "POSKO_IDENTITY_HASH_KEYS", "POSKO_PIN_KEYS")


def _run(env: dict, code: str = PRINT_KEYS) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in RINGS}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_keys():
    result = _run({"POSKO_DEBUG": "0"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: POSKO_IDENTITY_KEYS must be set when POSKO_DEBUG is off" in result.stderr


def test_a_malformed_key_is_refused_without_being_echoed():
    result = _run({"POSKO_DEBUG": "0", "POSKO_IDENTITY_KEYS": "not-a-fernet-key-but-secret-xyz"})
    assert result.returncode != 0 and "URL-safe base64" in result.stderr
    assert "not-a-fernet-key-but-secret-xyz" not in result.stderr


def test_the_embedded_default_makes_its_keys_in_var_once_and_keeps_them(tmp_path):
    env = {"POSKO_DEBUG": "1", "POSKO_VAR_DIR": str(tmp_path), "DATABASE_URL": "sqlite://:memory:"}
    first = _run(env)
    assert first.returncode == 0, first.stderr
    keys = json.loads(first.stdout)
    assert all(len(ring) == 1 for ring in keys)
    path = tmp_path / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == dict(zip(RINGS, keys, strict=True))
    second = _run(env)
    assert json.loads(second.stdout) == keys  # the same keys on every start: yesterday's data still reads


def test_keys_from_the_environment_win_and_keep_their_order():
    from tests.privacy.conftest import fernet_key, secret_key

    new, old = fernet_key(), fernet_key()
    env = {
        "POSKO_DEBUG": "0",
        "POSKO_IDENTITY_KEYS": f"{new}, {old}",
        "POSKO_IDENTITY_HASH_KEYS": secret_key(),
        "POSKO_PIN_KEYS": secret_key(),
    }
    result = _run(env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0] == [new, old]
