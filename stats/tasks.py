"""Keeping the public figures warm: Celery beat recomputes them every POSKO_STATS_PUBLIC_REFRESH_SECONDS, so
visitors are served from the cache even after a quiet hour (without a worker, the first visitor after the
interval recomputes them instead)."""

from celery import shared_task

from stats.selectors.public import public_figures_refresh


@shared_task(name="stats.refresh_public", ignore_result=True)
def refresh_public_task() -> None:
    public_figures_refresh()
