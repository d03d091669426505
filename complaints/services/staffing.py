"""Managing staff and referral agencies from /staf/ (admins only): invite a person by e-mail (they choose their
own password through a one-time link that expires), set their role and jurisdiction, deactivate and reactivate
them; keep the dated list of agencies that receive referrals."""

import datetime as dt
import re
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from complaints.links import site_url
from complaints.models import ReferralAgency, Region, StaffInvite, StaffProfile
from complaints.models.staffing import invite_token_hash
from complaints.services.access import role_of
from complaints.services.staff import staff_save

R = StaffProfile.Role
_CODE = re.compile(r"^\d{2}(\.\d{2})?$")


def _admin_only(admin) -> None:
    if role_of(admin) != R.ADMIN:
        raise PermissionDenied(_("Managing staff and agencies is for admins."))


def regions_resolve(text: str) -> list[Region]:
    """Provinces or kab/kota from what an admin types: codes (`35`, `35.74`) or names (`Jawa Timur`,
    `Kota Probolinggo`), separated by commas or new lines. Raises ValidationError naming what is unknown or
    ambiguous."""
    found: list[Region] = []
    problems: list[str] = []
    for part in re.split(r"[,;\n]+", text or ""):
        part = " ".join(part.split())
        if not part:
            continue
        if _CODE.match(part):
            region = Region.objects.filter(code=part, level__lte=2).first()
            if region is None:
                problems.append(_("no province or kab/kota has the code %(code)s") % {"code": part})
            else:
                found.append(region)
            continue
        matches = list(Region.objects.filter(name__iexact=part, level__lte=2).order_by("code")[:5])
        if len(matches) == 1:
            found.append(matches[0])
        elif not matches:
            problems.append(_("no province or kab/kota is called “%(name)s”") % {"name": part})
        else:
            problems.append(
                _("“%(name)s” is ambiguous: use one of the codes %(codes)s")
                % {"name": part, "codes": ", ".join(m.code for m in matches)}
            )
    if problems:
        raise ValidationError("; ".join(problems) + ".")
    unique = {r.code: r for r in found}
    return [unique[c] for c in sorted(unique)]


def _role_apply(user: User, role: str, regions: list[Region], organisation: str) -> None:
    staff_save(user=user, role=role, regions=[r.code for r in regions], organisation=organisation)
    if role != R.ADMIN and user.is_superuser:
        # staff_save makes admins superusers; a demoted admin must stop being one.
        user.is_superuser = False
        user.save(update_fields=["is_superuser"])


def _name_split(full_name: str) -> tuple[str, str]:
    parts = " ".join((full_name or "").split()).split(" ", 1)
    return parts[0][:150], (parts[1] if len(parts) > 1 else "")[:150]


def _username_from(email: str) -> str:
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower())[:100] or "staf"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


@transaction.atomic
def staff_invite(
    *,
    admin,
    email: str,
    full_name: str,
    role: str,
    regions: list[Region],
    organisation: str = "",
    username="",
) -> tuple[User, StaffInvite]:
    """Create a staff account without a password and e-mail its owner a one-time link to choose one."""
    _admin_only(admin)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            _("Someone already has an account with this e-mail address: edit that account.")
        )
    username = username.strip() or _username_from(email)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name %(name)s is taken.") % {"name": username})
    first, last = _name_split(full_name)
    user = User(username=username, email=email, first_name=first, last_name=last, is_active=True)
    user.set_unusable_password()  # nobody can sign in until the invitee chooses a password
    user.full_clean(exclude=["password"])
    user.save()
    _role_apply(user, role, regions, organisation)
    invite, token = _invite_new(user, admin)
    transaction.on_commit(lambda: _invite_send(invite.pk, token))
    return user, invite


def _invite_new(user: User, admin) -> tuple[StaffInvite, str]:
    # A new invitation replaces the ones not used yet: only the latest link works.
    StaffInvite.objects.filter(user=user, used_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    invite = StaffInvite.objects.create(
        user=user,
        token_hash=invite_token_hash(token),
        created_by=admin,
        expires_at=timezone.now() + dt.timedelta(days=settings.POSKO_INVITE_DAYS),
    )
    return invite, token


def _invite_send(invite_id: int, token: str) -> None:
    invite = StaffInvite.objects.select_related("user__posko").get(pk=invite_id)
    user = invite.user
    with translation.override("id"):
        context = {
            "user": user,
            "username": user.username,
            "role": user.posko.get_role_display(),
            "url": site_url() + reverse("staff:invite_accept", args=[token]),
            "expires": formats.date_format(timezone.localtime(invite.expires_at), "j F Y H:i") + " WIB",
        }
        send_mail(
            subject=render_to_string("emails/staff_invite_subject.txt", context).strip(),
            message=render_to_string("emails/staff_invite.txt", context),
            html_message=render_to_string("emails/staff_invite.html", context),
            from_email=None,
            recipient_list=[user.email],
        )


@transaction.atomic
def staff_reinvite(*, admin, user: User) -> StaffInvite:
    """Send a fresh link (the old one stops working), e.g. when the first one expired."""
    _admin_only(admin)
    if not user.is_active:
        raise ValidationError(_("Reactivate the account before inviting again."))
    if not user.email:
        raise ValidationError(_("This account has no e-mail address to send the link to."))
    invite, token = _invite_new(user, admin)
    transaction.on_commit(lambda: _invite_send(invite.pk, token))
    return invite


def invite_for_token(token: str) -> StaffInvite | None:
    """The invitation a link names, when it can still be used."""
    invite = (
        StaffInvite.objects.select_related("user").filter(token_hash=invite_token_hash(token or "")).first()
    )
    return invite if invite is not None and invite.is_usable else None


@transaction.atomic
def invite_accept(*, invite: StaffInvite, password: str) -> User:
    """Set the invitee's password and use up the link (a conditional update: a link works once)."""
    if not StaffInvite.objects.filter(pk=invite.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise ValidationError(_("This link has already been used."))
    user = invite.user
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def staff_update(
    *, admin, user: User, email: str, full_name: str, role: str, regions: list[Region], organisation: str = ""
) -> bool:
    """Change a person's details, role and jurisdiction. False when nothing changed."""
    _admin_only(admin)
    if user.pk == admin.pk and role != R.ADMIN:
        raise ValidationError(_("You cannot take the admin role from yourself: ask another admin."))
    if User.objects.filter(email__iexact=email.strip()).exclude(pk=user.pk).exists():
        raise ValidationError(_("Someone else already has an account with this e-mail address."))
    first, last = _name_split(full_name)
    profile = getattr(user, "posko", None)
    before = (
        user.email,
        user.first_name,
        user.last_name,
        profile.role if profile else "",
        sorted(profile.regions.values_list("code", flat=True)) if profile else [],
        profile.organisation if profile else "",
    )
    after = (email.strip().lower(), first, last, role, sorted(r.code for r in regions), organisation.strip())
    if before == after:
        return False
    user.email, user.first_name, user.last_name = after[0], first, last
    user.save(update_fields=["email", "first_name", "last_name"])
    _role_apply(user, role, regions, organisation.strip())
    return True


def staff_set_active(*, admin, user: User, active: bool) -> bool:
    """Deactivate (the person is signed out at their next request and cannot sign in) or reactivate."""
    _admin_only(admin)
    if user.pk == admin.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    return bool(User.objects.filter(pk=user.pk).exclude(is_active=active).update(is_active=active))


def agency_save(*, admin, agency: ReferralAgency) -> ReferralAgency:
    """Add or change a receiving agency. Two agencies of one kind may not be valid on the same day: the dated
    lookup (ReferralAgency.for_date) must find exactly one."""
    _admin_only(admin)
    if agency.valid_from and agency.valid_until and agency.valid_until < agency.valid_from:
        raise ValidationError(_("“Valid until” comes before “valid from”."))
    overlapping = ReferralAgency.objects.filter(kind=agency.kind).exclude(pk=agency.pk)
    if agency.valid_until:
        overlapping = overlapping.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=agency.valid_until))
    if agency.valid_from:
        overlapping = overlapping.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=agency.valid_from))
    clash = overlapping.first()
    if clash is not None:
        raise ValidationError(
            _(
                "%(other)s receives the same kind of referral in part of that period. End its period first "
                "(valid until the day before), so that each day has one receiving agency."
            )
            % {"other": clash.name}
        )
    agency.full_clean()
    agency.save()
    return agency
