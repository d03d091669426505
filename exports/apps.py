from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _roles(sender, **kwargs):
    # The role groups are refreshed after complaints migrates, before this app's permissions exist: refresh
    # them again once they do, so staf and koordinator get exports.export_case and exports.export_recap.
    from complaints.services.staff import roles_ensure

    roles_ensure()


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports")

    def ready(self):
        post_migrate.connect(_roles, sender=self)
