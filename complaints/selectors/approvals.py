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


# The staff navigation's badge counts the waiting cases up to here and then says "99+": it is drawn on every
# staff page, and an exact count read every waiting case of the jurisdiction (bench/stats.py: 28 ms of each
# staff page for 6,500 waiting cases), where the first hundred found are enough.
BADGE_CAP = 99


def approvals_count(user, *, cap: int | None = None) -> int:
    """How many cases wait for this coordinator; with `cap`, counted no further than cap + 1 (the badge shows
    more than `cap` as "cap+")."""
    waiting = _waiting(user).order_by()
    return waiting.count() if cap is None else waiting[: cap + 1].count()
