from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Statistics for staff and the public (issue 8): reads cases, nothing below it imports it."""

    name = "stats"
    verbose_name = _("Statistics")
