"""Retention (issue 9): rejected reports purged with every file, closed cases archived, each purge recorded
without the purged content."""

import datetime as dt
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from complaints.models import (
    Clarification,
    ClarificationAttachment,
    Person,
    Report,
    ReportEvent,
    RetentionRecord,
)
from complaints.models.privacy import tracking_code_digest
from complaints.services import workflow
from evidence.models import CustodyEvent, Evidence, LinkCapture
from tests.conftest import media_files
from tests.factories import ReportFactory, jpeg_bytes, staff, valid_api_data
from tests.privacy.conftest import IDENTITY, identity_values

S = Report.Status


def _file_with_evidence(client, capture, identity=None, **overrides) -> Report:
    """A report filed through the API with a photo (processed: viewing copy and thumbnail) and a link."""
    data = valid_api_data(
        **(identity or IDENTITY),
        files=[SimpleUploadedFile("foto.jpg", jpeg_bytes(), "image/jpeg")],
        **overrides,
    )
    with capture(execute=True):
        response = client.post(reverse("api:report_create"), data)
    assert response.status_code == 201, response.content
    return Report.objects.get(tracking_code=response.json()["tracking_code"])


def _end(report: Report, status: str, days_ago: int) -> None:
    ended = timezone.now() - dt.timedelta(days=days_ago)
    Report.objects.filter(pk=report.pk).update(status=status, closed_at=ended, status_changed_at=ended)


def _add_archives_minutes_and_custody(report: Report) -> None:
    link = report.evidence.get(kind=Evidence.Kind.LINK)
    capture = LinkCapture(
        evidence=link, final_url=link.url, http_status=200, body_sha256="0" * 64, warc_sha256="1" * 64
    )
    capture.warc.save("page.warc.gz", ContentFile(b"WARC/1.0 fake"), save=False)
    capture.screenshot.save("page.png", ContentFile(b"png"), save=False)
    capture.save()
    officer = staff(f"officer{report.pk}", "staf")
    session = Clarification.objects.create(
        report=report, scheduled_for=timezone.now(), place="Kantor Bawaslu", created_by=officer
    )
    attachment = ClarificationAttachment(
        clarification=session, original_name="ba.pdf", sha256="2" * 64, size=3
    )
    attachment.file.save("minutes", ContentFile(b"%PDF"), save=False)
    attachment.save()
    photo = report.evidence.get(kind=Evidence.Kind.PHOTO)
    CustodyEvent.objects.create(evidence=photo, actor=officer, action="view_original", reason="Pemeriksaan")


def test_a_rejected_report_past_its_period_is_purged_with_every_file_and_a_younger_one_is_kept(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.POSKO_RETENTION_REJECTED_DAYS = 90
    young = _file_with_evidence(client, django_capture_on_commit_callbacks)
    _end(young, S.REJECTED, days_ago=89)
    kept_files = media_files(settings.MEDIA_ROOT)
    assert len(kept_files) >= 3  # original, viewing copy, thumbnail

    old = _file_with_evidence(
        client, django_capture_on_commit_callbacks, accused_name="Joko Susilo Prakoso", accused_nip=""
    )
    supporting = _file_with_evidence(client, django_capture_on_commit_callbacks)
    Report.objects.filter(pk=supporting.pk).update(status=S.MERGED, merged_into=old, closed_at=timezone.now())
    _add_archives_minutes_and_custody(old)
    _end(old, S.REJECTED, days_ago=91)
    person = old.accused.get().person
    assert person is not None and len(media_files(settings.MEDIA_ROOT)) > len(kept_files) + 6
    old_ids = {old.pk, supporting.pk}
    evidence_ids = set(Evidence.objects.filter(report_id__in=old_ids).values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")

    assert media_files(settings.MEDIA_ROOT) == kept_files  # storage: nothing of the purged reports is left
    assert not Report.objects.filter(pk__in=old_ids).exists()
    assert not Evidence.objects.filter(pk__in=evidence_ids).exists()
    assert not LinkCapture.objects.filter(evidence_id__in=evidence_ids).exists()
    assert not Clarification.objects.filter(report_id__in=old_ids).exists()
    assert not ReportEvent.objects.filter(report_id__in=old_ids).exists()
    assert not Person.objects.filter(pk=person.pk).exists()  # named only in the purged report
    assert Report.objects.filter(pk=young.pk).exists()

    records = {r.report_id: r for r in RetentionRecord.objects.all()}
    assert set(records) == old_ids
    main = records[old.pk]
    assert main.rule == RetentionRecord.Rule.REJECTED_PURGE and main.period_days == 90
    assert main.tracking_code_sha256 == tracking_code_digest(old.tracking_code)
    assert main.removed["report"] == 1 and main.removed["evidence"] == 2
    assert main.removed["files:evidence.file"] == 1 and main.removed["files:evidence.thumbnail"] == 1
    assert (
        main.removed["files:linkcapture.warc"] == 1
        and main.removed["files:clarificationattachment.file"] == 1
    )
    assert main.removed["custody_events"] == 1 and main.removed["registry_entries"] == 1


def test_the_purge_record_holds_no_identity_and_no_content(
    client, db, settings, django_capture_on_commit_callbacks
):
    report = _file_with_evidence(client, django_capture_on_commit_callbacks)
    _end(report, S.REJECTED, days_ago=400)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")
    record = RetentionRecord.objects.values().get()
    text = repr(record)
    for value in [
        *identity_values(),
        report.tracking_code,
        report.chronology,
        report.incident_place,
        "Budi Santoso",
    ]:
        assert value not in text
    assert record["report_id"] == report.pk


def test_a_closed_case_past_its_period_is_archived(
    client, db, settings, django_capture_on_commit_callbacks, raw_report_row
):
    settings.POSKO_RETENTION_CLOSED_DAYS = 730
    case = _file_with_evidence(client, django_capture_on_commit_callbacks)
    supporting = _file_with_evidence(client, django_capture_on_commit_callbacks)
    Report.objects.filter(pk=supporting.pk).update(
        status=S.MERGED, merged_into=case, closed_at=timezone.now()
    )
    recent = _file_with_evidence(client, django_capture_on_commit_callbacks)
    _end(case, S.CLOSED, days_ago=731)
    _end(recent, S.CLOSED, days_ago=100)
    files_before = media_files(settings.MEDIA_ROOT)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")

    case.refresh_from_db()
    assert case.archived_at is not None and case.status == S.CLOSED
    for report in (case, Report.objects.get(pk=supporting.pk)):
        row = raw_report_row(report.pk)
        assert all(row[name] == "" for name in IDENTITY) and row["reporter_nik_hash"] == ""
        assert row["archived_at"] is not None
    assert case.evidence.count() == 2 and media_files(settings.MEDIA_ROOT) == files_before  # evidence kept
    assert case.events.filter(kind=ReportEvent.Kind.ARCHIVE).count() == 1
    record = RetentionRecord.objects.get(report_id=case.pk)
    assert record.rule == RetentionRecord.Rule.CLOSED_ARCHIVE and record.removed == {"identity_fields": 5}
    recent.refresh_from_db()
    assert recent.archived_at is None and recent.reporter_name == IDENTITY["reporter_name"]
    # Read-only from now on, yet still readable by staff.
    coordinator = staff("coord", "koordinator")
    with pytest.raises(ValidationError, match="diarsipkan"):
        workflow.case_note(report=case, user=coordinator, body="Catatan baru")
    client.force_login(coordinator)
    page = client.get(reverse("staff:case", args=[case.pk]))
    assert page.status_code == 200 and 'id="archived-notice"' in page.content.decode()
    assert 'id="archived-notice"' not in client.get(reverse("staff:case", args=[recent.pk])).content.decode()


def test_a_second_sweep_finds_nothing_more_to_do(client, db, settings, django_capture_on_commit_callbacks):
    _end(ReportFactory(), S.CLOSED, days_ago=1000)
    _end(ReportFactory(), S.REJECTED, days_ago=1000)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")
        call_command("retention_sweep")
    assert RetentionRecord.objects.count() == 2


def test_a_period_of_zero_turns_a_rule_off(db, settings, django_capture_on_commit_callbacks, capsys):
    settings.POSKO_RETENTION_REJECTED_DAYS = 0
    settings.POSKO_RETENTION_CLOSED_DAYS = 0
    rejected, closed = ReportFactory(), ReportFactory()
    _end(rejected, S.REJECTED, days_ago=5000)
    _end(closed, S.STOPPED, days_ago=5000)
    call_command("retention_sweep", dry_run=True)
    assert "due: 0 rejected report(s) to purge, 0 closed case(s) to archive" in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")
    assert Report.objects.filter(pk__in=[rejected.pk, closed.pk], archived_at=None).count() == 2


def test_open_cases_are_never_touched(db, django_capture_on_commit_callbacks):
    report = ReportFactory()
    _end(report, S.INVESTIGATION, days_ago=5000)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")
    report.refresh_from_db()
    assert report.archived_at is None and report.reporter_name and not RetentionRecord.objects.exists()


def test_the_beat_schedule_runs_the_sweep_on_the_sweep_queue(settings):
    import complaints.tasks  # noqa: F401 (registers the task, as the worker's autodiscovery does)
    from posko.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["retention-sweep"]
    assert entry["task"] == "complaints.retention_sweep"
    assert "complaints.retention_sweep" in app.tasks
    assert app.amqp.router.route({}, "complaints.retention_sweep")["queue"].name == settings.POSKO_QUEUE_SWEEP


@pytest.mark.worker
def test_a_real_worker_runs_the_sweep_task(celery_worker_process, settings):
    from complaints.tasks import retention_sweep_task
    from evidence import services as evidence_services

    report = ReportFactory()
    item = evidence_services.evidence_attach_file(
        report=report, upload=SimpleUploadedFile("f.jpg", jpeg_bytes(), "image/jpeg")
    )
    Evidence.objects.filter(pk=item.pk).update(status=Evidence.Status.READY)
    _end(report, S.REJECTED, days_ago=1000)
    assert media_files(settings.MEDIA_ROOT)
    retention_sweep_task.delay()
    deadline = time.monotonic() + 60
    while Report.objects.filter(pk=report.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not Report.objects.filter(pk=report.pk).exists()
    assert RetentionRecord.objects.filter(report_id=report.pk).exists()
    deadline = time.monotonic() + 10
    while media_files(settings.MEDIA_ROOT) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert media_files(settings.MEDIA_ROOT) == []
