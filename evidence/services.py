"""Writing evidence: attaching files and links to a report, staging files between form submissions, and the
processing step run by workers."""

import contextlib
import contextvars
import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from evidence.classify import guess_kind
from evidence.models import CustodyEvent, Evidence, LinkCapture, StagedUpload
from evidence.storage import evidence_storage, iter_files, open_stream

log = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


_written: contextvars.ContextVar[list | None] = contextvars.ContextVar("posko_written_files", default=None)


@contextlib.contextmanager
def written_files_removed_on_failure():
    """Files written inside this block are removed again when the block fails, partial ones included: each is
    registered *before* its first byte is written (a full disk, a dropped connection to the object store or a
    failed commit must leave neither rows nor files behind). Wrap the transaction in it."""
    written: list = []
    token = _written.set(written)
    try:
        yield written
    except BaseException:
        for storage, name in reversed(written):
            try:
                storage.delete(name)
            except Exception:  # noqa: BLE001 - the orphan sweep removes what cannot be removed now
                log.warning("could not remove %s after a failed submission", name, exc_info=True)
        raise
    finally:
        _written.reset(token)


def _save_registered(field_file, name: str, content) -> None:
    """FieldFile.save, with the target name registered for clean-up before anything is written."""
    target = field_file.field.generate_filename(field_file.instance, name)
    registry = _written.get()
    if registry is not None:
        registry.append((field_file.storage, target))
    field_file.save(name, content, save=False)
    if registry is not None and field_file.name != target:  # the storage chose another name
        registry.append((field_file.storage, field_file.name))


def evidence_attach_file(*, report, upload, caption: str = "", position: int = 0) -> Evidence:
    """Store an uploaded file (Django UploadedFile) as an original for `report`. Call inside the report's
    transaction, within `written_files_removed_on_failure`; the file is written under a name made of ids
    only, and on local disk flushed to the disk before this returns (evidence.storage)."""
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
    _save_registered(item.file, "original", upload)
    # `report` is the caller's saved instance and the UUID primary key is new: no existence queries needed.
    item.full_clean(exclude=["file", "report"], validate_unique=False)
    item.save(force_insert=True)
    return item


def evidence_attach_staged(*, report, staged: StagedUpload, caption: str = "", position: int = 0) -> Evidence:
    """Turn a file kept from an earlier form submission into an evidence item of `report`."""
    with open_stream(staged.file.storage, staged.file.name) as fh:
        upload = File(fh, name=staged.original_name)
        upload.size = staged.size
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
    with written_files_removed_on_failure():
        _save_registered(staged.file, "staged", upload)
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


HEAVY_KINDS = frozenset({Evidence.Kind.VIDEO, Evidence.Kind.LINK})


def evidence_queue_for(kind: str) -> str:
    """Queues by weight: videos (decoding) and links (fetching, a browser screenshot) are heavy; photos,
    documents and audio are quick. Decided from the kind known at intake (from the name and declared type)."""
    return settings.POSKO_QUEUE_HEAVY if kind in HEAVY_KINDS else settings.POSKO_QUEUE_QUICK


def _send(items: list[tuple], now: dt.datetime | None = None) -> list:
    """Send a task per (id, kind); returns the ids sent. Stops at the first broker failure (the sweep will
    send the rest)."""
    from evidence.tasks import evidence_process_task

    sent = []
    for pk, kind in items:
        try:
            evidence_process_task.apply_async(args=[str(pk)], queue=evidence_queue_for(kind))
        except Exception:  # broker unreachable: the rows are saved, the sweep retries
            log.warning("could not enqueue evidence %s; the sweep will retry", pk, exc_info=True)
            break
        sent.append(pk)
    if sent:
        Evidence.objects.filter(pk__in=sent).update(queued_at=now or timezone.now())
    return sent


def evidence_enqueue(items: list) -> None:
    """Queue processing of each item after the surrounding transaction commits, on the queue its kind calls
    for. `items` are Evidence instances, or ids (their kinds are then read after commit). A broker that is
    down must not lose the report: the item stays pending and the periodic sweep queues it again."""
    known = [(i.pk, i.kind) for i in items if isinstance(i, Evidence)]
    bare = [i for i in items if not isinstance(i, Evidence)]

    def _after_commit():
        looked_up = list(Evidence.objects.filter(pk__in=bare).values_list("pk", "kind")) if bare else []
        _send(known + looked_up)

    transaction.on_commit(_after_commit)


def evidence_process(
    *, evidence_id, retrying: bool = False, final_attempt: bool = True, heartbeat: bool = False
) -> Evidence | None:
    """Run the evidence pipeline over one item (see evidence.pipeline). Safe to run twice: a finished item is
    left alone, and an item another run holds raises pipeline.Busy."""
    from evidence import pipeline

    return pipeline.run(
        evidence_id=evidence_id, retrying=retrying, final_attempt=final_attempt, heartbeat=heartbeat
    )


def _stuck(now: dt.datetime) -> Q:
    return (
        # Never queued (the broker was down when the report came in), or queued so long ago that the message
        # must have been lost with the broker.
        Q(
            status=Evidence.Status.PENDING,
            queued_at__isnull=True,
            created_at__lt=now - dt.timedelta(seconds=settings.POSKO_SWEEP_PENDING_SECONDS),
        )
        | Q(
            status=Evidence.Status.PENDING,
            queued_at__lt=now - dt.timedelta(seconds=settings.POSKO_SWEEP_REQUEUE_SECONDS),
        )
        # Claimed, but the claim was not renewed: the worker (or its database) died.
        | Q(
            status=Evidence.Status.PROCESSING,
            claimed_at__lt=now - dt.timedelta(seconds=settings.POSKO_CLAIM_LEASE_SECONDS),
        )
        | Q(status=Evidence.Status.PROCESSING, claimed_at__isnull=True)
        # Failed with a retry that never came (the retry message was lost).
        | Q(status=Evidence.Status.FAILED, steps__retry=True, claimed_at__lt=now - dt.timedelta(hours=1))
    )


def evidence_sweep(*, now: dt.datetime | None = None) -> int:
    """Queue again the items nobody is working on (see `_stuck`), oldest first, batch after batch until none
    is left: a flood of stuck items is all queued in one sweep, and an item once queued is not queued again
    by the next sweep unless it is stuck again. Returns how many were queued."""
    now = now or timezone.now()
    batch = settings.POSKO_SWEEP_BATCH
    total = 0
    last = None  # keyset pagination: (created_at, id) of the last item seen
    while True:
        qs = Evidence.objects.filter(_stuck(now)).order_by("created_at", "pk")
        if last is not None:
            qs = qs.filter(Q(created_at__gt=last[0]) | Q(created_at=last[0], pk__gt=last[1]))
        rows = list(qs.values_list("pk", "kind", "created_at")[:batch])
        if not rows:
            break
        # Taken out of the stuck set before sending: a processing item's claim is renewed so that a second
        # sweep does not queue it again while its task waits in the queue.
        Evidence.objects.filter(
            pk__in=[pk for pk, _kind, _at in rows], status=Evidence.Status.PROCESSING
        ).update(claimed_at=now)
        sent = _send([(pk, kind) for pk, kind, _at in rows], now=now)
        total += len(sent)
        if len(sent) < len(rows):  # broker down: the next sweep goes on
            break
        last = (rows[-1][2], rows[-1][0])
    if total:
        log.info("sweep queued %d evidence item(s) again", total)
    return total


# Where each kind of file lives (evidence.models upload_to functions) and the row that must name it.
_ORPHAN_PREFIXES = ("derived", "originals", "archives", "staging")


def _named_files(prefix: str, ids: set) -> set[str]:
    if prefix == "derived":
        rows = Evidence.objects.filter(pk__in=ids).values_list("viewing_copy", "thumbnail")
        return {name for row in rows for name in row if name}
    if prefix == "originals":
        return set(Evidence.objects.filter(pk__in=ids).exclude(file="").values_list("file", flat=True))
    if prefix == "archives":
        rows = LinkCapture.objects.filter(evidence_id__in=ids).values_list("warc", "screenshot")
        return {name for row in rows for name in row if name}
    return set(StagedUpload.objects.filter(pk__in=ids).values_list("file", flat=True))


def _owner_id(prefix: str, name: str):
    # derived/<report>/<evidence>/<file>, originals/<report>/<evidence>, archives/<report>/<evidence>/<file>,
    # staging/<staged upload>
    parts = name.split("/")
    try:
        return uuid.UUID(parts[1] if prefix == "staging" else parts[2])
    except (IndexError, ValueError):
        return None


def storage_orphans_remove(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Remove files of the evidence storage that no row names: copies a killed run wrote but never recorded,
    an original whose report never committed (the web process was killed mid-upload), a replaced copy.
    Files younger than POSKO_ORPHAN_GRACE_SECONDS are left alone (their run or transaction may still be
    going on), and so are the files of items being processed. Returns how many were removed."""
    now = now or timezone.now()
    cutoff = (now - dt.timedelta(seconds=settings.POSKO_ORPHAN_GRACE_SECONDS)).timestamp()
    removed = 0
    for prefix in _ORPHAN_PREFIXES:
        names: list[tuple[str, object]] = []
        for name, modified in iter_files(evidence_storage, prefix):
            if modified < cutoff:
                names.append((name, _owner_id(prefix, name)))
            if len(names) >= batch:
                removed += _remove_unnamed(prefix, names)
                names = []
        removed += _remove_unnamed(prefix, names)
    if removed:
        log.info("removed %d orphan file(s) from the evidence storage", removed)
    return removed


def _remove_unnamed(prefix: str, names: list) -> int:
    if not names:
        return 0
    ids = {owner for _name, owner in names if owner is not None}
    named = _named_files(prefix, ids)
    busy = set()
    if prefix in ("derived", "archives"):
        busy = set(
            Evidence.objects.filter(pk__in=ids, status=Evidence.Status.PROCESSING).values_list(
                "pk", flat=True
            )
        )
    removed = 0
    for name, owner in names:
        if name in named or owner in busy:
            continue
        evidence_storage.delete(name)
        removed += 1
    return removed


def evidence_reprocess(*, evidence_id, reason: str, actor=None, request=None) -> Evidence | None:
    """Process a failed item again, from the start: a conditional update (only a failed item; a second
    click, or two people at once, finds it pending and does nothing), its crash count forgiven, the
    decision recorded in the chain of custody with who and why, and the task queued after commit. Returns
    the item, or None when it was not failed (nothing done). Derived copies are replaced, never doubled."""
    with transaction.atomic():
        changed = Evidence.objects.filter(pk=evidence_id, status=Evidence.Status.FAILED).update(
            status=Evidence.Status.PENDING,
            attempts=F("finished_runs"),
            queued_at=None,
            claimed_at=None,
        )
        if not changed:
            return None
        item = Evidence.objects.get(pk=evidence_id)
        item.steps.pop("retry", None)
        item.save(update_fields=["steps"])
        CustodyEvent.objects.create(
            evidence=item,
            actor=actor,
            action=CustodyEvent.Action.REPROCESS,
            reason=reason.strip()[:500],
            client_address=(request.META.get("REMOTE_ADDR") if request else None) or None,
            user_agent=request.headers.get("User-Agent", "")[:300] if request else "",
            sha256=item.sha256,
        )
        evidence_enqueue([item])
    return item
