"""Step 4: metadata from the working copy, recorded for staff (capture time, device, GPS, duration, pages)."""

from evidence.pipeline import documents, photos, videos
from evidence.pipeline.base import Context

NAME = "metadata"

EXTRACTORS = {
    "photo": photos.extract,
    "video": videos.extract,
    "audio": videos.extract,
    "document": documents.extract,
}


def run(ctx: Context) -> str:
    meta = EXTRACTORS[ctx.family](ctx.copy)
    if ctx.family == "video" and "video_codec" not in meta:
        ctx.family = ctx.item.kind = "audio"  # an MP4 with sound only
    ctx.item.metadata = meta
    return ", ".join(sorted(meta))[:200]
