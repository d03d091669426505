"""Step 3: the SHA-256 of the original, streamed in 1 MiB blocks while a private working copy is written,
so a 500 MB video is read once and never held in memory. Later steps only touch the copy."""

import hashlib

from evidence.pipeline.base import Context, PermanentFailure, TransientFailure

NAME = "sha256"
BLOCK = 1024 * 1024


def run(ctx: Context) -> str:
    item = ctx.item
    digest = hashlib.sha256()
    size = 0
    ctx.copy = ctx.scratch("original")
    try:
        with item.file.open("rb") as source, open(ctx.copy, "wb") as target:
            while block := source.read(BLOCK):
                digest.update(block)
                target.write(block)
                size += len(block)
    except FileNotFoundError as exc:
        raise PermanentFailure("The stored original is missing.") from exc
    except OSError as exc:
        raise TransientFailure(f"Storage could not be read: {exc.__class__.__name__}") from exc
    value = digest.hexdigest()
    if item.sha256 and item.sha256 != value:
        # The original must never change; a different hash on a re-run means the stored bytes were altered.
        raise PermanentFailure(f"The original's SHA-256 changed since it was first recorded ({item.sha256}).")
    item.sha256, item.size = value, size
    return value
