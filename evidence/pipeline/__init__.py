"""The evidence pipeline: an ordered list of small steps run over one item, each recording its outcome on the
item (`Evidence.steps`), each safe to run again. Files: preflight → identify → SHA-256 → virus scan (when a
scanner is configured) → metadata → derived copies → duplicates → ready. Links: normalise → archive →
duplicates → ready.

A step ends the run by raising: `Rejected` (not acceptable; quarantined when dangerous), `TransientFailure`
(retried by the task with backoff) or `PermanentFailure`."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from evidence.models import Evidence
from evidence.pipeline import dedupe, derive, hashing, identify, linksteps, metadata, preflight, scan
from evidence.pipeline.base import Context, PermanentFailure, Rejected, StepError, TransientFailure

log = logging.getLogger(__name__)

FILE_STEPS = [preflight, identify, hashing, scan, metadata, derive, dedupe]
LINK_STEPS = [linksteps.Normalize, linksteps.Archive, dedupe]

__all__ = ["run", "Rejected", "TransientFailure", "PermanentFailure"]

_CLAIMABLE = Q(status__in=[Evidence.Status.PENDING, Evidence.Status.PROCESSING])


def _claim(evidence_id, *, retrying: bool) -> Evidence | None:
    """Take the item for this run: a conditional update, so a finished item is never processed again."""
    claimable = _CLAIMABLE | Q(status=Evidence.Status.FAILED, steps__retry=True) if retrying else _CLAIMABLE
    if not Evidence.objects.filter(claimable, pk=evidence_id).update(
        status=Evidence.Status.PROCESSING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    ):
        return None
    return Evidence.objects.get(pk=evidence_id)


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


def run(*, evidence_id, retrying: bool = False, final_attempt: bool = True) -> Evidence | None:
    """Process one item. Returns it, or None when there was nothing to do (unknown id, or already finished).
    Raises TransientFailure when a retry is worth it and this is not the final attempt."""
    item = _claim(evidence_id, retrying=retrying)
    if item is None:
        return Evidence.objects.filter(pk=evidence_id).first()
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
            name = step.NAME
            try:
                detail = step.run(ctx)
            except StepError as exc:
                _record(item, name, False, exc.reason)
                raise
            except MemoryError as exc:
                _record(item, name, False, "out of memory")
                raise PermanentFailure(
                    "The file needs more memory to process than a worker may use."
                ) from exc
            except Exception as exc:
                # Celery's soft time limit and any unexpected error in a decoder end up here: the item fails
                # with a reason and the worker goes on with the next one.
                if exc.__class__.__name__ == "SoftTimeLimitExceeded":
                    _record(item, name, False, "time limit")
                    raise PermanentFailure("Processing took longer than the time limit.") from exc
                log.exception("step %s failed on evidence %s", name, item.pk)
                _record(item, name, False, f"{exc.__class__.__name__}")
                raise PermanentFailure(
                    f"Processing failed in step {name} ({exc.__class__.__name__})."
                ) from exc
            _record(item, name, True, detail or "")
            if step is hashing:
                # Saved as soon as it is known: the duplicate search of a twin processed at the same moment
                # must be able to see it. The other steps' results are saved once, at the end.
                Evidence.objects.filter(pk=item.pk).update(sha256=item.sha256, size=item.size)
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
    with transaction.atomic():
        _save(item)
        dedupe.matches_save(ctx)
    return item
