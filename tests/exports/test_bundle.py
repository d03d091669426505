"""The case bundle built in-process: what it holds, what it records, how it fails, and the machinery around it
(safe to run twice, taken up again after a crash, expiring, queued on the heavy queue). The end-to-end run
with a real worker and the real verification tools is in test_bundle_worker.py."""

import datetime as dt
import json

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints.models import ReportEvent
from evidence.models import CustodyEvent, Evidence
from exports import services
from exports.keys import signing_key
from exports.models import Export
from posko.celery import app as celery_app
from tests.casefiles.helpers import pdf_text, squeeze
from tests.conftest import queues_purge
from tests.exports.helpers import openssl_verify, rich_case, sha256sum_check, unpack

REASON = "Diteruskan ke BKN sebagai lampiran rekomendasi"


def build(user, report, **kwargs) -> Export:
    export = services.export_request_case(user=user, report=report, kind="bundle", reason=REASON, **kwargs)
    services.export_build(export.pk)
    export.refresh_from_db()
    return export


def content(export: Export) -> bytes:
    with export.file.open("rb") as fh:
        return fh.read()


@pytest.fixture
def bundle_case(people):
    return rich_case(people)


def test_a_bundle_holds_the_case_file_evidence_letters_and_a_verifiable_manifest(
    people, bundle_case, tmp_path
):
    export = build(people["officer"], bundle_case)
    assert export.status == "done", export.error
    root = unpack(content(export), tmp_path)
    assert sha256sum_check(root).returncode == 0
    assert openssl_verify(root).returncode == 0
    manifest = json.loads((root / "manifest.json").read_text())
    kinds = sorted(f["kind"] for f in manifest["files"])
    assert kinds.count("original") == 4 and kinds.count("letter") == 2 and kinds.count("signed_scan") == 1
    assert {"case_file", "viewing_copy", "readme", "public_key"} <= set(kinds)
    listed = {line.split("  ", 1)[1] for line in (root / "SHA256SUMS").read_text().splitlines()}
    assert {"manifest.json", "manifest.csv", "berkas-perkara.pdf"} <= listed
    by_id = {str(e.pk): e for e in Evidence.objects.filter(report=bundle_case)}
    for f in manifest["files"]:
        if f["kind"] == "original":
            assert f["intake_sha256"] == f["sha256"] == by_id[f["evidence_id"]].sha256
            assert (root / f["path"]).stat().st_size == f["size"] == by_id[f["evidence_id"]].size
    csv_lines = (root / "manifest.csv").read_text().splitlines()
    assert csv_lines[0] == "path,size,sha256,kind,evidence_id,intake_sha256"
    assert [line.split(",")[0] for line in csv_lines[1:]] == [f["path"] for f in manifest["files"]]
    # The case file on the cover prints the key that signed the bundle.
    pdf = (root / "berkas-perkara.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and signing_key().fingerprint in squeeze(pdf_text(pdf))
    assert "sha256sum -c SHA256SUMS" in (root / "BACA-SAYA.txt").read_text()
    assert "openssl pkeyutl -verify" in (root / "README.txt").read_text()


def test_a_bundle_is_on_the_timeline_and_in_the_chain_of_custody(people, bundle_case):
    export = build(people["officer"], bundle_case)
    event = ReportEvent.objects.get(report=bundle_case, kind=ReportEvent.Kind.EXPORT, data__has_key="export")
    assert (event.actor, event.note) == (people["officer"], REASON)
    assert event.data["sha256"] == export.sha256 and event.data["export"] == str(export.pk)
    custody = CustodyEvent.objects.filter(action="export")
    originals = Evidence.objects.filter(report=bundle_case).exclude(kind="link")
    for item in originals:
        assert custody.filter(
            evidence=item, sha256=item.sha256, actor=people["officer"], reason=REASON
        ).exists()
    assert not ReportEvent.objects.filter(report=bundle_case, kind=ReportEvent.Kind.REVEAL).exists()


def test_a_masked_bundle_holds_no_identity_and_an_identity_bundle_does(people, bundle_case, tmp_path):
    masked = build(people["officer"], bundle_case)
    root = unpack(content(masked), tmp_path / "a")
    text = squeeze(pdf_text(root.joinpath("berkas-perkara.pdf").read_bytes()))
    for secret in ("SitiAminah", "3574014107900003", "siti@example.org"):
        assert secret not in text
    assert json.loads((root / "manifest.json").read_text())["include_identity"] is False
    revealed = build(people["officer"], bundle_case, include_identity=True)
    root = unpack(content(revealed), tmp_path / "b")
    text = squeeze(pdf_text(root.joinpath("berkas-perkara.pdf").read_bytes()))
    assert "SitiAminah" in text and "3574014107900003" in text
    assert json.loads((root / "manifest.json").read_text())["include_identity"] is True
    assert "identitas" in revealed.filename
    assert ReportEvent.objects.filter(report=bundle_case, kind=ReportEvent.Kind.REVEAL).count() == 1


def test_an_altered_original_stops_the_bundle_with_an_alarm_and_a_mail(people, bundle_case, settings):
    item = Evidence.objects.filter(report=bundle_case, kind="video").get()
    path = settings.MEDIA_ROOT / item.file.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    export = build(people["officer"], bundle_case)
    assert export.status == "failed" and "VID_0001.mp4" in export.error
    assert not export.file and not list((settings.MEDIA_ROOT / "exports").rglob("*.*"))
    alarm = ReportEvent.objects.get(report=bundle_case, kind=ReportEvent.Kind.ALARM)
    assert alarm.data["evidence_id"] == str(item.pk) and alarm.data["intake_sha256"] == item.sha256
    assert alarm.data["found_sha256"] != item.sha256
    assert not ReportEvent.objects.filter(
        report=bundle_case, kind=ReportEvent.Kind.EXPORT, data__has_key="export"
    ).exists()
    assert not CustodyEvent.objects.filter(action="export").exists()
    assert [m.to for m in mail.outbox] == [[people["coordinator"].email]]
    assert bundle_case.case_number in mail.outbox[0].subject
    assert item.sha256 in mail.outbox[0].body


def test_quarantined_files_are_withheld_and_listed(people, bundle_case, tmp_path):
    item = Evidence.objects.filter(report=bundle_case, kind="document").get()
    Evidence.objects.filter(pk=item.pk).update(quarantined=True)
    export = build(people["officer"], bundle_case)
    root = unpack(content(export), tmp_path)
    manifest = json.loads((root / "manifest.json").read_text())
    assert [w["evidence_id"] for w in manifest["withheld"]] == [str(item.pk)]
    assert str(item.pk) not in {f["evidence_id"] for f in manifest["files"]}
    assert sha256sum_check(root).returncode == 0


def test_building_twice_builds_once(people, bundle_case):
    export = build(people["officer"], bundle_case)
    assert services.export_build(export.pk) is None
    assert (
        ReportEvent.objects.filter(
            report=bundle_case, kind=ReportEvent.Kind.EXPORT, data__has_key="export"
        ).count()
        == 1
    )
    assert services.export_build("not-a-uuid") is None


def test_a_build_whose_worker_died_is_taken_up_again_and_a_live_one_is_not(people, bundle_case, settings):
    export = services.export_request_case(
        user=people["officer"], report=bundle_case, kind="bundle", reason=REASON
    )
    Export.objects.filter(pk=export.pk).update(status="running", heartbeat_at=timezone.now())
    assert services.export_build(export.pk) is None  # someone is building it right now
    stale = timezone.now() - dt.timedelta(seconds=settings.POSKO_EXPORT_STALE_SECONDS + 1)
    Export.objects.filter(pk=export.pk).update(heartbeat_at=stale)
    done = services.export_build(export.pk)
    assert done.status == "done" and done.attempts == 1
    assert done.items_done == done.items_total > 10 and done.bytes_done == done.bytes_total > 0


def test_expired_exports_are_removed_by_the_sweep(client, people, bundle_case, settings):
    export = build(people["officer"], bundle_case)
    path = settings.MEDIA_ROOT / export.file.name
    assert path.exists()
    assert services.export_sweep() == 0
    assert services.export_sweep(now=export.expires_at + dt.timedelta(seconds=1)) == 1
    export.refresh_from_db()
    assert export.status == "expired" and not export.file and not path.exists()
    client.force_login(people["officer"])
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    assert 'data-status="expired"' in client.get(reverse("exports:detail", args=[export.pk])).content.decode()


def test_the_expiry_is_a_setting(people, bundle_case, settings):
    settings.POSKO_EXPORT_TTL_HOURS = 2
    export = build(people["officer"], bundle_case)
    assert dt.timedelta(hours=1, minutes=59) < export.expires_at - export.finished_at <= dt.timedelta(hours=2)


def test_a_pdf_export_is_the_case_file(people, bundle_case):
    export = services.export_request_case(
        user=people["officer"], report=bundle_case, kind="pdf", reason=REASON
    )
    services.export_build(export.pk)
    export.refresh_from_db()
    data = content(export)
    assert export.status == "done" and data.startswith(b"%PDF") and export.filename.endswith(".pdf")
    assert bundle_case.case_number.replace(" ", "") in squeeze(pdf_text(data))
    event = ReportEvent.objects.get(report=bundle_case, kind=ReportEvent.Kind.EXPORT, data__has_key="export")
    assert event.data["sha256"] == export.sha256


def test_asking_for_an_export_queues_its_build_on_the_heavy_queue(
    people, case, django_capture_on_commit_callbacks
):
    """Views and services enqueue after commit, by id, on the heavy queue (read back from the real broker)."""
    if django_settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("CELERY_BROKER_URL is not set: run the suite with bin/test, which starts Redis")
    celery_app.conf.task_always_eager = False
    queues_purge()
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            export = services.export_request_case(
                user=people["officer"], report=case, kind="pdf", reason=REASON
            )
        assert len(callbacks) == 1  # nothing is sent before the export is committed
        callbacks[0]()
        with celery_app.connection_for_read() as conn:
            heavy = conn.SimpleQueue(django_settings.POSKO_QUEUE_HEAVY)
            message = heavy.get(timeout=10)
            message.ack()
            heavy.close()
            quick = conn.SimpleQueue(django_settings.POSKO_QUEUE_QUICK)
            with pytest.raises(quick.Empty):
                quick.get(timeout=0.5)
            quick.close()
        assert message.headers["task"] == "exports.build"
        assert message.headers["argsrepr"] == repr((str(export.pk),))
    finally:
        queues_purge()
