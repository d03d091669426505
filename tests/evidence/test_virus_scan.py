"""The optional virus scan, against a real clamd with a signature database the test writes itself."""

import pytest

from evidence.models import Evidence
from tests import samples
from tests.evidence.helpers import attach, process
from tests.factories import ReportFactory


def test_a_file_with_the_eicar_test_string_is_quarantined(db, settings, clamd_socket):
    settings.CLAMD_SOCKET = clamd_socket
    item = process(attach(ReportFactory(), samples.jpeg_with_eicar(), "foto.jpg", "image/jpeg"))
    assert item.detected_type == "image/jpeg"  # a real JPEG: only the scanner could tell
    assert item.status == Evidence.Status.REJECTED and item.quarantined
    assert "Posko.Test.EICAR" in item.status_reason
    assert not item.viewing_copy


def test_a_clean_file_passes_the_scan(db, settings, clamd_socket):
    settings.CLAMD_SOCKET = clamd_socket
    item = process(attach(ReportFactory(), samples.jpeg_with_exif(), "foto.jpg", "image/jpeg"))
    assert item.status == Evidence.Status.READY and item.steps["virus_scan"]["detail"] == "clean"


def test_an_unreachable_scanner_is_a_transient_failure(db, settings, tmp_path):
    from evidence import pipeline

    settings.CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    item = attach(ReportFactory(), samples.jpeg_with_exif(), "foto.jpg", "image/jpeg")
    with pytest.raises(pipeline.TransientFailure):
        pipeline.run(evidence_id=item.pk, final_attempt=False)
    item.refresh_from_db()
    assert item.status == Evidence.Status.FAILED and "scanner" in item.status_reason and item.steps["retry"]
