"""Celery tasks: thin doors into evidence.services. They take ids, are safe to run twice, and use JSON.

Queues by weight: `evidence.process` is sent to the quick or the heavy queue by the item's kind
(evidence.services.evidence_queue_for); the sweeps run on the small sweep queue (CELERY_TASK_ROUTES)."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from evidence import services
from evidence.pipeline import Busy, TransientFailure

MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    # 15 s, 30 s, 1 min, 2 min, 4 min; then the item stays failed with its reason.
    return min(600, 15 * 2**retries)


@shared_task(
    bind=True,
    name="evidence.process",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=MAX_RETRIES,
)
def evidence_process_task(self, evidence_id: str) -> None:
    retries = self.request.retries or 0
    eager = bool(self.request.is_eager)
    # In-process (no broker) a retry would run again at once inside the web request: give up right away and
    # leave the reason on the item instead.
    final = retries >= MAX_RETRIES or eager
    try:
        services.evidence_process(
            evidence_id=evidence_id, retrying=retries > 0, final_attempt=final, heartbeat=not eager
        )
    except TransientFailure as exc:
        raise self.retry(countdown=_backoff(retries), exc=exc) from None
    except Busy:
        # Another run holds the item (a redelivered message, or a sweep that raced a slow start): look again
        # once its claim could have lapsed. Does not count as a retry of the item.
        if eager:
            return
        queue = (self.request.delivery_info or {}).get("routing_key") or settings.POSKO_QUEUE_QUICK
        evidence_process_task.apply_async(
            args=[evidence_id], countdown=settings.POSKO_CLAIM_LEASE_SECONDS + 1, queue=queue
        )
    except (OperationalError, InterfaceError) as exc:
        # The database went away outside a step (claiming, saving the outcome): drop the broken connection
        # and try again later; meanwhile the item's claim lapses and the sweep would queue it anyway.
        close_old_connections()
        if eager or retries >= MAX_RETRIES:
            raise
        raise self.retry(countdown=_backoff(retries), exc=exc) from None


@shared_task(name="evidence.sweep", ignore_result=True)
def evidence_sweep_task() -> int:
    return services.evidence_sweep()


@shared_task(name="evidence.cleanup_staged", ignore_result=True)
def staged_upload_cleanup_task() -> int:
    return services.staged_upload_cleanup()


@shared_task(name="evidence.cleanup_orphans", ignore_result=True)
def storage_orphans_remove_task() -> int:
    return services.storage_orphans_remove()
