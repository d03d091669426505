"""What waits for a coordinator's approval (PRODUCT.md section 1: coordinators approve decisions and referrals):
cases in assessment whose kajian found a violation and whose referral letter is recorded (to forward), and cases
whose kajian decided that the case ends (not a violation: to close)."""

from django.db.models import Q, QuerySet

from complaints.models import Assessment, Report
from complaints.services.access import reports_for_user

S = Report.Status
ENDS_THE_CASE = [Assessment.Decision.NOT_VIOLATION]


def _waiting(user) -> QuerySet:
    referral_ready = Q(assessment__isnull=False, referral__isnull=False) & ~Q(
        assessment__decision__in=ENDS_THE_CASE
    )
    closing_ready = Q(assessment__decision__in=ENDS_THE_CASE)
    return reports_for_user(user).filter(status=S.ASSESSMENT).filter(referral_ready | closing_ready)


def approvals_for_user(user) -> list[Report]:
    """The cases waiting for this coordinator, oldest decision first; each with `waits_for` ("referral" or
    "closing"). A fixed number of queries, whatever the number of cases."""
    rows = list(
        _waiting(user)
        .select_related(
            "election", "incident_region", "assigned_to", "assessment__author", "referral__agency"
        )
        .prefetch_related("accused")
        .order_by("assessment__decided_at", "id")
    )
    for row in rows:
        row.waits_for = "closing" if row.assessment.decision in ENDS_THE_CASE else "referral"
    return rows


def approvals_count(user) -> int:
    return _waiting(user).count()
