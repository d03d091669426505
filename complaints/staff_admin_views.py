"""Staff management in /staf/ for admins (issue 10): people, their roles and jurisdictions, invitations, and the
dated list of agencies that receive referrals. Thin doors into complaints.services.staffing."""

from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from complaints.models import ReferralAgency, Region, StaffInvite, StaffProfile
from complaints.services import access, staffing

R = StaffProfile.Role


def _admin_or_403(request) -> None:
    """Staff pages for everyone with a role; these for admins only. Anyone else with a role is told why."""
    if not access.role_of(request.user):
        raise Http404
    if access.role_of(request.user) != R.ADMIN:
        raise PermissionDenied(_("Managing staff and referral agencies is for admins."))


class RegionsField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        try:
            return staffing.regions_resolve(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class StaffForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=150)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=R.choices)
    regions = RegionsField(
        label=gettext_lazy("Jurisdiction"),
        required=False,
        widget=forms.TextInput(attrs={"list": "region-names", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Provinces or kab/kota, by name or code, separated by commas (e.g. “Jawa Timur” or “35.74”). "
            "A province covers everything in it. Admins see everything."
        ),
    )
    organisation = forms.CharField(
        label=gettext_lazy("Office or organisation"), required=False, max_length=200
    )

    def clean(self):
        data = super().clean()
        if data.get("role") and data.get("role") != R.ADMIN and "regions" in data and not data["regions"]:
            self.add_error(
                "regions", _("Give at least one province or kab/kota: without one they would see nothing.")
            )
        return data


class InviteForm(StaffForm):
    username = forms.SlugField(
        label=gettext_lazy("User name (optional)"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("Made from the e-mail address when left empty."),
    )


def _region_names():
    return Region.objects.filter(level__lte=2).order_by("code").values_list("code", "name")


def _regions_text(profile) -> str:
    return ", ".join(r.code for r in profile.regions.order_by("code")) if profile else ""


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_users(request):
    """Every staff member with role, jurisdiction and state; the invitation form."""
    _admin_or_403(request)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                user, invite = staffing.staff_invite(
                    admin=request.user,
                    email=d["email"],
                    full_name=d["full_name"],
                    role=d["role"],
                    regions=d["regions"],
                    organisation=d["organisation"],
                    username=d["username"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(email)s is invited as %(name)s; the link works until %(until)s.")
                    % {
                        "email": user.email,
                        "name": user.username,
                        "until": invite.expires_at.strftime("%Y-%m-%d"),
                    },
                )
                return redirect("staff:users")
        status = 400
    people = (
        User.objects.filter(posko__isnull=False)
        .select_related("posko")
        .prefetch_related(
            Prefetch("posko__regions", queryset=Region.objects.order_by("code")),
            Prefetch("staff_invites", queryset=StaffInvite.objects.filter(used_at__isnull=True)),
        )
        .order_by("-is_active", "username")
    )
    return render(
        request,
        "complaints/staff/users.html",
        {"people": people, "form": form, "region_names": _region_names()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def staff_user_edit(request, pk: int):
    _admin_or_403(request)
    person = get_object_or_404(User.objects.select_related("posko"), pk=pk, posko__isnull=False)
    profile = person.posko
    initial = {
        "email": person.email,
        "full_name": person.get_full_name(),
        "role": profile.role,
        "regions": _regions_text(profile),
        "organisation": profile.organisation,
    }
    form = StaffForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                changed = staffing.staff_update(
                    admin=request.user,
                    user=person,
                    email=d["email"],
                    full_name=d["full_name"],
                    role=d["role"],
                    regions=d["regions"],
                    organisation=d["organisation"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved.") if changed else _("Nothing had changed."))
                return redirect("staff:user_edit", pk=person.pk)
        status = 400
    return render(
        request,
        "complaints/staff/user_edit.html",
        {
            "person": person,
            "form": form,
            "region_names": _region_names(),
            "pending_invite": person.staff_invites.filter(used_at__isnull=True).first(),
        },
        status=status,
    )


@login_required
@require_POST
def staff_user_state(request, pk: int, what: str):
    """Deactivate, reactivate or invite again."""
    _admin_or_403(request)
    person = get_object_or_404(User, pk=pk, posko__isnull=False)
    try:
        if what == "deactivate":
            staffing.staff_set_active(admin=request.user, user=person, active=False)
            messages.success(
                request, _("%(name)s is deactivated and can no longer sign in.") % {"name": person}
            )
        elif what == "activate":
            staffing.staff_set_active(admin=request.user, user=person, active=True)
            messages.success(request, _("%(name)s can sign in again.") % {"name": person})
        elif what == "invite":
            staffing.staff_reinvite(admin=request.user, user=person)
            messages.success(request, _("A new link was sent to %(email)s.") % {"email": person.email})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff:user_edit", pk=person.pk)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=gettext_lazy("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=gettext_lazy("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"], self.user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


@require_http_methods(["GET", "HEAD", "POST"])
def invite_accept(request, token: str):
    """The invitee chooses their password through the link of the invitation (works once, until it expires)."""
    invite = staffing.invite_for_token(token)
    if invite is None:
        return render(request, "complaints/staff/invite_accept.html", {"expired": True}, status=404)
    form = SetPasswordForm(request.POST or None, user=invite.user)
    if request.method == "POST" and form.is_valid():
        try:
            staffing.invite_accept(invite=invite, password=form.cleaned_data["password1"])
        except ValidationError:
            return render(request, "complaints/staff/invite_accept.html", {"expired": True}, status=404)
        messages.success(
            request, _("Your password is set: sign in with your user name %(name)s.") % {"name": invite.user}
        )
        return redirect("staff:login")
    return render(
        request,
        "complaints/staff/invite_accept.html",
        {"form": form, "invite": invite},
        status=400 if request.method == "POST" else 200,
    )


class AgencyForm(forms.ModelForm):
    class Meta:
        model = ReferralAgency
        fields = ["name", "code", "kind", "valid_from", "valid_until"]
        labels = {
            "name": gettext_lazy("Name"),
            "code": gettext_lazy("Short code"),
            "kind": gettext_lazy("Receives"),
            "valid_from": gettext_lazy("Valid from"),
            "valid_until": gettext_lazy("Valid until"),
        }
        help_texts = {
            "valid_from": gettext_lazy("Empty: since always."),
            "valid_until": gettext_lazy("Empty: until further notice. End it when another body takes over."),
        }
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


def _agency_save(request, form):
    if not form.is_valid():
        return False
    try:
        staffing.agency_save(admin=request.user, agency=form.save(commit=False))
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agencies(request):
    """The agencies that receive referrals, with their periods, and a form to add one."""
    _admin_or_403(request)
    form = AgencyForm(request.POST or None, prefix="new")
    if request.method == "POST" and _agency_save(request, form):
        messages.success(request, _("Saved."))
        return redirect("staff:agencies")
    today = timezone.localdate()
    rows = list(ReferralAgency.objects.order_by("kind", "valid_from", "name"))
    current = {kind: ReferralAgency.for_date(kind, today) for kind, _label in ReferralAgency.Kind.choices}
    for row in rows:
        row.is_current = current.get(row.kind) is not None and current[row.kind].pk == row.pk
    return render(
        request,
        "complaints/staff/agencies.html",
        {"rows": rows, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agency_edit(request, pk: int):
    _admin_or_403(request)
    agency = get_object_or_404(ReferralAgency, pk=pk)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and _agency_save(request, form):
        messages.success(request, _("Saved."))
        return redirect("staff:agencies")
    return render(
        request,
        "complaints/staff/agency_edit.html",
        {"agency": agency, "form": form},
        status=400 if request.method == "POST" else 200,
    )
