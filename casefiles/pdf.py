"""Typesetting Posko's documents with Typst (the `typst` wheel from PyPI: no system packages, fonts embedded).

Why Typst: it writes PDF/A (archival) and tagged, accessible PDF itself, installs as one wheel, and typesets a
case file with 100 evidence rows and their thumbnails in a fraction of a second (bench/casefile_pdf.py).

Data goes in as one JSON string (`sys.inputs.data`, read with `json(bytes(sys.inputs.data))` in the
template), so every user-written value is a string that Typst places as text: it is never parsed as markup.
Images cannot be passed in memory (typst-py 0.15 decodes every in-memory file as UTF-8 text, src/world.rs
`from_inline_bytes`), so they are copied through the storage API into a scratch folder that is the project
root of the compilation and removed afterwards."""

import json
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "typst"
TYPESET = Path(__file__).resolve().parent / "typeset.py"
# PDF/A-2a (ISO 19005-2 level A: archival, tagged, Unicode text) together with PDF/UA-1 (ISO 14289-1:
# accessible). typst-py 0.15 README: "Multiple compatible PDF standards can be requested at once".
PDF_STANDARDS = ["a-2a", "ua-1"]


class TypesetError(RuntimeError):
    """Typst refused the document, ran out of its memory cap or out of time."""


class Typesetter:
    """A scratch folder for one document: add images to it, then typeset. Use as a context manager."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="posko-typst-"))
        shutil.copy(TEMPLATES / "common.typ", self.root / "common.typ")
        (self.root / "img").mkdir()

    def __enter__(self) -> "Typesetter":
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def add(self, name: str, source) -> str:
        """Copy an image (a FieldFile, read through its storage, or bytes) into the scratch folder as
        img/<name>. Returns the path to use in the template, or "" when the file cannot be read (the document
        is still made, without that picture)."""
        target = self.root / "img" / name
        if not source:
            return ""
        try:
            if isinstance(source, bytes):
                target.write_bytes(source)
            else:
                with source.open("rb") as stream, open(target, "wb") as out:
                    shutil.copyfileobj(stream, out, 1024 * 1024)
        except (OSError, ValueError):
            log.warning(
                "image %s could not be read for a document", getattr(source, "name", name), exc_info=True
            )
            return ""
        return f"img/{name}"

    def pdf(self, template: str, data: dict, *, when) -> bytes:
        """Typeset in a child process (casefiles/typeset.py) with a memory cap and a time limit."""
        shutil.copy(TEMPLATES / template, self.root / "main.typ")
        job = {
            "root": str(self.root),
            "data": json.dumps(data, ensure_ascii=False),
            "standards": PDF_STANDARDS,
            "timestamp": int(when.timestamp()),
            "memory_mb": settings.POSKO_TYPESET_MEMORY_MB,
        }
        try:
            done = subprocess.run(  # noqa: S603 - our own script, with this interpreter
                [sys.executable, str(TYPESET)],
                input=json.dumps(job).encode(),
                capture_output=True,
                timeout=settings.POSKO_TYPESET_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise TypesetError(f"typesetting {template} took longer than the time limit") from exc
        if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
            raise TypesetError(
                f"typesetting {template} failed: {done.stderr.decode(errors='replace')[-2000:]}"
            )
        return done.stdout
