from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Staff accounts")

    def ready(self):
        from accounts import signals  # noqa: F401 (connects the sign-in receivers)


class PoskoAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django's admin on a site of our own: only the Admin role enters, and it signs in through the staff
    sign-in with its second factor (accounts.admin_site)."""

    default_site = "accounts.admin_site.PoskoAdminSite"
