"""Celery tasks: thin doors into evidence.services. They take ids, are safe to run twice, and use JSON."""

from celery import shared_task

from evidence import services
from evidence.pipeline import TransientFailure

MAX_RETRIES = 5


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
    # In-process (no broker) a retry would run again at once inside the web request: give up right away and
    # leave the reason on the item instead.
    final = retries >= MAX_RETRIES or bool(self.request.is_eager)
    try:
        services.evidence_process(evidence_id=evidence_id, retrying=retries > 0, final_attempt=final)
    except TransientFailure as exc:
        # Backoff 15 s, 30 s, 1 min, 2 min, 4 min; then the item stays failed with its reason.
        raise self.retry(countdown=min(600, 15 * 2**retries), exc=exc) from None


@shared_task(name="evidence.sweep", ignore_result=True)
def evidence_sweep_task() -> int:
    return services.evidence_sweep()


@shared_task(name="evidence.cleanup_staged", ignore_result=True)
def staged_upload_cleanup_task() -> int:
    return services.staged_upload_cleanup()
