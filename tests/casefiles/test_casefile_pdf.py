"""The case file (berkas perkara): what it says, what it keeps out, and what kind of PDF it is."""

import io

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casefiles.services import casefile_render
from complaints.models import ReportEvent
from tests.casefiles.conftest import REPORTER, attach, registered_case
from tests.casefiles.helpers import pdf_pages, pdf_text, squeeze
from tests.factories import jpeg_bytes
from tests.samples import jpeg_with_exif

pytestmark = pytest.mark.django_db


def gps_of(report):
    item = report.evidence.get(original_name="IMG_20241120_101500.jpg")
    return item.metadata["gps"]


def test_a_masked_file_has_the_case_and_no_reporter_identity_or_gps(rich_case):
    """GIVEN a case whose reporter gave name, NIK, address, phone and e-mail, with a photo carrying GPS
    WHEN the case file is made without identity
    THEN it names the case, the terlapor, every evidence hash and the timeline, and none of the identity or
    the coordinates ("location recorded" instead)."""
    pdf = casefile_render(report=rich_case, include_identity=False, language="id")
    text = pdf_text(pdf)
    flat = squeeze(text)
    assert rich_case.case_number in text
    assert "Budi Santoso" in text and "198001012005011002" in text
    hashes = [e.sha256 for e in rich_case.evidence.exclude(sha256="")]
    assert len(hashes) == 2
    for digest in hashes:
        assert digest in flat
    for event in ReportEvent.objects.filter(report=rich_case).exclude(note=""):
        assert squeeze(event.note)[:40] in flat
    assert "Penelusuran" in text and "Klarifikasi" in text  # the statuses the case went through
    for value in REPORTER.values():
        assert squeeze(value) not in flat, value
    gps = gps_of(rich_case)
    assert str(gps["latitude"]) not in flat and str(gps["longitude"]) not in flat
    assert "lokasi tercatat" in text


def test_an_identity_bearing_file_shows_the_reporter_and_the_gps_position(rich_case):
    pdf = casefile_render(report=rich_case, include_identity=True, language="id")
    flat = squeeze(pdf_text(pdf))
    for value in REPORTER.values():
        assert squeeze(value) in flat, value
    gps = gps_of(rich_case)
    assert str(gps["latitude"]) in flat and str(gps["longitude"]) in flat


def test_typst_markup_in_what_people_wrote_prints_as_text(people, office):
    """A chronology is typed by the public: markup in it must never run in the typesetter."""
    hostile = "Camat #set page(width: 5cm) lalu ] dan $x^2$ serta #pagebreak() *tebal* _miring_ <b>"
    report = registered_case(people, chronology=hostile, witnesses="#rect(width: 100cm) \\")
    pdf = casefile_render(report=report, include_identity=False, language="id")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert {round(float(p.mediabox.width)) for p in reader.pages} == {595}  # A4 on every page: nothing ran
    flat = squeeze(pdf_text(pdf))
    assert squeeze(hostile) in flat
    assert squeeze("#rect(width: 100cm) \\") in flat


def test_every_page_carries_the_case_number_and_when_the_file_was_made(rich_case):
    pdf = casefile_render(report=rich_case, include_identity=False, language="id")
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert rich_case.case_number in page
        assert "dibuat" in page
        assert f"halaman {number} dari {len(pages)}" in page


def test_english_on_request_and_the_signing_fingerprint_on_the_cover(rich_case):
    fingerprint = "SHA256:3q2+7w" + "A" * 30
    pdf = casefile_render(
        report=rich_case, include_identity=False, language="en", signing_fingerprint=fingerprint
    )
    cover = pdf_pages(pdf)[0]
    assert "CASE FILE" in cover
    assert squeeze(fingerprint) in squeeze(cover)
    assert (
        "BERKAS PERKARA"
        in pdf_pages(casefile_render(report=rich_case, include_identity=False, language="id"))[0]
    )


def test_photos_and_video_frames_and_the_link_screenshot_are_in_the_file(rich_case):
    pdf = casefile_render(report=rich_case, include_identity=False, language="id")
    images = [image for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 3  # photo thumbnail, video poster frame, link screenshot
    text = squeeze(pdf_text(pdf))
    assert "c" * 64 in text  # the link archive's hash
    assert "facebook.com/camat.kanigaran/posts/123456789" in text.replace("\u200b", "")


def test_the_file_is_pdf_a_2a_and_pdf_ua_1(rich_case):
    """What can be checked here: the PDF declares PDF/A-2 level A and PDF/UA-1 in its XMP metadata, is tagged
    (a structure tree, marked content) and carries a title and a language."""
    pdf = casefile_render(report=rich_case, include_identity=False, language="id")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>A</pdfaid:conformance>" in xmp
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "id"
    assert rich_case.case_number in reader.metadata.title


def test_other_cases_of_the_same_person_are_listed(people, office):
    first = registered_case(people)
    second = registered_case(people, chronology="Camat yang sama memasang baliho calon.")
    text = pdf_text(casefile_render(report=second, include_identity=False, language="id"))
    assert first.case_number in text


def queries_for(report) -> int:
    with CaptureQueriesContext(connection) as queries:
        casefile_render(report=report, include_identity=False, language="id")
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_evidence(people, office):
    small = registered_case(people)
    attach(small, jpeg_with_exif(), "a.jpg", "image/jpeg", 0)
    large = registered_case(people)
    for i in range(12):
        attach(large, jpeg_bytes(64 + i, 48, (i * 20, 30, 30)), f"b{i}.jpg", "image/jpeg", i)
    assert queries_for(large) == queries_for(small)
