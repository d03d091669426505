"""Writing evidence: attaching files and links to a report, staging files between form submissions, and the
processing step run by workers."""

import datetime as dt
import hashlib
import logging

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from evidence.classify import guess_kind
from evidence.models import Evidence, StagedUpload

log = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


def evidence_attach_file(*, report, upload, caption: str = "", position: int = 0) -> Evidence:
    """Store an uploaded file (Django UploadedFile) as an original for `report`. Call inside the report's
    transaction; the file is written under a name made of ids only."""
    name = (upload.name or "")[-255:]
    declared = (getattr(upload, "content_type", "") or "")[:100]
    item = Evidence(
        report=report,
        position=position,
        kind=guess_kind(name, declared),
        caption=caption,
        original_name=name,
        declared_type=declared,
        size=upload.size,
    )
    item.file.save("original", upload, save=False)
    # `report` is the caller's saved instance and the UUID primary key is new: no existence queries needed.
    item.full_clean(exclude=["file", "report"], validate_unique=False)
    item.save(force_insert=True)
    return item


def evidence_attach_staged(*, report, staged: StagedUpload, caption: str = "", position: int = 0) -> Evidence:
    """Turn a file kept from an earlier form submission into an evidence item of `report`."""
    with staged.file.open("rb") as fh:
        upload = File(fh.file, name=staged.original_name)
        upload.content_type = staged.declared_type
        item = evidence_attach_file(report=report, upload=upload, caption=caption or staged.caption,
                                    position=position)
    old_name = staged.file.name
    storage = staged.file.storage
    staged.delete()
    transaction.on_commit(lambda: storage.delete(old_name))
    return item


def evidence_attach_link(*, report, url: str, caption: str = "", position: int = 0) -> Evidence:
    item = Evidence(report=report, position=position, kind=Evidence.Kind.LINK, url=url, caption=caption)
    item.full_clean(exclude=["report"], validate_unique=False)
    item.save(force_insert=True)
    return item


def staged_upload_create(*, upload, caption: str = "") -> StagedUpload:
    """Keep a file from a form that did not validate, so the reporter does not upload it again."""
    staged = StagedUpload(
        original_name=(upload.name or "")[-255:],
        declared_type=(getattr(upload, "content_type", "") or "")[:100],
        size=upload.size,
        caption=caption,
    )
    staged.file.save("staged", upload, save=False)
    staged.save()
    return staged


def staged_upload_cleanup(*, now: dt.datetime | None = None) -> int:
    """Remove staged files older than POSKO_STAGED_UPLOAD_HOURS. Returns how many were removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.POSKO_STAGED_UPLOAD_HOURS)
    removed = 0
    for staged in StagedUpload.objects.filter(created_at__lt=cutoff).iterator():
        staged.file.delete(save=False)
        staged.delete()
        removed += 1
    return removed


def evidence_enqueue(evidence_ids: list) -> None:
    """Queue processing of each item after the surrounding transaction commits. A broker that is down must not
    lose the report: the item stays pending and the periodic sweep queues it again."""
    from evidence.tasks import evidence_process_task

    def _send():
        for pk in evidence_ids:
            try:
                evidence_process_task.delay(str(pk))
            except Exception:  # broker unreachable: the report is saved, the sweep retries
                log.warning("could not enqueue evidence %s; the sweep will retry", pk, exc_info=True)

    transaction.on_commit(_send)


def _sha256_of(field_file) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with field_file.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def evidence_process(*, evidence_id) -> Evidence | None:
    """Process one item: for a file, record the SHA-256 and size of the stored original (streamed, never read
    whole into memory); for a link, accept it for archiving. Safe to run twice: a finished item is left alone.
    The full pipeline (identify, metadata, derived copies, duplicates, link archiving) is issue 3."""
    claimed = Evidence.objects.filter(
        pk=evidence_id, status__in=[Evidence.Status.PENDING, Evidence.Status.PROCESSING]
    ).update(status=Evidence.Status.PROCESSING, attempts=F("attempts") + 1)
    if not claimed:
        return Evidence.objects.filter(pk=evidence_id).first()
    item = Evidence.objects.get(pk=evidence_id)
    if item.is_file:
        try:
            item.sha256, item.size = _sha256_of(item.file)
        except FileNotFoundError:
            item.status = Evidence.Status.FAILED
            item.status_reason = "The stored file is missing."
            item.save(update_fields=["status", "status_reason"])
            return item
    item.status = Evidence.Status.READY
    item.status_reason = ""
    item.processed_at = timezone.now()
    item.save(update_fields=["sha256", "size", "status", "status_reason", "processed_at"])
    return item


def evidence_sweep(*, older_than_seconds: int = 300) -> int:
    """Queue again the items left pending or processing for too long (broker down at submission time, worker
    lost). Returns how many were queued."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        Evidence.objects.filter(
            status__in=[Evidence.Status.PENDING, Evidence.Status.PROCESSING], created_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    from evidence.tasks import evidence_process_task

    for pk in ids:
        evidence_process_task.delay(str(pk))
    return len(ids)


def broker_in_process() -> bool:
    return bool(current_app.conf.task_always_eager)

