from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate
from django.utils.translation import gettext_lazy as _


def _roles(sender, **kwargs):
    from complaints.services.staff import roles_ensure

    roles_ensure()


def _jurisdiction_changed(sender, instance, action, **kwargs):
    from complaints.services.access import JURISDICTION_MEMO

    if action.startswith("post_"):
        instance.__dict__.pop(JURISDICTION_MEMO, None)


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # Role groups need the permissions Django creates after migrating: refresh them every time.
        post_migrate.connect(_roles, sender=self)
        # A profile's regions read once (services.access.jurisdiction_codes) are read again once changed.
        m2m_changed.connect(_jurisdiction_changed, sender=self.get_model("StaffProfile").regions.through)
