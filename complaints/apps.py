from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _roles(sender, **kwargs):
    from complaints.services.staff import roles_ensure

    roles_ensure()


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # Role groups need the permissions Django creates after migrating: refresh them every time.
        post_migrate.connect(_roles, sender=self)
