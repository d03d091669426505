"""Step 3: the SHA-256 of the original, streamed in 1 MiB blocks, so a 500 MB video is read once and never
held in memory.

The original is read from storage once per run, by `take` (called by preflight, which checks the size first
from the same request): the digest is computed on the way, and on object storage the bytes go into a private
scratch copy that every later step reads by path (identify's head and tail, metadata, derived copies, the
virus scan), removed with the run's scratch folder. On a local folder the later steps read the stored original
itself (opened read-only; no step writes to it). This step then checks the digest against the one recorded
by an earlier run: what was received must never change."""

import hashlib
from typing import BinaryIO

from evidence.pipeline.base import Context, PermanentFailure
from evidence.storage import BLOCK, local_path

NAME = "sha256"


def take(ctx: Context, source: BinaryIO) -> None:
    """Read the original from `source` to its end: its SHA-256 and size, and (object storage) the scratch copy.
    Errors of the storage propagate: the caller tells a missing file from a transient failure."""
    item = ctx.item
    local = local_path(item.file.storage, item.file.name or "")
    target_path = None if local else ctx.scratch("original")
    digest = hashlib.sha256()
    size = 0
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
    ctx.copy = local or target_path
    ctx.sha256, ctx.size = digest.hexdigest(), size


def run(ctx: Context) -> str:
    item = ctx.item
    if not ctx.sha256:
        # Only when preflight did not read the original (it refused it before reading, and a rejected file is
        # still hashed: pipeline._hash_anyway). Imported here: preflight reads through this module's take.
        from evidence.pipeline import preflight

        preflight.read_original(ctx, check=False)
    value = ctx.sha256
    if item.sha256 and item.sha256 != value:
        # The original must never change; a different hash on a re-run means the stored bytes were altered.
        raise PermanentFailure(f"The original's SHA-256 changed since it was first recorded ({item.sha256}).")
    item.sha256, item.size = value, ctx.size
    return value
