"""Retention (issue 9): rejected reports are purged, closed cases archived, each application recorded.

The rules followed:
- UU 27/2022 on personal-data protection (UU PDP): Pasal 42(1) — a controller ends processing when the
  retention period is reached or the purpose is achieved; Pasal 43(1)(a) — it erases personal data no longer
  needed for the purpose; Pasal 44(1)(a) — it destroys personal data whose retention period has expired and
  that the archive retention schedule (jadwal retensi arsip) marks for destruction.
- UU 43/2009 on archives (Kearsipan) with PP 28/2012, and Bawaslu's own schedule (Perbawaslu 21/2014 on the
  Jadwal Retensi Arsip at Bawaslu): a handled case is a record of the office and is kept, read-only, for the
  period its schedule says; it is not the portal's to destroy.

Hence two rules, with periods in days from settings (0 turns a rule off), counted from when the report ended
(`closed_at`):
- **Rejected reports** (spam, out of scope: status `rejected`) that never became a case (never registered);
  after
  POSKO_RETENTION_REJECTED_DAYS they are purged whole — the row, terlapor, messages, events, evidence rows and
  every stored file (originals, derived copies, link archives, minutes attachments), and registry entries that
  no other report names. Reports merged into a rejected report go with it. Staged uploads never belong to a
  report (a staged file becomes evidence, or is removed after POSKO_STAGED_UPLOAD_HOURS by its own task).
- **Closed and stopped cases** are archived after POSKO_RETENTION_CLOSED_DAYS: the reporter's identity (name,
  NIK, address, phone, e-mail, and their keyed hashes) is erased — the purpose it served, reaching and hearing
  the reporter, is over (UU PDP Pasal 43) — while the case, its evidence and its history stay as the office's
  record, read-only (complaints.services.workflow refuses changes to an archived case). Reports merged into
  the case are archived with it. So is a report rejected *after* registration: it became a case of the office,
  with a case number and perhaps letters and signed papers the office keeps (casefiles), so it is archived
  after the same period, never purged. A never-registered rejected report that something the office keeps
  still names (a signed scan of a paper form, an export's record) cannot be purged either: it is archived at once instead.
Each application writes a RetentionRecord (when, which report id and the tracking code's SHA-256, which rule
and period, counts of what went) and nothing of the content."""

import datetime as dt
import logging
from collections import Counter

import pgtrigger
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import ProtectedError, Q
from django.db.models.deletion import Collector
from django.utils import timezone

from complaints.fields import EncryptedTextField
from complaints.models import Person, Report, ReportEvent, RetentionRecord
from complaints.models.privacy import tracking_code_digest
from complaints.services import history
from evidence.models import CustodyEvent

log = logging.getLogger(__name__)
S = Report.Status

# The append-only triggers (issue 9, docs/integrity.md) the purge alone may pass: a rejected report's events,
# chain head, minutes versions, evidence rows and their custody records go with it. Each purge writes a
# RetentionRecord of what it removed, so the removal itself stays on record.
PURGE_EXEMPT = (
    "complaints.ReportEvent:event_append_only",
    "complaints.ReportChain:chain_no_delete",
    "complaints.MinutesVersion:minutes_append_only",
    "evidence.Evidence:evidence_no_delete",
    "evidence.CustodyEvent:custody_append_only",
)
ARCHIVABLE = (S.CLOSED, S.STOPPED)
# Registered: a case number and its registration day. Letters need the number (casefiles.services.letters).
_WAS_A_CASE = Q(registered_at__isnull=False) | (Q(case_number__isnull=False) & ~Q(case_number=""))


def _ended_before(cutoff: dt.datetime) -> Q:
    return Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, status_changed_at__lt=cutoff)


def purge_due(now: dt.datetime | None = None):
    days = settings.POSKO_RETENTION_REJECTED_DAYS
    if not days:
        return Report.objects.none()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Report.objects.filter(_ended_before(cutoff), status=S.REJECTED).exclude(_WAS_A_CASE)


def archive_due(now: dt.datetime | None = None):
    days = settings.POSKO_RETENTION_CLOSED_DAYS
    if not days:
        return Report.objects.none()
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    ended_cases = Q(status__in=ARCHIVABLE) | (Q(status=S.REJECTED) & _WAS_A_CASE)
    return Report.objects.filter(_ended_before(cutoff), ended_cases, archived_at__isnull=True)


def retention_sweep(*, now: dt.datetime | None = None, limit: int = 500) -> dict:
    """Apply both rules to at most `limit` reports each; each report in its own transaction, so an
    interrupted sweep leaves every report either untouched or done, and the next run goes on."""
    now = now or timezone.now()
    purged = archived = 0
    for pk in list(purge_due(now).order_by("closed_at", "pk").values_list("pk", flat=True)[:limit]):
        try:
            purged += len(report_purge(report_id=pk, now=now))
        except ProtectedError:
            # A record the office keeps names it (a signed scan of a paper form): the purge rolled back
            # whole; the reporter's identity is erased all the same and the rest kept, read-only.
            log.info("retention: report %s is kept by an office record, archived instead of purged", pk)
            days = settings.POSKO_RETENTION_REJECTED_DAYS
            archived += len(case_archive(report_id=pk, now=now, due=purge_due(now), period_days=days))
    for pk in list(archive_due(now).order_by("closed_at", "pk").values_list("pk", flat=True)[:limit]):
        archived += len(case_archive(report_id=pk, now=now))
    if purged or archived:
        log.info("retention sweep: %d report(s) purged, %d case(s) archived", purged, archived)
    return {"purged": purged, "archived": archived}


def report_purge(*, report_id: int, now: dt.datetime | None = None) -> list[RetentionRecord]:
    """Purge a rejected report past its period, with the reports merged into it and every file they stored.
    Returns one record per report purged (none if it is no longer due: someone acted meanwhile). Files are
    removed after the transaction commits, so a rollback never leaves rows pointing at missing files."""
    now = now or timezone.now()
    files: list = []
    records = []
    with transaction.atomic(), pgtrigger.ignore(*PURGE_EXEMPT):
        report = purge_due(now).select_for_update().filter(pk=report_id).first()
        if report is None:
            return []
        group = list(Report.objects.select_for_update().filter(merged_into=report).order_by("pk")) + [report]
        for member in group:
            records.append(_purge_one(member, report, now, files))
    transaction.on_commit(lambda: _delete_files(files))
    return records


def _purge_one(report: Report, main: Report, now: dt.datetime, files: list) -> RetentionRecord:
    removed: Counter = Counter()
    report_id, code = report.pk, report.tracking_code  # Django clears the pk of what it deletes
    # Custody records point at the evidence with PROTECT (they are the chain of custody); the evidence itself
    # is going, so they go too, counted in the record.
    removed["custody_events"] = CustodyEvent.objects.filter(evidence__report=report).delete()[0]
    people = set(report.accused.exclude(person=None).values_list("person_id", flat=True))
    collector = Collector(using=DEFAULT_DB_ALIAS)
    collector.collect([report])
    for instances in collector.data.values():
        for obj in instances:
            _note_files(obj, files, removed)
    for queryset in collector.fast_deletes:
        for obj in queryset:
            _note_files(obj, files, removed)
    _, counts = collector.delete()
    for label, count in counts.items():
        if count:
            removed[label.split(".")[-1].lower()] += count
    # Registry entries no other report names any more: a person named only in spam is not kept either.
    removed["registry_entries"] = Person.objects.filter(pk__in=people, mentions__isnull=True).delete()[0]
    return RetentionRecord.objects.create(
        at=now,
        rule=RetentionRecord.Rule.REJECTED_PURGE,
        period_days=settings.POSKO_RETENTION_REJECTED_DAYS,
        report_id=report_id,
        tracking_code_sha256=tracking_code_digest(code),
        ended_at=main.closed_at or main.status_changed_at,
        removed={key: value for key, value in sorted(removed.items()) if value},
    )


def _note_files(obj, files: list, removed: Counter) -> None:
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.FileField):
            stored = getattr(obj, field.attname)
            if stored and stored.name:
                files.append((stored.storage, stored.name))
                removed[f"files:{obj._meta.model_name}.{field.name}"] += 1


def _delete_files(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # the rows are gone; a file left behind is logged by name (ids only), never content
            log.warning("retention: could not delete stored file %s", name, exc_info=True)


def identity_field_names(model=Report) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def case_archive(
    *, report_id: int, now: dt.datetime | None = None, due=None, period_days: int | None = None
) -> list[RetentionRecord]:
    """Archive a closed or stopped case past its period: erase the reporter's identity on it and on the reports
    merged into it, mark them archived (read-only), and record it. Returns one record per report archived.
    `due` and `period_days`: where to find the report and the period that applied, instead of archive_due and
    POSKO_RETENTION_CLOSED_DAYS (a rejected report whose purge an office record refused)."""
    now = now or timezone.now()
    due = archive_due(now) if due is None else due
    period = settings.POSKO_RETENTION_CLOSED_DAYS if period_days is None else period_days
    identity = identity_field_names()
    hashes = [f.name for f in Report._meta.concrete_fields if f.name.endswith("_hash")]
    records = []
    with transaction.atomic():
        case = due.select_for_update().filter(pk=report_id, archived_at__isnull=True).first()
        if case is None:
            return []
        group = [case] + list(
            Report.objects.select_for_update()
            .filter(merged_into=case, archived_at__isnull=True)
            .order_by("pk")
        )
        for report in group:
            erased = sum(1 for name in identity if getattr(report, name))
            for name in identity:
                setattr(report, name, "")
            report.archived_at = now
            report.save(update_fields=[*identity, *hashes, "archived_at"])
            history.event_record(
                report=report,
                kind=ReportEvent.Kind.ARCHIVE,
                at=now,
                note="",
                data={"rule": RetentionRecord.Rule.CLOSED_ARCHIVE, "period_days": period},
            )
            records.append(
                RetentionRecord.objects.create(
                    at=now,
                    rule=RetentionRecord.Rule.CLOSED_ARCHIVE,
                    period_days=period,
                    report_id=report.pk,
                    tracking_code_sha256=tracking_code_digest(report.tracking_code),
                    ended_at=case.closed_at or case.status_changed_at,
                    removed={"identity_fields": erased},
                )
            )
    return records
