"""Celery tasks: thin doors into evidence.services. They take ids, are safe to run twice, and use JSON."""

from celery import shared_task

from evidence import services


@shared_task(name="evidence.process", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def evidence_process_task(evidence_id: str) -> None:
    services.evidence_process(evidence_id=evidence_id)


@shared_task(name="evidence.sweep", ignore_result=True)
def evidence_sweep_task() -> int:
    return services.evidence_sweep()


@shared_task(name="evidence.cleanup_staged", ignore_result=True)
def staged_upload_cleanup_task() -> int:
    return services.staged_upload_cleanup()
