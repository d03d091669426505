"""Staff accounts: each role is a group carrying its Django permissions, and a profile carrying the role and
the jurisdiction (PRODUCT.md section 1).

One door per kind of work (issue 9): only the Admin role is `is_staff` and enters /admin/, where it manages
configuration and reads (never changes) what the workflow owns; every other role works in /staf/. Admins are
not superusers: what they may do in the admin is exactly the permissions below, so that, for instance,
revealing a reporter (`complaints.reveal_reporter`) stays with the officer and coordinator roles."""

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from complaints.models import Region, StaffProfile

R = StaffProfile.Role
CASE_WORK = ["evidence.view_evidence", "complaints.view_report"]


def _crud(app_model: str, actions=("view", "add", "change", "delete")) -> list[str]:
    app, model = app_model.split(".")
    return [f"{app}.{action}_{model}" for action in actions]


# The admin's configuration: users and their roles and jurisdictions, agencies, elections, categories, regions,
# API tokens and sign-in lockouts; and, read-only, what the workflow owns (the ModelAdmins refuse changes too).
ADMIN_PERMISSIONS = [
    *_crud("auth.user", ("view", "add", "change")),
    "auth.view_group",
    *_crud("complaints.staffprofile"),
    *_crud("complaints.referralagency"),
    *_crud("complaints.election"),
    *_crud("complaints.violationcategory"),
    *_crud("complaints.region"),
    *_crud("knox.authtoken", ("view", "add", "delete")),
    *_crud("axes.accessattempt", ("view", "delete")),
    "accounts.view_signinevent",
    # The audit trail (/staf/audit/), of every jurisdiction: an admin answers for the whole portal.
    "complaints.view_audit",
    # The office's letterhead, numbering and letter texts, and the form models of signed scans (issue 8).
    *_crud("casefiles.office"),
    *_crud("casefiles.lettertemplate"),
    *_crud("casefiles.formmodel"),
    *[
        f"{model.split('.')[0]}.view_{model.split('.')[1]}"
        for model in (
            "complaints.report",
            "complaints.accused",
            "complaints.reportevent",
            "complaints.clarification",
            "complaints.assessment",
            "complaints.referral",
            "complaints.person",
            "evidence.evidence",
            "evidence.custodyevent",
            "evidence.stagedupload",
            "casefiles.letter",
            "casefiles.signedscan",
            "casefiles.lettercounter",
            "exports.export",
        )
    ],
]

# Letters and signed scans of a case (the casefiles app, issue 8): Bawaslu staff and coordinators, never
# volunteers (letters name the reporter).
CASEFILE_PERMISSIONS = [
    "casefiles.issue_letter",
    "casefiles.view_letter",
    "casefiles.add_signedscan",
    "casefiles.view_signedscan",
]
ROLE_PERMISSIONS = {
    R.RELAWAN: CASE_WORK,
    R.STAF: [
        *CASE_WORK,
        "evidence.view_original",
        "complaints.change_report",
        "complaints.reveal_reporter",
        "complaints.register_case",
        "evidence.reprocess_evidence",
        "exports.export_case",
        "exports.export_recap",
        *CASEFILE_PERMISSIONS,
    ],
    R.KOORDINATOR: [
        *CASE_WORK,
        "evidence.view_original",
        "complaints.change_report",
        "complaints.reveal_reporter",
        "complaints.register_case",
        "complaints.approve_referral",
        # The audit trail of the jurisdiction (/staf/audit/): who revealed, opened originals, exported.
        "complaints.view_audit",
        "evidence.reprocess_evidence",
        "exports.export_case",
        "exports.export_recap",
        *CASEFILE_PERMISSIONS,
    ],
    R.ADMIN: ADMIN_PERMISSIONS,
}


def roles_ensure() -> None:
    """Create or refresh one group per role with its permissions. Idempotent (run after every migrate).
    Permissions of apps not migrated yet are skipped; the next migrate adds them."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            perms += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


def _flags_apply(user: User, role: str | None) -> None:
    """The role decides the group and `is_staff`: the admin's door is for the Admin role alone."""
    user.groups.set(Group.objects.filter(name=role) if role else [])
    wanted = role == R.ADMIN
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_save(*, user: User, role: str, regions: list[str], organisation: str = "") -> StaffProfile:
    """Give a user a role and a jurisdiction (region codes: provinces or kab/kota)."""
    roles_ensure()
    profile, _ = StaffProfile.objects.update_or_create(
        user=user, defaults={"role": role, "organisation": organisation}
    )
    profile.regions.set(Region.objects.filter(code__in=regions))
    # The user object reads its role and jurisdiction from this profile from now on, not from one it loaded
    # before (services.access keeps a profile's regions once read).
    user.posko = profile
    _flags_apply(user, role)
    return profile


@transaction.atomic
def staff_remove(*, user: User) -> None:
    """Take a user's role away: no profile, no group, no admin door."""
    StaffProfile.objects.filter(user=user).delete()
    _flags_apply(user, None)
