"""The case bundle end to end: a real Celery worker process builds it, the officer downloads it from the
staff page, and the recipient's own tools check it: Info-ZIP's unzip, coreutils' sha256sum -c and OpenSSL's
pkeyutl -verify -rawin (real binaries). One byte changed anywhere makes the matching check fail. A stored
original altered on disk stops the export with an alarm on the case and an e-mail to the coordinator."""

import hashlib
import json
import time

import pytest
from django.urls import reverse
from knox.models import AuthToken

from casefiles.models import Letter
from complaints.models import ReportEvent
from evidence.models import Evidence, LinkCapture
from exports.keys import signing_key
from exports.models import Export
from tests.exports.helpers import Site, openssl_verify, rich_case, sha256sum_check, unpack

pytestmark = pytest.mark.worker
REASON = "Diteruskan ke BKN sebagai lampiran rekomendasi"


def wait_for_export(export_id, worker, timeout=180.0) -> Export:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        export = Export.objects.get(pk=export_id)
        if export.status in ("done", "failed"):
            return export
        time.sleep(0.3)
    raise AssertionError(f"export not finished: {worker.log_path.read_text()[-3000:]}")


def flip(path, offset=None):
    data = bytearray(path.read_bytes())
    i = len(data) // 2 if offset is None else offset
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_bundle_built_by_a_worker_verifies_with_sha256sum_and_openssl(
    export_worker, client, people, tmp_path
):
    """GIVEN a case with photos, a video, a PDF, two archived links (WARC and screenshot), letters and a scan
    WHEN the officer exports the bundle from the case page and a real worker builds it
    (the links are archived by the worker, with Chromium screenshots)
    THEN the downloaded ZIP unpacks, `sha256sum -c SHA256SUMS` and `openssl pkeyutl -verify -rawin` succeed,
    AND changing one byte of any file fails sha256sum on that file, of SHA256SUMS fails openssl."""
    with Site() as site:
        case = rich_case(people, site_url=site.url, worker=export_worker)
    client.force_login(people["officer"])
    response = client.post(
        reverse("exports:case_create", args=[case.pk]), {"kind": "bundle", "reason": REASON}
    )
    assert response.status_code == 302
    export = wait_for_export(Export.objects.get().pk, export_worker)
    assert export.status == "done", export.error
    download = client.get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == export.sha256 and len(data) == export.size

    root = unpack(data, tmp_path / "bundle")
    checked = sha256sum_check(root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    verified = openssl_verify(root)
    assert verified.returncode == 0 and "Signature Verified Successfully" in verified.stdout
    # The key in the bundle is the one the portal publishes, and the one this test's worker signed with.
    published = client.get("/.well-known/posko-export-key.pem").content
    (tmp_path / "published.pem").write_bytes(published)
    assert openssl_verify(root, key=str(tmp_path / "published.pem")).returncode == 0
    assert (root / "posko-export-key.pem").read_bytes() == published
    keys = client.get("/.well-known/posko-export-keys.json").json()["keys"]
    assert [k["sha256"] for k in keys if k["current"]] == [signing_key().fingerprint]
    assert keys[0]["first_used"] and keys[0]["last_used"]

    manifest = json.loads((root / "manifest.json").read_text())
    kinds = [f["kind"] for f in manifest["files"]]
    assert (
        kinds.count("original") == 4 and kinds.count("link_archive") == 2 and kinds.count("screenshot") == 2
    )
    # The two letters issued, and the registration notice casefiles issues by itself once the case commits.
    assert kinds.count("letter") == Letter.objects.filter(report=case).count() >= 2
    assert kinds.count("signed_scan") == 1 and "case_file" in kinds
    captures = {(c.evidence_id, c.warc_sha256) for c in LinkCapture.objects.all()}
    for f in manifest["files"]:
        if f["kind"] == "link_archive":
            assert (Evidence.objects.get(pk=f["evidence_id"]).pk, f["intake_sha256"]) in captures
            assert f["sha256"] == f["intake_sha256"]

    listed = [line.split("  ", 1)[1] for line in (root / "SHA256SUMS").read_text().splitlines()]
    assert len(listed) == len(manifest["files"]) + 2  # and the two manifests
    for name in listed:
        path = root / name
        original = path.read_bytes()
        flip(path)
        result = sha256sum_check(root)
        assert result.returncode != 0 and f"{name}: FAILED" in result.stdout, name
        assert result.stdout.count("FAILED") == 1
        path.write_bytes(original)
    assert sha256sum_check(root).returncode == 0
    for name in ("SHA256SUMS", "SHA256SUMS.sig"):
        path = root / name
        original = path.read_bytes()
        flip(path, offset=10)
        assert openssl_verify(root).returncode != 0, name
        path.write_bytes(original)
    assert openssl_verify(root).returncode == 0


def test_a_stored_original_altered_on_disk_stops_the_export_with_an_alarm_and_a_mail(
    ref_data, client, people, settings, tmp_path, export_key_file
):
    """GIVEN a case whose stored photo was changed on disk after intake
    WHEN an officer asks the API for a bundle and a real worker builds it
    THEN the export fails naming the file, the case has an alarm, the coordinator gets an e-mail."""
    from tests.conftest import Worker, queues_purge

    case = rich_case(people, letters=False)
    photo = Evidence.objects.get(report=case, original_name="IMG_20241120_101500.jpg")
    flip(settings.MEDIA_ROOT / photo.file.name)
    queues_purge()
    worker = Worker(
        settings.MEDIA_ROOT,
        tmp_path / "worker.log",
        env={
            "POSKO_EXPORT_KEY": str(export_key_file),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        },
    ).start()
    try:
        _row, token = AuthToken.objects.create(user=people["officer"])
        response = client.post(
            reverse("exports_api:case_create", args=[case.pk]),
            {"kind": "bundle", "reason": REASON},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
        )
        assert response.status_code == 202
        export = wait_for_export(response.json()["id"], worker)
        body = client.get(response.json()["url"], HTTP_AUTHORIZATION=f"Token {token}").json()
        deadline = time.monotonic() + 30
        while people["coordinator"].email not in worker.log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.3)
        log = worker.log_path.read_text()
    finally:
        worker.stop()
    assert export.status == "failed" and "IMG_20241120_101500.jpg" in export.error
    assert body["status"] == "failed" and body["download_url"] is None
    alarm = ReportEvent.objects.get(report=case, kind=ReportEvent.Kind.ALARM)
    assert alarm.data["evidence_id"] == str(photo.pk) and alarm.data["intake_sha256"] == photo.sha256
    assert f"To: {people['coordinator'].email}" in log
    assert photo.sha256 in log
    assert not list((settings.MEDIA_ROOT / "exports").rglob("*.zip"))
