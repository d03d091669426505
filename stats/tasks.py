"""Keeping the figures warm. Celery beat recomputes the public figures every POSKO_STATS_PUBLIC_REFRESH_SECONDS,
so visitors are served from the cache even after a quiet hour (without a worker, the first visitor after the
interval recomputes them instead). A staff page served an old copy of its figures asks for a fresh one here."""

from celery import shared_task
from django.contrib.auth.models import User
from django.utils import translation

from stats.selectors.public import public_figures_refresh
from stats.selectors.staff import filters_from_data, staff_figures_refresh


@shared_task(name="stats.refresh_public", ignore_result=True)
def refresh_public_task() -> None:
    public_figures_refresh()


@shared_task(name="stats.refresh_staff", ignore_result=True)
def refresh_staff_task(user_id: int, filters: dict, people: bool, language: str) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    with translation.override(language):
        staff_figures_refresh(user, filters_from_data(filters), people=people)
