"""Who may see and do what: roles (PRODUCT.md section 1) and jurisdictions (a region covers all below it)."""

from django.db.models import Q, QuerySet

from complaints.models import Report, StaffProfile

R = StaffProfile.Role
RANK: dict[str, int] = {R.RELAWAN: 1, R.STAF: 2, R.KOORDINATOR: 3, R.ADMIN: 4}


def profile_of(user) -> StaffProfile | None:
    if not user or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.posko
    except StaffProfile.DoesNotExist:
        return None


def role_of(user) -> str:
    if user and user.is_authenticated and user.is_superuser:
        return R.ADMIN
    profile = profile_of(user)
    return profile.role if profile else ""


def has_role(user, minimum: str) -> bool:
    return RANK.get(role_of(user), 0) >= RANK[minimum]


JURISDICTION_MEMO = "_jurisdiction_codes"


def jurisdiction_codes(user) -> list[str] | None:
    """Region codes the user covers, or None for everything (admins)."""
    if role_of(user) == R.ADMIN:
        return None
    profile = profile_of(user)
    if profile is None:
        return []
    # Read once per profile object, which a request's user keeps: one staff page asked up to three times (the
    # queue's rows, its bulk-assignment list, the approvals badge). A jurisdiction changed through a profile
    # forgets this (complaints.apps), and staff_save hands the user the profile it changed.
    codes = profile.__dict__.get(JURISDICTION_MEMO)
    if codes is None:
        codes = profile.__dict__[JURISDICTION_MEMO] = list(profile.regions.values_list("code", flat=True))
    return list(codes)


def jurisdiction_q(user) -> Q:
    """Reports whose incident lies in the user's regions: equality on the indexed province or kab/kota code."""
    codes = jurisdiction_codes(user)
    if codes is None:
        return Q()
    provinces = [c for c in codes if len(c) == 2]
    regencies = [c for c in codes if len(c) == 5]
    deeper = [c for c in codes if len(c) > 5]
    q = Q(pk__in=[])
    if provinces:
        q |= Q(province_code__in=provinces)
    if regencies:
        q |= Q(regency_code__in=regencies)
    for code in deeper:
        q |= Q(incident_region_id=code) | Q(incident_region__code__startswith=code + ".")
    return q


def reports_for_user(user, qs: QuerySet | None = None) -> QuerySet:
    """The reports in the user's jurisdiction; none for anyone without a staff role."""
    qs = Report.objects.all() if qs is None else qs
    if not role_of(user):
        return qs.none()
    return qs.filter(jurisdiction_q(user))


def can_reveal_identity(user) -> bool:
    """Who holds the permission `complaints.reveal_reporter` (the officer and coordinator roles) may reveal a
    reporter, each time with a reason, logged; a role's rank alone never suffices."""
    return bool(role_of(user)) and user.has_perm("complaints.reveal_reporter")


CASE_ROLES = (R.RELAWAN, R.STAF, R.KOORDINATOR)


def codes_covering(region_code: str) -> list[str]:
    """The region and every region above it: '35', '35.74', '35.74.04' for '35.74.04'. A jurisdiction that
    holds any of them covers the region."""
    parts = region_code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def case_workers_for(report: Report) -> QuerySet:
    """Active users with a case-working role whose jurisdiction covers this report: the people a case may be
    assigned to."""
    from django.contrib.auth.models import User

    return (
        User.objects.filter(
            is_active=True,
            posko__role__in=CASE_ROLES,
            posko__regions__code__in=codes_covering(report.incident_region_id),
        )
        .distinct()
        .order_by("username")
    )


def case_workers_near(user) -> QuerySet:
    """Active case workers whose jurisdiction overlaps this user's (for the queue's bulk assignment; each case
    is still checked on its own)."""
    from django.contrib.auth.models import User

    qs = User.objects.filter(is_active=True, posko__role__in=CASE_ROLES)
    codes = jurisdiction_codes(user)
    if codes is None:
        return qs.order_by("username")
    overlap = Q(pk__in=[])
    for code in codes:
        overlap |= Q(posko__regions__code__in=codes_covering(code)) | Q(
            posko__regions__code__startswith=code + "."
        )
    return qs.filter(overlap).distinct().order_by("username")


def report_visible(user, report_id) -> bool:
    """Whether a report lies in the user's jurisdiction (the evidence app asks through POSKO_REPORT_VISIBLE)."""
    return reports_for_user(user).filter(pk=report_id).exists()
