"""Template helpers of the staff side (issue 10): times in the case's own zone with the zone named, and the
staff navigation's counts."""

from django import template
from django.utils import formats, timezone

from complaints.timezones import WIB, Zone, report_zone

register = template.Library()


def _zone(of) -> Zone:
    if isinstance(of, Zone):
        return of
    if of is None or of == "":
        return WIB
    return report_zone(of)


@register.filter
def zoned(value, of=None):
    """`{{ event.at|zoned:report }}` → "3 Des 2024 14:05 WITA": the time in the zone of the report's region."""
    if not value:
        return ""
    zone = _zone(of)
    return f"{formats.date_format(timezone.localtime(value, zone.tz), 'j M Y H:i')} {zone.name}"


@register.filter
def zoned_long(value, of=None):
    """`{{ report.created_at|zoned_long:report }}` → "Senin, 2 Desember 2024 00:30 WIT"."""
    if not value:
        return ""
    zone = _zone(of)
    return f"{formats.date_format(timezone.localtime(value, zone.tz), 'l, j F Y H:i')} {zone.name}"


@register.filter
def zoned_date(value, of=None):
    """The calendar day of a moment in the report's zone: "2 Des 2024"."""
    if not value:
        return ""
    return formats.date_format(timezone.localtime(value, _zone(of).tz), "j M Y")


@register.simple_tag(takes_context=True)
def staff_counts(context) -> dict:
    """What the staff navigation shows beside its links: the approvals waiting for a coordinator."""
    from complaints.selectors.approvals import BADGE_CAP, approvals_count
    from complaints.services.access import R, has_role, role_of

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not role_of(user):
        return {}
    approvals = approvals_count(user, cap=BADGE_CAP) if has_role(user, R.KOORDINATOR) else None
    return {
        "approvals": approvals,
        "approvals_badge": f"{BADGE_CAP}+" if approvals is not None and approvals > BADGE_CAP else approvals,
        "is_admin": role_of(user) == R.ADMIN,
        "audit": user.has_perm("complaints.view_audit"),
    }
