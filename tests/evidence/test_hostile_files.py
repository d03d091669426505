"""Hostile, broken and deceptive files end rejected (quarantined where dangerous) with a reason."""

import pytest

from evidence.models import Evidence
from tests import samples
from tests.evidence.helpers import attach, process, sha256
from tests.factories import ReportFactory

EXPECTED = {
    # name: (status, quarantined, words in the reason)
    "foto_camat.jpg": ("rejected", True, "Windows program"),
    "bukti.jpg": ("rejected", True, "web page"),
    "gambar.png": ("rejected", True, "SVG"),
    "polyglot.jpg": ("rejected", True, "ZIP"),
    "terpotong.jpg": ("rejected", False, "damaged"),
    "kosong.jpg": ("rejected", False, "empty"),
    "bom.png": ("rejected", False, "pixel"),
    "rusak.mp4": ("rejected", False, "damaged"),
    "arsip.zip": ("rejected", True, "ZIP"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_hostile_file_is_rejected_with_a_reason(db, store, name):
    # On both storages: on S3 the type, markup and hidden archives are read from the run's one copy of the
    # original, not from the object store.
    content, declared = samples.hostile_set()[name]
    item = process(attach(ReportFactory(), content, name, declared))
    status, quarantined, words = EXPECTED[name]
    assert item.status == status, item.status_reason
    assert item.quarantined is quarantined
    assert words.lower() in item.status_reason.lower()
    assert not item.viewing_copy and not item.thumbnail
    if content:
        # Even a rejected file is kept and hashed: it may still matter to the case.
        assert item.sha256 == sha256(content)


def test_a_png_named_jpg_is_fine_but_a_pdf_named_jpg_is_not(db):
    png = process(attach(ReportFactory(), samples.image_bytes("PNG"), "foto.jpg", "image/jpeg"))
    assert png.status == Evidence.Status.READY
    pdf = process(attach(ReportFactory(), samples.pdf_bytes(), "foto.jpg", "image/jpeg"))
    assert pdf.status == Evidence.Status.REJECTED and pdf.quarantined and ".jpg" in pdf.status_reason
