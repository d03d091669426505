"""Writing evidence: attaching files and links to a report, staging files between form submissions, and the
processing step run by workers."""

import datetime as dt
import logging

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
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
        item = evidence_attach_file(
            report=report, upload=upload, caption=caption or staged.caption, position=position
        )
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


def staged_upload_create(*, upload, caption: str = "", draft=None, location=None) -> StagedUpload:
    """Keep a file from a form that did not validate (or from a draft's evidence step), so the reporter does
    not upload it again."""
    staged = StagedUpload(
        original_name=(upload.name or "")[-255:],
        declared_type=(getattr(upload, "content_type", "") or "")[:100],
        size=upload.size,
        caption=caption,
        draft=draft,
        location=location,
    )
    staged.file.save("staged", upload, save=False)
    staged.save()
    return staged


def staged_upload_cleanup(*, now: dt.datetime | None = None) -> int:
    """Remove staged files older than POSKO_STAGED_UPLOAD_HOURS. Returns how many were removed."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.POSKO_STAGED_UPLOAD_HOURS)
    removed = 0
    # A draft's files live as long as the draft (complaints.services.drafts.draft_cleanup removes them).
    for staged in StagedUpload.objects.filter(created_at__lt=cutoff, draft__isnull=True).iterator():
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


def evidence_process(*, evidence_id, retrying: bool = False, final_attempt: bool = True) -> Evidence | None:
    """Run the evidence pipeline over one item (see evidence.pipeline). Safe to run twice: a finished item is
    left alone."""
    from evidence import pipeline

    return pipeline.run(evidence_id=evidence_id, retrying=retrying, final_attempt=final_attempt)


def evidence_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue again the items nobody is working on: pending for over a minute (the broker was down when the
    report came in), processing for longer than a task may run (the worker died), or failed with a retry that
    never arrived. Returns how many were queued."""
    now = now or timezone.now()
    stale_claim = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    stuck = (
        Q(
            status=Evidence.Status.PENDING,
            created_at__lt=now - dt.timedelta(seconds=settings.POSKO_SWEEP_PENDING_SECONDS),
        )
        | Q(status=Evidence.Status.PROCESSING, claimed_at__lt=stale_claim)
        | Q(status=Evidence.Status.FAILED, steps__retry=True, claimed_at__lt=now - dt.timedelta(hours=1))
    )
    ids = list(Evidence.objects.filter(stuck).values_list("pk", flat=True)[:1000])
    from evidence.tasks import evidence_process_task

    sent = 0
    for pk in ids:
        try:
            evidence_process_task.delay(str(pk))
            sent += 1
        except Exception:  # broker still down: the next sweep tries again
            log.warning("sweep could not enqueue evidence %s", pk, exc_info=True)
            break
    return sent
