"""The admin for the Admin role only. Only users with `is_staff` enter, and only the Admin role is `is_staff`
(complaints.services.staff); everyone signs in through the staff sign-in, second factor included."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PoskoAdminSite(admin.AdminSite):
    site_header = _("Posko administration")
    site_title = _("Posko administration")
    index_title = _("Configuration")

    def has_permission(self, request):
        user = request.user
        verified = getattr(user, "is_verified", None)
        return bool(user.is_active and user.is_staff and verified and verified())

    def login(self, request, extra_context=None):
        """Signed-in users without the Admin role are refused; others go to the staff sign-in, and come back."""
        if request.user.is_authenticated:
            return render(request, "accounts/admin_refused.html", status=403)
        target = request.GET.get("next") or reverse("admin:index")
        return redirect_to_login(target, reverse("staff:login"))
