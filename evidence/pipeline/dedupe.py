"""Step 6: index for duplicates across the whole portal: the same bytes (SHA-256), the same normalised link,
or a near-identical photo (64-bit difference hash within POSKO_PHASH_MAX_DISTANCE bits)."""

import uuid

from django.conf import settings
from django.db import connection
from PIL import Image

from evidence.models import DuplicateMatch, Evidence
from evidence.pipeline.base import Context

NAME = "duplicates"
_SIGN = 2**63


def dhash(image: Image.Image) -> int:
    """Difference hash (Krawetz, 'Kind of like that', 2013): 9×8 grey pixels, one bit per left/right
    brightness step, robust to scaling and re-compression. Returned as a signed 64-bit integer."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return bits - 2**64 if bits >= _SIGN else bits


def similar(item: Evidence, limit: int) -> list[tuple[uuid.UUID, int]]:
    """(pk, distance) of the other items whose hash is within `limit` bits. PostgreSQL computes the distance
    in the scan (bit_count of the XOR); elsewhere the hashes are compared here."""
    target = item.phash
    if target is None:
        return []
    others = Evidence.objects.exclude(pk=item.pk).filter(phash__isnull=False)
    if connection.vendor == "postgresql":
        distance = "bit_count((phash # %s)::bit(64))"
        table = Evidence._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {distance} FROM {table} WHERE phash IS NOT NULL AND id <> %s AND {distance} <= %s",  # noqa: S608
                [target, item.pk, target, limit],
            )
            return list(cursor.fetchall())
    return [
        (pk, d)
        for pk, value in others.values_list("pk", "phash")
        if value is not None and (d := ((value ^ target) & (2**64 - 1)).bit_count()) <= limit
    ]


def run(ctx: Context) -> str:
    """Find the matches; they are written with the item's final save (one transaction)."""
    item = ctx.item
    if ctx.preview is not None and ctx.family in ("photo", "video"):
        item.phash = dhash(ctx.preview)
    # Any status: two copies of a file processed at the same moment still find each other, since each item
    # records its hash before this step runs.
    # No ordering: the model's default (by report, position) would join the reports table and sort, for a
    # set of ids.
    others = Evidence.objects.exclude(pk=item.pk).order_by()
    same_file = set()
    if item.sha256:
        same_file = set(others.filter(sha256=item.sha256).values_list("pk", flat=True))
        ctx.matches += [(Evidence(pk=pk), DuplicateMatch.Kind.SAME_FILE, 0) for pk in same_file]
    if item.url_key:
        ctx.matches += [
            (Evidence(pk=pk), DuplicateMatch.Kind.SAME_LINK, 0)
            for pk in others.filter(url_key=item.url_key).values_list("pk", flat=True)
        ]
    if item.phash is not None:
        ctx.matches += [
            (Evidence(pk=pk), DuplicateMatch.Kind.SIMILAR_PHOTO, distance)
            for pk, distance in similar(item, settings.POSKO_PHASH_MAX_DISTANCE)
            if pk not in same_file
        ]
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
