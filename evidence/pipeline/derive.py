"""Step 5: derived copies for people to look at: a viewing copy (photo, or a video's poster frame) with
orientation applied and no metadata at all, and a thumbnail. Originals are never shown."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image

from evidence.pipeline import documents, photos, videos
from evidence.pipeline.base import Context
from evidence.storage import flushes_started, overwrites

NAME = "derive"
THUMB = 320


def _jpeg(image: Image.Image, quality: int) -> ContentFile:
    # Saved without exif=, icc_profile= or xmp=: Pillow writes none of the source's metadata.
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality, optimize=False, progressive=False)
    return ContentFile(buf.getvalue())


def _replace(field_file, name: str, content: ContentFile) -> None:
    # Re-running the step replaces its own files instead of piling up numbered copies. Where the storage
    # overwrites in place (S3), the save itself replaces a copy of the same name, whether the row names it or
    # a killed run wrote it but never recorded it: no DELETE first. On a local folder, which would store the
    # new copy under a free numbered name instead, that name is cleared first. A copy the row names under
    # another name is removed either way.
    storage = field_file.storage
    target = field_file.field.generate_filename(field_file.instance, name)
    stale = {field_file.name} if field_file else set()
    if overwrites(storage):
        stale.discard(target)
    else:
        stale.add(target)
    for old in stale:
        storage.delete(old)
    field_file.save(name, content, save=False)


def picture_for(ctx: Context) -> Image.Image | None:
    view_max = settings.POSKO_VIEW_MAX_PIXELS
    if ctx.family == "photo":
        return photos.render(ctx.copy, view_max)
    if ctx.family == "video":
        frame = videos.poster(ctx.copy, ctx.item.metadata.get("duration_seconds"))
        if frame is not None:
            frame.thumbnail((view_max, view_max), Image.Resampling.BICUBIC, reducing_gap=2.0)
        return frame
    if ctx.family == "document":
        return documents.first_page(ctx.copy, THUMB * 2)
    return None


def run(ctx: Context) -> str:
    picture = picture_for(ctx)
    if picture is None:
        return "nothing to derive"
    item = ctx.item
    width, height = picture.size
    # On a local folder the copies' flushes to disk go on while the thumbnail is made and the later steps run;
    # the run waits for them before it saves the row that names the copies (pipeline._run_claimed).
    with flushes_started() as flushes:
        ctx.flushes.append(flushes)
        if ctx.family in ("photo", "video"):
            _replace(item.viewing_copy, "view.jpg", _jpeg(picture, 85))
        # The viewing copy is written: the picture itself becomes the thumbnail (in place, no copy). A box
        # reduction first, then bicubic over the last factor of at most 1.5: sharp enough for a 320-px
        # thumbnail at a quarter of the cost of a full bicubic pass.
        thumb = picture
        thumb.thumbnail((THUMB, THUMB), Image.Resampling.BICUBIC, reducing_gap=1.5)
        _replace(item.thumbnail, "thumb.jpg", _jpeg(thumb, 80))
    ctx.preview = thumb
    return f"viewing copy {width}×{height}"
