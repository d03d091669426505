"""Celery tasks of the exports: thin doors into exports.services. They take ids and are safe to run twice.
Builds run on the heavy queue and the sweep on the sweep queue (CELERY_TASK_ROUTES in settings)."""

from celery import shared_task
from django.conf import settings

from exports import services


@shared_task(
    name="exports.build",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.POSKO_EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.POSKO_EXPORT_SOFT_TIME_LIMIT + 60,
)
def export_build_task(export_id: str) -> None:
    services.export_build(export_id)


@shared_task(name="exports.sweep", ignore_result=True)
def export_sweep_task() -> int:
    return services.export_sweep()
