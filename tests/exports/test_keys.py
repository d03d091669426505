"""The office's export key: from the environment (a PEM or a file), made by a management command, made in var/
on first use by the embedded default; the public keys under /.well-known/ for anyone."""

import os
import stat
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from exports import keys
from exports.models import ExportKey


def test_the_embedded_default_makes_a_private_key_in_var_on_first_use(settings, tmp_path):
    settings.POSKO_EXPORT_KEY = ""
    settings.POSKO_EXPORT_KEY_FILE = tmp_path / "var" / "posko-export-key.pem"
    first = keys.signing_key()
    assert stat.S_IMODE(os.stat(settings.POSKO_EXPORT_KEY_FILE).st_mode) == 0o600
    assert keys.signing_key().fingerprint == first.fingerprint  # made once, then read


def test_the_key_may_be_the_pem_itself_even_on_one_line(settings):
    pem = keys.key_new_pem().decode()
    settings.POSKO_EXPORT_KEY = pem.replace("\n", "\\n")
    expected = serialization.load_pem_private_key(pem.encode(), None).public_key()
    assert keys.signing_key().fingerprint == keys.fingerprint_of(expected)


def test_a_bad_key_stops_with_a_clear_message(settings, tmp_path):
    settings.POSKO_EXPORT_KEY = str(tmp_path / "missing.pem")
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        keys.signing_key()
    settings.POSKO_EXPORT_KEY = "-----BEGIN PRIVATE KEY-----\\nnonsense\\n-----END PRIVATE KEY-----"
    with pytest.raises(ImproperlyConfigured, match="not a readable PEM"):
        keys.signing_key()
    rsa = generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings.POSKO_EXPORT_KEY = rsa.decode()
    with pytest.raises(ImproperlyConfigured, match="Ed25519"):
        keys.signing_key()


def test_the_management_command_makes_a_key_and_never_overwrites_one(settings, tmp_path):
    out = tmp_path / "kunci.pem"
    call_command("export_key_new", out=str(out))
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    settings.POSKO_EXPORT_KEY = str(out)
    fingerprint = keys.signing_key().fingerprint
    with pytest.raises(CommandError, match="exists"):
        call_command("export_key_new", out=str(out))
    assert keys.signing_key().fingerprint == fingerprint


def test_the_fingerprint_is_what_openssl_and_sha256sum_say(tmp_path):
    key = keys.signing_key()
    (tmp_path / "k.pem").write_text(key.public_pem)
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(tmp_path / "k.pem"), "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    assert subprocess.run(["sha256sum"], input=der, capture_output=True, check=True).stdout.split()[
        0
    ].decode() == (key.fingerprint)


def test_the_public_key_is_public_and_verifies_a_signature(client, db, tmp_path):
    response = client.get("/.well-known/posko-export-key.pem")
    assert response.status_code == 200 and response.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert b"PRIVATE" not in response.content
    (tmp_path / "k.pem").write_bytes(response.content)
    (tmp_path / "data").write_bytes(b"abc  berkas\n")
    (tmp_path / "data.sig").write_bytes(keys.signing_key().sign(b"abc  berkas\n"))
    verify = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "k.pem",
            "-rawin",
            "-in",
            "data",
            "-sigfile",
            "data.sig",
        ],
        cwd=tmp_path,
        capture_output=True,
    )
    assert verify.returncode == 0


def test_every_key_ever_used_is_listed_with_its_period(client, db, settings, tmp_path):
    old = keys.signing_key()
    row = keys.key_record(old)
    keys.key_mark_used(row)
    new_file = tmp_path / "new.pem"
    new_file.write_bytes(keys.key_new_pem())
    settings.POSKO_EXPORT_KEY = str(new_file)  # the office rotates its key
    body = client.get("/.well-known/posko-export-keys.json").json()
    listed = {k["sha256"]: k for k in body["keys"]}
    assert set(listed) == {old.fingerprint, keys.signing_key().fingerprint}
    assert listed[old.fingerprint]["first_used"] and listed[old.fingerprint]["last_used"]
    assert not listed[old.fingerprint]["current"]
    assert listed[keys.signing_key().fingerprint]["current"]
    assert listed[keys.signing_key().fingerprint]["first_used"] is None  # not used yet
    assert "PRIVATE" not in str(body) and ExportKey.objects.count() == 2
