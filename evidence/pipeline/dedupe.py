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


def run(ctx: Context) -> str:
    """Find the matches in one query; they are written with the item's final save (one transaction)."""
    item = ctx.item
    if ctx.preview is not None and ctx.family in ("photo", "video"):
        item.phash = dhash(ctx.preview)
    wanted = Q(pk__in=[])
    if item.sha256:
        wanted |= Q(sha256=item.sha256)
    if item.url_key:
        wanted |= Q(url_key=item.url_key)
    if item.phash:
        wanted |= ~Q(phash="")
    target = int(item.phash, 16) if item.phash else None
    limit = settings.POSKO_PHASH_MAX_DISTANCE
    # Any status: two copies of a file processed at the same moment still find each other, since each item
    # records its hash before this step runs. The Hamming distances are computed here over the hashes only
    # (100,000 photos take a few tens of milliseconds).
    for pk, sha, key, phash in Evidence.objects.exclude(pk=item.pk).filter(wanted).values_list(
            "pk", "sha256", "url_key", "phash"):
        other = Evidence(pk=pk)
        if item.sha256 and sha == item.sha256:
            ctx.matches.append((other, DuplicateMatch.Kind.SAME_FILE, 0))
        elif item.url_key and key == item.url_key:
            ctx.matches.append((other, DuplicateMatch.Kind.SAME_LINK, 0))
        elif target is not None and phash:
            distance = (int(phash, 16) ^ target).bit_count()
            if distance <= limit:
                ctx.matches.append((other, DuplicateMatch.Kind.SIMILAR_PHOTO, distance))
    return f"{len(ctx.matches)} match(es)"


def matches_save(ctx: Context) -> None:
    """Record the matches in both directions, so each item lists its own with one query. Re-running adds
    nothing: a unique constraint, conflicts ignored."""
    item = ctx.item
    rows = []
    for other, kind, distance in ctx.matches:
        rows.append(DuplicateMatch(evidence=item, other=other, kind=kind, distance=distance))
        rows.append(DuplicateMatch(evidence=other, other=item, kind=kind, distance=distance))
    if rows:
        DuplicateMatch.objects.bulk_create(rows, ignore_conflicts=True)
