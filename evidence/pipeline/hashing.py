"""Step 3: the SHA-256 of the original, streamed in 1 MiB blocks, so a 500 MB video is read once and never
held in memory. Later steps read the file by path: the stored original itself when the storage is on local
disk (opened read-only; no step writes to it), otherwise a private scratch copy written during this pass."""

import hashlib
from pathlib import Path

from evidence.pipeline.base import Context, PermanentFailure, TransientFailure

NAME = "sha256"
BLOCK = 1024 * 1024


def _local_path(field_file) -> Path | None:
    try:
        return Path(field_file.storage.path(field_file.name))
    except NotImplementedError:
        return None


def run(ctx: Context) -> str:
    item = ctx.item
    digest = hashlib.sha256()
    size = 0
    local = _local_path(item.file)
    target_path = None if local else ctx.scratch("original")
    try:
        with open(local, "rb") if local else item.file.open("rb") as source:
            target = open(target_path, "wb") if target_path else None  # noqa: SIM115 (closed below)
            try:
                while block := source.read(BLOCK):
                    digest.update(block)
                    size += len(block)
                    if target:
                        target.write(block)
            finally:
                if target:
                    target.close()
    except FileNotFoundError as exc:
        raise PermanentFailure("The stored original is missing.") from exc
    except OSError as exc:
        raise TransientFailure(f"Storage could not be read: {exc.__class__.__name__}") from exc
    ctx.copy = local or target_path
    value = digest.hexdigest()
    if item.sha256 and item.sha256 != value:
        # The original must never change; a different hash on a re-run means the stored bytes were altered.
        raise PermanentFailure(f"The original's SHA-256 changed since it was first recorded ({item.sha256}).")
    item.sha256, item.size = value, size
    return value
