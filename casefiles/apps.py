from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _roles(sender, **kwargs):
    # The role groups are refreshed after complaints migrates, before this app's permissions exist on a fresh
    # database: refresh them again once they do.
    from complaints.services.staff import roles_ensure

    roles_ensure()


class CasefilesConfig(AppConfig):
    name = "casefiles"
    verbose_name = _("Case files and letters")

    def ready(self):
        from casefiles import receivers
        from complaints.signals import case_changed, demo_seeded

        post_migrate.connect(_roles, sender=self)
        case_changed.connect(receivers.case_changed_received, dispatch_uid="casefiles.notices")
        demo_seeded.connect(receivers.demo_seeded_received, dispatch_uid="casefiles.demo")
