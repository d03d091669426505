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


_DISTANCE = "bit_count((phash # %s)::bit(64))"


def similar(item: Evidence, limit: int) -> list[tuple[uuid.UUID, int]]:
    """(pk, distance) of the other items whose hash is within `limit` bits. PostgreSQL computes the distance
    in the scan (bit_count of the XOR); elsewhere the hashes are compared here."""
    target = item.phash
    if target is None:
        return []
    others = Evidence.objects.exclude(pk=item.pk).filter(phash__isnull=False)
    if connection.vendor == "postgresql":
        table = Evidence._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {_DISTANCE} FROM {table} WHERE phash IS NOT NULL AND id <> %s AND {_DISTANCE} <= %s",  # noqa: S608
                [target, item.pk, target, limit],
            )
            return list(cursor.fetchall())
    return [
        (pk, d)
        for pk, value in others.values_list("pk", "phash")
        if value is not None and (d := ((value ^ target) & (2**64 - 1)).bit_count()) <= limit
    ]


def _same_or_similar(item: Evidence, limit: int) -> tuple[set[uuid.UUID], list[tuple[uuid.UUID, int]]]:
    """The other items with the same bytes, and (pk, distance) of the others whose picture is within `limit`
    bits and whose bytes differ. On PostgreSQL a photo's two searches are one scan (the similar-picture
    search reads every hash anyway): one round trip instead of two."""
    # No ordering: the model's default (by report, position) would join the reports table and sort, for a
    # set of ids.
    others = Evidence.objects.exclude(pk=item.pk).order_by()
    if connection.vendor != "postgresql" or item.phash is None or not item.sha256:
        same = set(others.filter(sha256=item.sha256).values_list("pk", flat=True)) if item.sha256 else set()
        return same, [(pk, d) for pk, d in similar(item, limit) if pk not in same]
    table = Evidence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, sha256 = %s, {_DISTANCE} FROM {table} WHERE id <> %s"  # noqa: S608
            f" AND (sha256 = %s OR (phash IS NOT NULL AND {_DISTANCE} <= %s))",
            [item.sha256, item.phash, item.pk, item.sha256, item.phash, limit],
        )
        rows = cursor.fetchall()
    return {pk for pk, same, _ in rows if same}, [(pk, d) for pk, same, d in rows if not same]


def run(ctx: Context) -> str:
    """Find the matches; they are written with the item's final save (one transaction)."""
    item = ctx.item
    if ctx.preview is not None and ctx.family in ("photo", "video"):
        item.phash = dhash(ctx.preview)
    # Any status: two copies of a file processed at the same moment still find each other, since each item
    # records its hash before this step runs.
    same_file, near = _same_or_similar(item, settings.POSKO_PHASH_MAX_DISTANCE)
    ctx.matches += [(pk, DuplicateMatch.Kind.SAME_FILE, 0) for pk in same_file]
    if item.url_key:
        others = Evidence.objects.exclude(pk=item.pk).order_by()
        ctx.matches += [
            (pk, DuplicateMatch.Kind.SAME_LINK, 0)
            for pk in others.filter(url_key=item.url_key).values_list("pk", flat=True)
        ]
    ctx.matches += [(pk, DuplicateMatch.Kind.SIMILAR_PHOTO, distance) for pk, distance in near]
    return f"{len(ctx.matches)} match(es)"


def matches_save(ctx: Context) -> None:
    """Record the matches in both directions, so each item lists its own with one query. Re-running adds
    nothing: a unique constraint, conflicts ignored."""
    item = ctx.item
    rows = []
    for other, kind, distance in ctx.matches:
        rows.append(DuplicateMatch(evidence_id=item.pk, other_id=other, kind=kind, distance=distance))
        rows.append(DuplicateMatch(evidence_id=other, other_id=item.pk, kind=kind, distance=distance))
    if rows:
        DuplicateMatch.objects.bulk_create(rows, ignore_conflicts=True)
