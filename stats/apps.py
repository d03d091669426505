import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


class StatsConfig(AppConfig):
    """Statistics for staff and the public (issue 8): reads cases, nothing below it imports it."""

    name = "stats"
    verbose_name = _("Statistics")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_warm_on_sign_in, dispatch_uid="stats.warm_on_sign_in")


def _warm_on_sign_in(sender, request, user, **kwargs):
    """A staff member signed in: have a worker compute their statistics now (stats.selectors.staff
    staff_figures_warm), once the sign-in has committed. Not where tasks run in the request (the embedded
    default, and tests): a sign-in does not wait for figures; the first visit computes them there."""
    from django.db import transaction

    from posko.celery import app
    from stats.selectors.staff import staff_figures_warm

    if app.conf.task_always_eager:
        return

    def warm():
        # Never a reason for a sign-in to fail: with the cache or the broker down the first visit computes.
        try:
            staff_figures_warm(user)
        except Exception:
            log.warning("could not ask for the statistics' warm-up", exc_info=True)

    transaction.on_commit(warm)
