"""Reading exports: who may see which (STYLE.md practice 2: one access helper per object).

The person who asked sees their export while they still hold the export permission (and, for a case export,
while the case is in their jurisdiction). A coordinator sees the exports of cases in their jurisdiction, and
the recaps of people whose whole jurisdiction lies within theirs. An export carrying the reporter's identity
is seen only by those who may reveal identities."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from complaints.models import StaffProfile
from complaints.services import access
from exports import services
from exports.models import Export


def _covers(codes: list[str] | None, scope: list[str] | None) -> bool:
    """Whether a jurisdiction (region codes; None for everything) covers another."""
    if codes is None:
        return True
    if scope is None:
        return False
    return all(any(s == c or s.startswith(c + ".") for c in codes) for s in scope)


def export_visible(user, export: Export) -> bool:
    role = access.role_of(user)
    if not role:
        return False
    if export.is_case_export:
        if not services.can_export_case(user):
            return False
        if not access.reports_for_user(user).filter(pk=export.report_id).exists():
            return False
        if export.include_identity and not services.can_include_identity(user):
            return False
        return export.requested_by_id == user.pk or role in (
            StaffProfile.Role.KOORDINATOR,
            StaffProfile.Role.ADMIN,
        )
    if not services.can_export_recap(user):
        return False
    if export.requested_by_id == user.pk:
        return True
    return role in (StaffProfile.Role.KOORDINATOR, StaffProfile.Role.ADMIN) and _covers(
        access.jurisdiction_codes(user), export.scope
    )


def export_for_user(user, pk) -> Export | None:
    """The export, or None when it does not exist or the user may not see it (the doors answer 404)."""
    try:
        export = Export.objects.select_related("report", "requested_by").get(pk=pk)
    except (Export.DoesNotExist, ValueError, ValidationError):
        return None
    return export if export_visible(user, export) else None


def exports_of_case(user, report, limit: int = 5) -> list[Export]:
    """The latest exports of a case the user already sees (the case page), that they may see too."""
    if not services.can_export_case(user):
        return []
    qs = Export.objects.filter(report=report)
    if access.role_of(user) not in (StaffProfile.Role.KOORDINATOR, StaffProfile.Role.ADMIN):
        qs = qs.filter(requested_by=user)
    if not services.can_include_identity(user):
        qs = qs.filter(include_identity=False)
    return list(qs.select_related("requested_by").order_by("-requested_at")[:limit])


def exports_of_user(user) -> QuerySet:
    return Export.objects.filter(requested_by=user).select_related("report").order_by("-requested_at")
