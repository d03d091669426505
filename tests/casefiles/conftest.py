"""Fixtures of the case-file tests: offices, the people at each door, and a case taken through the procedure
with real evidence (a photo carrying GPS, a video, a link with its archive) processed by the real pipeline."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from casefiles.models import Office
from complaints.models import Region, Report
from complaints.services import workflow
from evidence import services as evidence_services
from evidence.models import LinkCapture
from tests.factories import AccusedFactory, ReportFactory, staff
from tests.samples import jpeg_with_exif, video_bytes

S = Report.Status
REPORTER = {
    "reporter_name": "Siti Aminah Rahmawati",
    "reporter_nik": "3574014107900003",
    "reporter_address": "Jl. Suroyo Gang Mawar 12, Kanigaran",
    "reporter_phone": "081234567890",
    "reporter_email": "siti.aminah@example.org",
}


def office_make(region="35.74", **overrides) -> Office:
    values = {
        "name": "Badan Pengawas Pemilihan Umum",
        "name_line2": "Kota Probolinggo",
        "short_name": "Bawaslu Kota Probolinggo",
        "code": "K.JI-22",
        "region": Region.objects.get(code=region) if region else None,
        "address": "Jl. Panglima Sudirman 1, Kota Probolinggo",
        "city": "Probolinggo",
        "signatory_name": "Ahmad Dahlan",
        "signatory_position": "Ketua Bawaslu Kota Probolinggo",
        "number_pattern": "{seq:03d}/{type_code}/{office_code}/{month_roman}/{year}",
    }
    values.update(overrides)
    office = Office(**values)
    office.full_clean()
    office.save()
    return office


@pytest.fixture(autouse=True)
def _casefile_defaults(request):
    """Tests on a transactional database start from an emptied database: load the default letter texts and
    form models again (ordinary tests keep the ones migration 0002 loaded)."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        defaults_ensure()


def defaults_ensure() -> None:
    from casefiles.defaults import defaults_load
    from casefiles.models import FormModel, LetterTemplate

    defaults_load(LetterTemplate, FormModel)


@pytest.fixture
def office(db):
    return office_make()


@pytest.fixture
def people(db):
    return {
        "relawan": staff("relawan", "relawan", ["35"]),
        "staf": staff("staf", "staf", ["35.74"]),
        "koordinator": staff("koordinator", "koordinator", ["35.74"]),
        "outsider": staff("outsider", "staf", ["31"]),
    }


def png_bytes(width=640, height=400, color=(30, 90, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def attach(report, content: bytes, name: str, content_type: str, position: int):
    item = evidence_services.evidence_attach_file(
        report=report, upload=SimpleUploadedFile(name, content, content_type), position=position
    )
    evidence_services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    return item


def link_with_capture(report, url: str, position: int):
    item = evidence_services.evidence_attach_link(report=report, url=url, position=position)
    evidence_services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    capture = LinkCapture(
        evidence=item,
        final_url=url,
        http_status=200,
        content_type="text/html",
        body_size=1234,
        body_sha256="b" * 64,
        warc_sha256="c" * 64,
        screenshot_sha256="d" * 64,
    )
    capture.warc.save("page.warc.gz", ContentFile(b"WARC/1.1 test"), save=False)
    capture.screenshot.save("screenshot.png", ContentFile(png_bytes()), save=False)
    capture.save()
    return item


def registered_case(
    people, *, chronology="Camat berfoto bersama calon dengan simbol dua jari.", anonymous=False, **fields
):
    """A laporan with a terlapor, taken from triage to investigation by a volunteer (so it has a number)."""
    values = {**REPORTER, "chronology": chronology, "status": S.TRIAGE}
    if anonymous:
        values.update(dict.fromkeys(REPORTER, ""), anonymous=True, kind=Report.Kind.INFORMASI_AWAL)
    values.update(fields)
    report = ReportFactory(**values)
    AccusedFactory(
        report=report,
        name="Budi Santoso",
        nip="198001012005011002",
        position="Camat Kanigaran",
        asn_type="pns",
    )
    return workflow.case_transition(report=report, user=people["relawan"], to_status=S.INVESTIGATION)


def clarified(report, people):
    workflow.case_transition(report=report, user=people["staf"], to_status=S.CLARIFICATION)
    session = workflow.clarification_schedule(
        report=report,
        user=people["staf"],
        scheduled_for=timezone.now() + dt.timedelta(days=2),
        place="Ruang Sidang Bawaslu Kota Probolinggo",
        invite_terlapor=True,
        invite_reporter=True,
        witnesses="Pak RT Suyono",
    )
    workflow.clarification_minutes(
        clarification=session,
        user=people["staf"],
        minutes="Terlapor mengakui berfoto bersama calon.\n\nTerlapor menyatakan tidak tahu larangannya.",
        files=[SimpleUploadedFile("berita-acara.pdf", b"%PDF-1.4 berita acara", "application/pdf")],
    )
    return session


def assessed(report, people, decision="other_law"):
    workflow.case_transition(report=report, user=people["staf"], to_status=S.ASSESSMENT)
    report.refresh_from_db()
    return workflow.assessment_record(
        report=report,
        user=people["staf"],
        findings="Terbukti berfoto dengan simbol jari calon.",
        categories=list(report.categories.all()),
        legal_basis="SKB 2/2022; PP 94/2021 Pasal 5",
        recommended_sanction="moral",
        criminal_element=False,
        decision=decision,
    )


@pytest.fixture
def rich_case(people, office):
    """A registered case with a GPS photo, a video, a PDF and an archived link, clarified and assessed."""
    report = registered_case(people)
    attach(report, jpeg_with_exif(), "IMG_20241120_101500.jpg", "image/jpeg", 0)
    attach(report, video_bytes(), "VID_0001.mp4", "video/mp4", 1)
    link_with_capture(report, "https://www.facebook.com/camat.kanigaran/posts/123456789", 2)
    clarified(report, people)
    assessed(report, people)
    report.refresh_from_db()
    return report
