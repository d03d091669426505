"""Step 1: the stored original exists, is not empty and is within the size limit; then it is read, once.

The size comes with the read itself (S3: the GET's Content-Length, local: fstat) and is checked before any
byte of the body is read, so a file over the limit is never fetched; a file within it is read to its end
right away by hashing.take (digest, and on object storage the scratch copy every later step works on): one
request to the storage for the whole run instead of one per step."""

from django.conf import settings

from evidence.pipeline import hashing
from evidence.pipeline.base import Context, PermanentFailure, Rejected, TransientFailure
from evidence.storage import open_sized

NAME = "preflight"


def _check(ctx: Context, size: int) -> None:
    item = ctx.item
    if item.sha256 and item.size is not None and size != item.size:
        # Hashed before (a re-run): what was received is fixed, by the database too (docs/integrity.md), so a
        # different size means the stored bytes were altered.
        raise PermanentFailure(
            f"The original's size changed since it was first recorded ({item.size} bytes)."
        )
    if size == 0:
        raise Rejected("The file is empty (0 bytes).")
    # The intake limit applies again here, in case the limit was lowered or the row was written otherwise.
    if size > max(settings.POSKO_MAX_FILE_BYTES, settings.POSKO_PIPELINE_MAX_FILE_BYTES):
        raise Rejected(f"The file is larger than the processing limit ({size} bytes).")


def read_original(ctx: Context, *, check: bool = True) -> int:
    """Open the stored original, check its size from the same request (unless `check` is off) and read it
    once (hashing.take). Returns the size the storage announced. A missing original fails for good; any other
    storage error is transient."""
    item = ctx.item
    name = item.file.name
    if not name:
        raise PermanentFailure("No file is attached to this item.")
    try:
        with open_sized(item.file.storage, name) as (source, size):
            if check:
                _check(ctx, size)
            hashing.take(ctx, source)
    except FileNotFoundError as exc:
        raise PermanentFailure("The stored original is missing.") from exc
    except OSError as exc:
        raise TransientFailure(f"Storage could not be read: {exc.__class__.__name__}") from exc
    return size


def run(ctx: Context) -> str:
    size = read_original(ctx)
    if ctx.size != size:
        # Fewer or more bytes than announced: the object changed while it was read (or a proxy cut it short).
        raise TransientFailure(f"The original was {ctx.size} bytes long instead of {size} while it was read.")
    ctx.item.size = size
    return f"{size} bytes"
