"""History nobody can edit (issue 9, docs/integrity.md): PostgreSQL refuses UPDATE and DELETE on the
append-only tables, whoever issues them, while the workflow's own writes (the worker's export progress, the
pipeline's processing fields, a letter's e-mail time) still go through, and the retention purge still purges."""

import hashlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from casefiles.models import FormModel, Letter, SignedScan
from complaints.models import Clarification, MinutesVersion, ReportChain, ReportEvent
from complaints.services import history, workflow
from evidence.models import CustodyEvent, Evidence
from exports.models import Export
from tests.casefiles.conftest import office_make
from tests.factories import ReportFactory, staff

pytestmark = pytest.mark.django_db


def _refused(sql: str, params=()) -> bool:
    """True when PostgreSQL refuses the statement (rolled back to a savepoint, so the test goes on)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        assert "pgtrigger: Cannot" in str(exc), exc
        return True
    return False


@pytest.fixture
def case():
    """A report with an event, a custody record on a hashed evidence item, a letter, a signed scan, an export and
    two versions of clarification minutes: one row in each append-only table."""
    report = ReportFactory()
    officer = staff("officer", "staf")
    history.event_record(report=report, to_status="submitted")
    item = Evidence.objects.create(
        report=report, kind=Evidence.Kind.PHOTO, original_name="foto.jpg", file="originals/x", size=10
    )
    Evidence.objects.filter(pk=item.pk).update(sha256="a" * 64)
    CustodyEvent.objects.create(
        evidence=item, actor=officer, action="view_original", reason="Memeriksa foto."
    )
    Letter.objects.create(
        report=report,
        office=office_make(),
        kind=Letter.Kind.INVITATION,
        recipient_role=Letter.Recipient.TERLAPOR,
        recipient_name="Budi",
        year=2026,
        sequence=1,
        number="001/PP.01.02/K.JI-22/XI/2026",
        subject="Undangan klarifikasi",
        file="letters/x.pdf",
        sha256="b" * 64,
        size=100,
        issued_by=officer,
    )
    SignedScan.objects.create(
        report=report,
        form_model=FormModel.objects.first(),
        file="letters/scans/x",
        original_name="scan.pdf",
        content_type="application/pdf",
        size=5,
        sha256="c" * 64,
        uploaded_by=officer,
    )
    Export.objects.create(kind=Export.Kind.PDF, report=report, requested_by=officer, reason="Untuk kajian.")
    session = Clarification.objects.create(
        report=report, scheduled_for=timezone.now(), place="Kantor Bawaslu", created_by=officer
    )
    for version, text in enumerate(["Berita acara.", "Berita acara, dibetulkan."], start=1):
        MinutesVersion.objects.create(
            clarification=session,
            version=version,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            recorded_by=officer,
        )
    return report


APPEND_ONLY = [
    ("complaints_reportevent", "note = 'diubah'"),
    ("complaints_minutesversion", "text = 'diubah'"),
    ("evidence_custodyevent", "reason = 'diubah'"),
    ("casefiles_letter", "subject = 'diubah'"),
    ("casefiles_signedscan", "title = 'diubah'"),
    ("exports_export", "reason = 'diubah'"),
]


@pytest.mark.parametrize("table,change", APPEND_ONLY)
def test_update_and_delete_by_hand_are_refused(case, table, change):
    assert _refused(f"UPDATE {table} SET {change}")
    assert _refused(f"DELETE FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] >= 1


def test_the_chain_head_only_moves_forward_one_event_at_a_time(case):
    assert _refused("UPDATE complaints_reportchain SET seq = 0, head = ''")
    assert _refused("DELETE FROM complaints_reportchain")
    history.event_record(report=case, kind=ReportEvent.Kind.NOTE, note="Catatan.")
    assert ReportChain.objects.get(report=case).seq == 2


def test_evidence_keeps_what_was_received(case):
    item = case.evidence.get()
    for change in (
        "sha256 = repeat('d', 64)",
        "size = 11",
        "original_name = 'lain.jpg'",
        "created_at = created_at - interval '1 day'",
    ):
        assert _refused(f"UPDATE evidence_evidence SET {change} WHERE id = %s", [item.pk]), change
    assert _refused("DELETE FROM evidence_evidence WHERE id = %s", [item.pk])
    # Processing goes on: status, steps and derived copies change.
    Evidence.objects.filter(pk=item.pk).update(status=Evidence.Status.READY, steps={"sha256": {"ok": True}})
    item.refresh_from_db()
    assert (item.status, item.sha256, item.size, item.original_name) == ("ready", "a" * 64, 10, "foto.jpg")


def test_before_the_hash_step_the_pipeline_records_hash_and_size(case):
    item = Evidence.objects.create(report=case, kind=Evidence.Kind.PHOTO, original_name="b.jpg", size=10)
    Evidence.objects.filter(pk=item.pk).update(size=12)  # preflight: what storage holds
    Evidence.objects.filter(pk=item.pk).update(sha256="e" * 64, size=12)  # the hash step
    assert _refused("UPDATE evidence_evidence SET size = 10 WHERE id = %s", [item.pk])


def test_the_worker_still_records_an_exports_progress_and_expiry(case):
    export = Export.objects.get(report=case)
    Export.objects.filter(pk=export.pk).update(status="running", attempts=1, started_at=timezone.now())
    Export.objects.filter(pk=export.pk).update(status="done", file="exports/x.pdf", size=9, sha256="f" * 64)
    Export.objects.filter(pk=export.pk).update(status="expired", file="")
    assert Export.objects.get(pk=export.pk).status == "expired"
    for change in ("requested_by_id = NULL", "requested_at = now()", "kind = 'csv'", "report_id = NULL"):
        assert _refused(f"UPDATE exports_export SET {change} WHERE id = %s", [export.pk]), change


def test_a_letter_is_emailed_once(case):
    letter = Letter.objects.get(report=case)
    assert Letter.objects.filter(pk=letter.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    assert _refused("UPDATE casefiles_letter SET emailed_at = now() + interval '1 day'")
    assert _refused("UPDATE casefiles_letter SET emailed_at = NULL")


def test_minutes_corrected_are_a_new_version_and_the_old_text_stays(case):
    officer = staff("officer2", "staf")
    case.status = "clarification"
    case.save(update_fields=["status"])
    session = Clarification.objects.create(
        report=case, scheduled_for=timezone.now(), place="Kantor", created_by=officer
    )
    workflow.clarification_minutes(clarification=session, user=officer, minutes="Versi pertama.", files=[])
    workflow.clarification_minutes(clarification=session, user=officer, minutes="Versi kedua.", files=[])
    workflow.clarification_minutes(clarification=session, user=officer, minutes="Versi kedua.", files=[])
    versions = list(session.minutes_versions.values_list("version", "text"))
    assert versions == [(1, "Versi pertama."), (2, "Versi kedua.")]
    assert Clarification.objects.get(pk=session.pk).minutes == "Versi kedua."
    event = case.events.filter(kind="clarification").last()
    assert event.data["version"] == 2
    assert event.data["sha256"] == hashlib.sha256(b"Versi kedua.").hexdigest()


def test_the_triggers_the_purge_passes_are_installed():
    """The triggers exist in the database under the names the purge exempts (a renamed trigger would make the
    purge's exemption silently useless)."""
    from complaints.services.retention import PURGE_EXEMPT

    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    for uri in PURGE_EXEMPT:
        name = uri.split(":")[1]
        assert any(n.startswith(f"pgtrigger_{name}_") for n in names), name


def test_the_retention_purge_still_removes_a_rejected_report_and_records_it(settings):
    """GIVEN a rejected report past its retention period, with events, an evidence item with a custody record
    and clarification minutes in two versions
    WHEN the retention sweep runs
    THEN all of it is gone, the triggers still refuse the same deletes to anyone else, and the purge is
    recorded."""
    from complaints.models import Report, RetentionRecord
    from complaints.services.retention import retention_sweep

    settings.POSKO_RETENTION_REJECTED_DAYS = 30
    officer = staff("officer", "staf")
    report = ReportFactory()
    history.event_record(report=report, to_status="submitted")
    item = Evidence.objects.create(report=report, kind=Evidence.Kind.PHOTO, original_name="a.jpg", size=3)
    CustodyEvent.objects.create(
        evidence=item, actor=officer, action="view_original", reason="Memeriksa foto."
    )
    session = Clarification.objects.create(report=report, scheduled_for=timezone.now(), place="Kantor")
    MinutesVersion.objects.create(clarification=session, version=1, text="Isi.", sha256="0" * 64)
    history.event_record(report=report, from_status="submitted", to_status="rejected")
    ended = timezone.now() - timezone.timedelta(days=31)
    Report.objects.filter(pk=report.pk).update(status="rejected", closed_at=ended, status_changed_at=ended)
    kept = ReportFactory()
    history.event_record(report=kept, to_status="submitted")

    assert retention_sweep()["purged"] == 1

    assert not Report.objects.filter(pk=report.pk).exists()
    assert not ReportEvent.objects.filter(report_id=report.pk).exists()
    assert not MinutesVersion.objects.filter(clarification_id=session.pk).exists()
    assert not CustodyEvent.objects.filter(evidence_id=item.pk).exists()
    assert not ReportChain.objects.filter(report_id=report.pk).exists()
    record = RetentionRecord.objects.get(report_id=report.pk)
    assert record.removed["reportevent"] == 2 and record.removed["custody_events"] == 1
    # The exemption ended with the purge.
    assert _refused("DELETE FROM complaints_reportevent WHERE report_id = %s", [kept.pk])


def test_the_case_page_shows_the_minutes_version_and_the_earlier_ones(client):
    officer = staff("officer3", "staf")
    report = ReportFactory(status="clarification")
    session = Clarification.objects.create(
        report=report, scheduled_for=timezone.now(), place="Kantor", created_by=officer
    )
    workflow.clarification_minutes(
        clarification=session, user=officer, minutes="Teks awal berita acara.", files=[]
    )
    workflow.clarification_minutes(
        clarification=session, user=officer, minutes="Teks yang dibetulkan.", files=[]
    )
    client.force_login(officer)
    page = client.get(f"/staf/kasus/{report.pk}/").content.decode()
    assert "Teks yang dibetulkan." in page and "(versi 2)" in page
    assert "Teks awal berita acara." in page and "versi 1" in page
