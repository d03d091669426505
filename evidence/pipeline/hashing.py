"""Step 3: the SHA-256 of the original, streamed in 1 MiB blocks, so a 500 MB video is read once and never
held in memory. Later steps read the file by path: the stored original itself when the storage is on local
disk (opened read-only; no step writes to it), otherwise a private scratch copy written during this pass
(object storage: the one download of the original), removed with the run's scratch folder."""

import hashlib

from evidence.pipeline.base import Context, PermanentFailure, TransientFailure
from evidence.storage import BLOCK, local_path, open_stream

NAME = "sha256"


def run(ctx: Context) -> str:
    item = ctx.item
    digest = hashlib.sha256()
    size = 0
    storage = item.file.storage
    name = item.file.name
    if not name:  # preflight stops an item without a file before this step
        raise PermanentFailure("No file is attached to this item.")
    local = local_path(storage, name)
    target_path = None if local else ctx.scratch("original")
    try:
        with open_stream(storage, name) as source:
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
