"""Users in the admin: their role and jurisdiction on the user's own page (saved through the staff service,
which sets the role's group and the admin door), a second-factor reset for a lost phone; API tokens, sign-in
lockouts and the sign-in history. The flags that follow from a role (`is_staff`, groups, permissions) are
shown, not edited."""

from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.admin import AuthTokenAdmin
from knox.models import AuthToken

from accounts import services
from accounts.models import SignInEvent
from complaints.models import StaffProfile
from complaints.services.staff import staff_remove, staff_save
from evidence.admin import ReadOnlyAdminMixin

for model in (User, Group, AuthToken, TOTPDevice, StaticDevice, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = True
    max_num = 1
    extra = 1  # a user without a role gets an empty form to give one (no JavaScript needed)
    fields = ["role", "regions", "organisation"]
    autocomplete_fields = ["regions"]
    verbose_name = _("role and jurisdiction")
    verbose_name_plural = _("role and jurisdiction")


@admin.register(User)
class PoskoUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["is_active", "posko__role"]
    list_select_related = ["posko"]
    readonly_fields = ["is_staff", "is_superuser", "groups", "last_login", "date_joined", "second_factor"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "second_factor", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    actions = ["reset_second_factor"]

    @admin.display(description=_("role"), ordering="posko__role")
    def role(self, obj):
        profile = getattr(obj, "posko", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description=_("second factor"))
    def second_factor(self, obj):
        if obj.pk and services.is_enrolled(obj):
            return _("Authenticator enrolled; %(n)d recovery codes left") % {
                "n": services.recovery_codes_left(obj)
            }
        return _("Not enrolled: the user sets it up at the next sign-in")

    def save_formset(self, request, form, formset, change):
        """The role and jurisdiction go through the staff service (group, admin door), not a bare save."""
        if formset.model is not StaffProfile:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None) or {}
            if data.get("DELETE") and inline_form.instance.pk:
                staff_remove(user=user)
            elif data and inline_form.has_changed() and not data.get("DELETE"):
                staff_save(
                    user=user,
                    role=data["role"],
                    regions=[r.code for r in data.get("regions") or []],
                    organisation=data.get("organisation", ""),
                )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description=_("Reset the second factor (the user enrols again at the next sign-in)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.second_factor_reset(user=user)
        self.message_user(request, _("%(n)d user(s) will enrol again.") % {"n": queryset.count()})


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdminMixin, GroupAdmin):
    """Roles are groups whose permissions the code sets (complaints.services.staff): shown, not edited."""


@admin.register(AuthToken)
class ApiTokenAdmin(AuthTokenAdmin):
    """Tokens for the staff API: only their digest and first characters are stored. Made here for a user (shown
    once) or by the user on their account page; revoked by deleting them."""

    list_display = ["token_key", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            messages.info(request, _("The new token, shown only now: %(token)s") % {"token": form.token})
        admin.ModelAdmin.save_model(self, request, obj, form, change)


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "outcome", "ip_address", "user_agent"]
    list_filter = ["outcome"]
    search_fields = ["user__username", "ip_address"]
    list_select_related = ["user"]
