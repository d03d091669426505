"""The evidence pipeline: an ordered list of small steps run over one item, each recording its outcome on the
item (`Evidence.steps`), each safe to run again. Files: preflight → identify → SHA-256 → virus scan (when a
scanner is configured) → metadata → derived copies → duplicates → ready. Links: normalise → archive →
duplicates → ready.

A step ends the run by raising: `Rejected` (not acceptable; quarantined when dangerous), `TransientFailure`
(retried by the task with backoff) or `PermanentFailure`."""

import contextlib
import datetime as dt
import logging
import threading
from typing import NoReturn, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from evidence.models import Evidence
from evidence.pipeline import dedupe, derive, hashing, identify, linksteps, metadata, preflight, scan
from evidence.pipeline.base import (
    Busy,
    Context,
    PermanentFailure,
    Rejected,
    Step,
    StepError,
    TransientFailure,
    is_transient,
)

log = logging.getLogger(__name__)

FILE_STEPS: list[Step] = [preflight, identify, hashing, scan, metadata, derive, dedupe]
LINK_STEPS: list[Step] = [linksteps.Normalize, linksteps.Archive, dedupe]

__all__ = ["run", "Busy", "Rejected", "TransientFailure", "PermanentFailure"]


@contextlib.contextmanager
def _bookkeeping():
    """A transaction for the run's own writes (its claim, its renewals, the early hash, its outcome), whose commit
    does not wait for PostgreSQL to flush the write-ahead log to disk: asynchronous commit (PostgreSQL
    documentation, "Asynchronous Commit", section 30.4 of version 15: the change is visible to everyone at
    once; a crash of the database server within at most three times wal_writer_delay, 600 ms by default, may
    lose it, and nothing else). Losing one costs nothing here: an item whose claim, hash or outcome was lost is
    found stuck by the sweep and processed again, which is safe (every step re-runs, and the hash is computed
    again from the same stored original, flushed to disk at intake). Nothing durable can rest on a lost one:
    the log is written and flushed in order, so any later commit that reached the disk (another item's match
    found through this hash, the outcome, a custody record) carries every earlier one with it. Each
    synchronous commit costs a disk flush, several milliseconds a photo on a plain disk, which the worker
    would wait for and which queues behind the flushes of the derived copies on the same disk."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _claim(evidence_id, *, retrying: bool) -> Evidence | None:
    """Take the item for this run: a conditional update, so a finished item is never processed again and an
    item under a live claim (renewed by its run's heartbeat) is never processed twice at once. A processing
    item whose claim lapsed was left by a dead worker: it is taken over. Raises Busy when another run holds
    the item."""
    now = timezone.now()
    lapsed = now - dt.timedelta(seconds=settings.POSKO_CLAIM_LEASE_SECONDS)
    claimable = (
        Q(status=Evidence.Status.PENDING)
        | Q(status=Evidence.Status.PROCESSING, claimed_at__lt=lapsed)
        | Q(status=Evidence.Status.PROCESSING, claimed_at__isnull=True)
    )
    if retrying:
        claimable |= Q(status=Evidence.Status.FAILED, steps__retry=True)
    with _bookkeeping():
        claimed = _update_returning(
            Evidence.objects.filter(claimable, pk=evidence_id),
            status=Evidence.Status.PROCESSING,
            attempts=F("attempts") + 1,
            claimed_at=now,
        )
    if (
        claimed is None
        and Evidence.objects.filter(pk=evidence_id, status=Evidence.Status.PROCESSING).exists()
    ):
        raise Busy(evidence_id)
    return claimed


def _update_returning(queryset: QuerySet[Evidence], **values) -> Evidence | None:
    """`queryset.update(**values)` on at most one row, returning that row as it is after the update, or None
    when no row matched: one statement (UPDATE ... RETURNING, in PostgreSQL and in SQLite since 3.35) where
    an update and a read of the row took two, each a round trip and a query to compile."""
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
    query.add_update_values(values)
    sql, params = query.get_compiler(queryset.db).as_sql()
    return next(iter(Evidence.objects.raw(f"{sql} RETURNING *", params)), None)


class Heartbeat:
    """Renews the item's claim every third of the lease while the run goes on, from a thread of its own (the
    run may sit for minutes inside a decoder). When the worker dies, the renewals stop and the claim lapses."""

    def __init__(self, evidence_id):
        self.evidence_id = evidence_id
        self.every = settings.POSKO_CLAIM_LEASE_SECONDS / 3
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{evidence_id}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self):
        from django.db import connection

        try:
            while not self._stop.wait(self.every):
                try:
                    with _bookkeeping():
                        Evidence.objects.filter(
                            pk=self.evidence_id, status=Evidence.Status.PROCESSING
                        ).update(claimed_at=timezone.now())
                except Exception:  # noqa: BLE001 - a missed beat only risks a second run, which is safe
                    log.warning("could not renew the claim on evidence %s", self.evidence_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection


def _record(item: Evidence, name: str, ok: bool, detail: str) -> None:
    item.steps[name] = {
        "ok": ok,
        "at": timezone.now().isoformat(timespec="seconds"),
        "detail": str(detail)[:300],
    }


def _save(item: Evidence) -> None:
    item.save(
        update_fields=[
            "kind",
            "size",
            "sha256",
            "status",
            "status_reason",
            "processed_at",
            "detected_type",
            "quarantined",
            "metadata",
            "steps",
            "viewing_copy",
            "thumbnail",
            "phash",
            "normalized_url",
            "url_key",
            "platform",
            "account",
            "post_id",
            "finished_runs",
        ]
    )


def _hash_anyway(ctx: Context) -> None:
    """A rejected file is still kept as it came and may still matter to the case: record its hash too."""
    item = ctx.item
    if item.kind == Evidence.Kind.LINK or item.sha256 or not item.size:
        return
    try:
        _record(item, hashing.NAME, True, hashing.run(ctx))
    except StepError as exc:
        _record(item, hashing.NAME, False, exc.reason)


def run(
    *, evidence_id, retrying: bool = False, final_attempt: bool = True, heartbeat: bool = False
) -> Evidence | None:
    """Process one item. Returns it, or None when there was nothing to do (unknown id, or already finished).
    Raises TransientFailure when a retry is worth it and this is not the final attempt, and Busy when another
    run holds the item. With `heartbeat` (in a worker), the claim is renewed while the run goes on."""
    item = _claim(evidence_id, retrying=retrying)
    if item is None:
        return Evidence.objects.filter(pk=evidence_id).first()
    if not heartbeat:
        return _run_claimed(item, final_attempt=final_attempt)
    with Heartbeat(item.pk):
        return _run_claimed(item, final_attempt=final_attempt)


def _fail(item: Evidence, name: str, exc: Exception) -> NoReturn:
    """Ends the run on an error of step `name`, recorded on the item, with the StepError it amounts to."""
    if isinstance(exc, StepError):
        _record(item, name, False, exc.reason)
        raise exc
    if isinstance(exc, MemoryError):
        _record(item, name, False, "out of memory")
        raise PermanentFailure("The file needs more memory to process than a worker may use.") from exc
    # Celery's soft time limit and any unexpected error in a decoder end up here: the item fails with a reason
    # and the worker goes on with the next one. Storage, database and network errors are not the item's
    # fault: retried with backoff.
    if exc.__class__.__name__ == "SoftTimeLimitExceeded":
        _record(item, name, False, "time limit")
        raise PermanentFailure("Processing took longer than the time limit.") from exc
    if is_transient(exc):
        log.warning("step %s of evidence %s: %r; will retry", name, item.pk, exc)
        _record(item, name, False, f"{exc.__class__.__name__} (will retry)")
        raise TransientFailure(
            f"Storage or database unavailable in step {name} ({exc.__class__.__name__}); "
            "processing will be retried."
        ) from exc
    log.exception("step %s failed on evidence %s", name, item.pk, exc_info=exc)
    _record(item, name, False, f"{exc.__class__.__name__}")
    raise PermanentFailure(f"Processing failed in step {name} ({exc.__class__.__name__}).") from exc


def _run_claimed(item: Evidence, *, final_attempt: bool) -> Evidence:
    if item.attempts - item.finished_runs > settings.POSKO_PIPELINE_MAX_ATTEMPTS:
        # A worker died or timed out on this item every time (a hostile file): stop feeding it to workers.
        item.status = Evidence.Status.FAILED
        item.status_reason = "Processing stopped: the item crashed or timed out a worker repeatedly."
        item.steps.pop("retry", None)
        _save(item)
        return item
    ctx = Context(item=item)
    item.steps.pop("retry", None)
    item.status_reason = ""
    # Counted now and saved with whatever this run records: a run that never saves was a crash.
    item.finished_runs += 1
    steps = LINK_STEPS if item.kind == Evidence.Kind.LINK else FILE_STEPS
    try:
        for step in steps:
            try:
                detail = step.run(ctx)
            except Exception as exc:
                _fail(item, step.NAME, exc)
            _record(item, step.NAME, True, detail or "")
            if step is hashing:
                # Saved as soon as it is known: the duplicate search of a twin processed at the same moment
                # must be able to see it. The other steps' results are saved once, at the end.
                with _bookkeeping():
                    Evidence.objects.filter(pk=item.pk).update(sha256=item.sha256, size=item.size)
        # The derived copies were flushed to disk while the later steps ran: all on disk before the row that
        # names them is saved.
        try:
            ctx.flushed()
        except Exception as exc:
            _fail(item, derive.NAME, exc)
        item.status = Evidence.Status.READY
        item.processed_at = timezone.now()
    except Rejected as exc:
        item.status, item.status_reason, item.quarantined = (
            Evidence.Status.REJECTED,
            exc.reason,
            exc.quarantine,
        )
        item.processed_at = timezone.now()
        _hash_anyway(ctx)
    except TransientFailure as exc:
        item.status, item.status_reason = Evidence.Status.FAILED, exc.reason
        if not final_attempt:
            item.steps["retry"] = True
            _save(item)
            raise
    except PermanentFailure as exc:
        item.status, item.status_reason = Evidence.Status.FAILED, exc.reason
    finally:
        ctx.cleanup()
    with _bookkeeping():
        _save(item)
        dedupe.matches_save(ctx)
    log.info(
        "evidence %s %s: %s", item.pk, item.status, item.status_reason or f"{len(item.steps)} step(s) done"
    )
    return item
