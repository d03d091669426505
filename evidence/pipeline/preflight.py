"""Step 1: the stored original exists, is not empty and is within the size limit."""

from django.conf import settings

from evidence.pipeline.base import Context, PermanentFailure, Rejected, TransientFailure

NAME = "preflight"


def run(ctx: Context) -> str:
    item = ctx.item
    name = item.file.name
    if not name:
        raise PermanentFailure("No file is attached to this item.")
    storage = item.file.storage
    try:
        if not storage.exists(name):
            raise PermanentFailure("The stored original is missing.")
        size = storage.size(name)
    except OSError as exc:
        raise TransientFailure(f"Storage could not be read: {exc.__class__.__name__}") from exc
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
    item.size = size
    return f"{size} bytes"
