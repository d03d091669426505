"""Make a new Ed25519 export key (the private key, PEM). Keep it secret; point POSKO_EXPORT_KEY at it."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exports.keys import fingerprint_of, key_new_pem


class Command(BaseCommand):
    help = "Make a new Ed25519 export key; writes the private key PEM to --out (mode 600) or to stdout."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="file to write (refused if it exists)")

    def handle(self, *args, out=None, **options):
        from cryptography.hazmat.primitives import serialization

        pem = key_new_pem()
        public = serialization.load_pem_private_key(pem, password=None).public_key()
        if out:
            path = Path(out)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise CommandError(f"{path} exists: not overwritten") from None
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
            self.stderr.write(f"wrote {path}; set POSKO_EXPORT_KEY={path}")
        else:
            self.stdout.write(pem.decode(), ending="")
        self.stderr.write(f"fingerprint (SHA-256 of the public key, DER): {fingerprint_of(public)}")
