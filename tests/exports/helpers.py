"""A case as a bundle sees it: real evidence processed by the real pipeline (photos, a video, a PDF, links
archived from a local HTTP server the test starts), letters issued by casefiles and a signed scan; and the
tools a recipient of a bundle uses on it (unzip, sha256sum, openssl), run as real binaries."""

import datetime as dt
import http.server
import importlib
import io
import subprocess
import threading
import time
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casefiles.models import FormModel, Letter, Office
from casefiles.services.letters import letter_issue
from casefiles.services.scans import scan_upload
from complaints.models import Region, Report
from complaints.services import workflow
from evidence import services as evidence_services
from evidence.models import Evidence
from tests.factories import AccusedFactory, ReportFactory
from tests.samples import image_bytes, jpeg_with_exif, pdf_bytes, video_bytes

S = Report.Status
PAGE = (
    b"<!doctype html><html><head><title>Camat ikut kampanye</title></head><body style='background:#c00'>"
    b"<h1>Foto bersama calon</h1><p>Unggahan terlapor.</p></body></html>"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


class Site:
    """A local web server standing for the social-media posts reported (tests never reach the internet)."""

    def __enter__(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def casefile_defaults_ensure() -> None:
    """The default letter texts and form models casefiles' data migration makes: a transactional test (one
    with a real worker) empties the tables after itself, so the next one makes them again (idempotent)."""
    from django.apps import apps

    importlib.import_module("casefiles.migrations.0002_defaults").forwards(apps, None)


def office_make() -> Office:
    office = Office(
        name="Badan Pengawas Pemilihan Umum",
        name_line2="Kota Probolinggo",
        short_name="Bawaslu Kota Probolinggo",
        code="K.JI-22",
        region=Region.objects.get(code="35.74"),
        address="Jl. Panglima Sudirman 1, Kota Probolinggo",
        city="Probolinggo",
        signatory_name="Ahmad Dahlan",
        signatory_position="Ketua Bawaslu Kota Probolinggo",
        number_pattern="{seq:03d}/{type_code}/{office_code}/{month_roman}/{year}",
    )
    office.full_clean()
    office.save()
    return office


def attach(report, content: bytes, name: str, content_type: str, position: int):
    item = evidence_services.evidence_attach_file(
        report=report, upload=SimpleUploadedFile(name, content, content_type), position=position
    )
    evidence_services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    assert item.status == "ready", item.status_reason
    return item


def archived_link(report, url: str, position: int, *, worker=None):
    """A link archived by the pipeline: in this process, or by `worker` (a real worker process: in a test
    process that already drives Chromium for a browser test, Playwright cannot start a second session)."""
    item = evidence_services.evidence_attach_link(report=report, url=url, position=position)
    if worker is None:
        evidence_services.evidence_process(evidence_id=item.pk)
    else:
        evidence_services.evidence_enqueue([item.pk])
        deadline = time.monotonic() + 90
        while not (
            item.captures.exclude(screenshot="").exists()
            and Evidence.objects.get(pk=item.pk).status == "ready"
        ):
            assert time.monotonic() < deadline, worker.log_path.read_text()[-3000:]
            time.sleep(0.3)
    item.refresh_from_db()
    assert item.captures.exists(), item.steps
    return item


def rich_case(people, *, site_url: str | None = None, letters: bool = True, worker=None) -> Report:
    """A registered case with two photos (one carrying GPS), a video, a PDF, links archived from `site_url`
    (with a Chromium screenshot when screenshots are on), a clarification, two letters and a signed scan."""
    casefile_defaults_ensure()
    office_make()
    report = ReportFactory(reporter_email="siti@example.org", reporter_nik="3574014107900003")
    AccusedFactory(report=report, nip="198001012005011002", asn_type="pns")
    workflow.case_transition(report=report, user=people["volunteer"], to_status=S.TRIAGE)
    report = workflow.case_transition(report=report, user=people["volunteer"], to_status=S.INVESTIGATION)
    attach(report, jpeg_with_exif(), "IMG_20241120_101500.jpg", "image/jpeg", 0)
    attach(report, image_bytes("PNG", 480, 320, seed=4), "tangkapan layar WA.png", "image/png", 1)
    attach(report, video_bytes(), "VID_0001.mp4", "video/mp4", 2)
    attach(report, pdf_bytes(), "surat undangan kampanye.pdf", "application/pdf", 3)
    if site_url:
        archived_link(report, f"{site_url}/camat.kanigaran/posts/123456789", 4, worker=worker)
        archived_link(report, f"{site_url}/reel/987654321", 5, worker=worker)
    if letters:
        officer = people["officer"]
        workflow.case_transition(report=report, user=officer, to_status=S.CLARIFICATION)
        session = workflow.clarification_schedule(
            report=report,
            user=officer,
            scheduled_for=timezone.now() + dt.timedelta(days=2),
            place="Ruang Sidang Bawaslu Kota Probolinggo",
            invite_terlapor=True,
            invite_reporter=False,
            witnesses="",
        )
        letter_issue(
            report=report,
            user=officer,
            kind=Letter.Kind.INVITATION,
            recipient_role="terlapor",
            accused_id=report.accused.get().pk,
            clarification=session,
        )
        letter_issue(report=report, user=officer, kind=Letter.Kind.NOTICE_REGISTERED)
        form, _created = FormModel.objects.get_or_create(
            slug="model-b-1", defaults={"code": "B.1", "name": "Formulir Laporan"}
        )
        scan_upload(
            report=report,
            user=officer,
            form_model=form,
            upload=SimpleUploadedFile(
                "ba-klarifikasi.pdf", pdf_bytes(1, author="Bawaslu"), "application/pdf"
            ),
            title="Berita acara klarifikasi (ditandatangani)",
        )
    report.refresh_from_db()
    return report


def unpack(data: bytes, target: Path) -> Path:
    """Unzip with Info-ZIP's unzip, as a recipient would; returns the bundle's folder."""
    target.mkdir(parents=True, exist_ok=True)
    archive = target / "bundle.zip"
    archive.write_bytes(data)
    subprocess.run(["unzip", "-q", str(archive), "-d", str(target / "out")], check=True)
    (root,) = list((target / "out").iterdir())
    return root


def sha256sum_check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True)


def openssl_verify(root: Path, key: str = "posko-export-key.pem") -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            key,
            "-rawin",
            "-in",
            "SHA256SUMS",
            "-sigfile",
            "SHA256SUMS.sig",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )


def zip_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()
