"""Retention meets the office's records: a report rejected after registration has letters, and a rejected report
may carry a signed scan of its paper form; both are kept (letters and scans are append-only and hold their
report) with the reporter's identity erased, and the sweep goes on with every other report."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from casefiles.models import FormModel, Letter, SignedScan
from casefiles.services.letters import letter_issue
from casefiles.services.scans import scan_upload
from complaints.models import Report, RetentionRecord
from tests.casefiles.conftest import REPORTER, registered_case
from tests.factories import ReportFactory

S = Report.Status


def _ended(report: Report, status: str, days_ago: int) -> None:
    ended = timezone.now() - dt.timedelta(days=days_ago)
    Report.objects.filter(pk=report.pk).update(status=status, closed_at=ended, status_changed_at=ended)


@pytest.fixture
def periods(settings):
    settings.POSKO_RETENTION_REJECTED_DAYS = 90
    settings.POSKO_RETENTION_CLOSED_DAYS = 365


def test_a_case_rejected_after_registration_is_archived_after_the_case_period_never_purged(
    people, office, periods, django_capture_on_commit_callbacks
):
    old_case = registered_case(people)
    notice = letter_issue(report=old_case, user=people["staf"], kind=Letter.Kind.NOTICE_REGISTERED)
    _ended(old_case, S.REJECTED, days_ago=400)
    young_case = registered_case(people)
    letter_issue(report=young_case, user=people["staf"], kind=Letter.Kind.NOTICE_REGISTERED)
    _ended(young_case, S.REJECTED, days_ago=100)  # past the rejected period, not the case period
    spam = ReportFactory(**REPORTER)
    _ended(spam, S.REJECTED, days_ago=100)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")

    assert not Report.objects.filter(pk=spam.pk).exists()  # never a case: purged
    young_case.refresh_from_db()
    assert young_case.archived_at is None and young_case.reporter_name == REPORTER["reporter_name"]
    old_case.refresh_from_db()
    assert old_case.archived_at is not None
    assert old_case.reporter_name == "" and old_case.reporter_phone == ""
    assert Letter.objects.filter(pk=notice.pk).exists()  # the office's letter stays
    rules = dict(RetentionRecord.objects.values_list("report_id", "rule"))
    assert rules == {
        spam.pk: RetentionRecord.Rule.REJECTED_PURGE,
        old_case.pk: RetentionRecord.Rule.CLOSED_ARCHIVE,
    }


def test_a_rejected_report_a_signed_scan_names_is_archived_at_once_and_the_sweep_goes_on(
    people, office, periods, django_capture_on_commit_callbacks
):
    paper = ReportFactory(**REPORTER, status=S.TRIAGE)
    scan = scan_upload(
        report=paper,
        user=people["staf"],
        form_model=FormModel.objects.get(slug="model-b-1"),
        upload=SimpleUploadedFile("laporan.pdf", b"%PDF-1.4 formulir bertanda tangan", "application/pdf"),
        title="Formulir laporan bertanda tangan",
    )
    _ended(paper, S.REJECTED, days_ago=120)
    spam = ReportFactory(**REPORTER)
    _ended(spam, S.REJECTED, days_ago=100)  # purged after the paper one (oldest first)
    closed = ReportFactory(**REPORTER)
    _ended(closed, S.CLOSED, days_ago=400)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention_sweep")

    paper.refresh_from_db()
    assert paper.archived_at is not None and paper.reporter_name == ""
    assert SignedScan.objects.filter(pk=scan.pk).exists()
    assert not Report.objects.filter(pk=spam.pk).exists()
    closed.refresh_from_db()
    assert closed.archived_at is not None and closed.reporter_name == ""
    record = RetentionRecord.objects.get(report_id=paper.pk)
    assert record.rule == RetentionRecord.Rule.CLOSED_ARCHIVE and record.period_days == 90
