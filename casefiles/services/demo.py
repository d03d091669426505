"""Demo offices for the embedded demo (bin/run): the demo reports lie in Jawa Timur, the seeds' setting is Kota
Probolinggo. Names and codes are illustrative; a real office sets its own in the admin."""

from casefiles.models import Office
from complaints.models import Region

DEMO_OFFICES = [
    {
        "region": "35",
        "name": "Badan Pengawas Pemilihan Umum",
        "name_line2": "Provinsi Jawa Timur",
        "short_name": "Bawaslu Provinsi Jawa Timur",
        "code": "PM.JI",
        "address": "Jl. Tanggulangin No. 3, Kota Surabaya, Jawa Timur (alamat demo)",
        "phone": "(031) 000000 (demo)",
        "email": "demo-jatim@posko.local",
        "city": "Surabaya",
        "signatory_name": "Nama Ketua (demo)",
        "signatory_position": "Ketua Bawaslu Provinsi Jawa Timur",
    },
    {
        "region": "35.74",
        "name": "Badan Pengawas Pemilihan Umum",
        "name_line2": "Kota Probolinggo",
        "short_name": "Bawaslu Kota Probolinggo",
        "code": "K.JI-22",
        "address": "Jl. Panglima Sudirman, Kota Probolinggo, Jawa Timur (alamat demo)",
        "phone": "(0335) 000000 (demo)",
        "email": "demo-probolinggo@posko.local",
        "city": "Probolinggo",
        "signatory_name": "Nama Ketua (demo)",
        "signatory_position": "Ketua Bawaslu Kota Probolinggo",
    },
]


def demo_documents_ensure() -> int:
    """Create the demo offices whose region is loaded and has no office yet. Returns how many were made."""
    made = 0
    for spec in DEMO_OFFICES:
        spec = dict(spec)
        region = Region.objects.filter(code=spec.pop("region")).first()
        if region is None or Office.objects.filter(region=region).exists():
            continue
        office = Office(region=region, **spec)
        office.full_clean()
        office.save()
        made += 1
    return made
