"""Staff accounts: each role is a group carrying its Django permissions, and a profile carrying the role and
the jurisdiction (PRODUCT.md section 1)."""

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from complaints.models import Region, StaffProfile

R = StaffProfile.Role
# Letters and signed scans of a case (the casefiles app, issue 8): Bawaslu staff and coordinators, never
# volunteers (letters name the reporter).
CASEFILE_PERMISSIONS = [
    "casefiles.issue_letter",
    "casefiles.view_letter",
    "casefiles.add_signedscan",
    "casefiles.view_signedscan",
]
ROLE_PERMISSIONS = {
    R.RELAWAN: ["evidence.view_evidence", "complaints.view_report"],
    R.STAF: [
        "evidence.view_evidence",
        "evidence.view_original",
        "complaints.view_report",
        "complaints.change_report",
        "complaints.reveal_reporter",
        "complaints.register_case",
        "exports.export_case",
        "exports.export_recap",
        *CASEFILE_PERMISSIONS,
    ],
    R.KOORDINATOR: [
        "evidence.view_evidence",
        "evidence.view_original",
        "complaints.view_report",
        "complaints.change_report",
        "complaints.reveal_reporter",
        "complaints.register_case",
        "complaints.approve_referral",
        "exports.export_case",
        "exports.export_recap",
        *CASEFILE_PERMISSIONS,
    ],
    R.ADMIN: [],  # admins are superusers
}


def roles_ensure() -> None:
    """Create or refresh one group per role with its permissions. Idempotent (run after every migrate)."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            perms += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


@transaction.atomic
def staff_save(*, user: User, role: str, regions: list[str], organisation: str = "") -> StaffProfile:
    """Give a user a role and a jurisdiction (region codes: provinces or kab/kota)."""
    roles_ensure()
    profile, _ = StaffProfile.objects.update_or_create(
        user=user, defaults={"role": role, "organisation": organisation}
    )
    profile.regions.set(Region.objects.filter(code__in=regions))
    user.groups.set(Group.objects.filter(name=role))
    fields = []
    if not user.is_staff:
        user.is_staff = True
        fields.append("is_staff")
    if role == R.ADMIN and not user.is_superuser:
        user.is_superuser = True
        fields.append("is_superuser")
    if fields:
        user.save(update_fields=fields)
    return profile
