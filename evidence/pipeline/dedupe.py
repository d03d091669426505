"""Step 6: index for duplicates across the whole portal: the same bytes (SHA-256), the same normalised link,
or a near-identical photo (64-bit difference hash within POSKO_PHASH_MAX_DISTANCE bits)."""

from django.conf import settings
from django.db.models import Q
from PIL import Image

from evidence.models import DuplicateMatch, Evidence
from evidence.pipeline.base import Context

NAME = "duplicates"


def dhash(image: Image.Image) -> str:
    """Difference hash (Krawetz, 'Kind of like that', 2013): 9×8 grey pixels, one bit per left/right
    brightness step. Robust to scaling and re-compression, cheap to compare by Hamming distance."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}"


def _link(item: Evidence, other: Evidence, kind: str, distance: int = 0) -> None:
    DuplicateMatch.objects.bulk_create(
        [DuplicateMatch(evidence=item, other=other, kind=kind, distance=distance),
         DuplicateMatch(evidence=other, other=item, kind=kind, distance=distance)],
        ignore_conflicts=True,
    )


def run(ctx: Context) -> str:
    item = ctx.item
    if ctx.preview is not None and ctx.family in ("photo", "video"):
        item.phash = dhash(ctx.preview)
    found = 0
    # Any status: two copies of a file processed at the same moment still find each other, since each item
    # records its hash before this step runs.
    others = Evidence.objects.exclude(pk=item.pk)
    if item.sha256:
        for other in others.filter(sha256=item.sha256).only("id"):
            _link(item, other, DuplicateMatch.Kind.SAME_FILE)
            found += 1
    if item.url_key:
        for other in others.filter(url_key=item.url_key).only("id"):
            _link(item, other, DuplicateMatch.Kind.SAME_LINK)
            found += 1
    if item.phash:
        target = int(item.phash, 16)
        limit = settings.POSKO_PHASH_MAX_DISTANCE
        # Hamming distance in Python over the hashes only: 100,000 photos take a few tens of milliseconds.
        for pk, value in others.filter(~Q(phash="")).exclude(sha256=item.sha256).values_list("pk", "phash"):
            distance = (int(value, 16) ^ target).bit_count()
            if distance <= limit:
                _link(item, Evidence(pk=pk), DuplicateMatch.Kind.SIMILAR_PHOTO, distance)
                found += 1
    return f"{found} match(es)"
