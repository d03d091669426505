"""The beginning of the staff area: a list of reports and, per report, its evidence with status, metadata,
duplicates and previews. The full triage and case workflow comes with issue 4."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from complaints import selectors
from complaints.models import Report
from evidence.access import can_open_originals, can_view


def _get_report_for_user(request, pk) -> Report:
    # One access helper per object (STYLE.md practice 2): 404 for anyone who may not see evidence.
    if not can_view(request.user):
        raise Http404
    report = selectors.report_for_staff(pk)
    if report is None:
        raise Http404
    return report


@login_required
def staff_home(request):
    if not can_view(request.user):
        raise Http404
    return render(request, "complaints/staff_home.html", {"reports": selectors.report_list_for_staff()})


@login_required
def staff_report_evidence(request, pk: int):
    report = _get_report_for_user(request, pk)
    return render(request, "complaints/staff_report_evidence.html", {
        "report": report,
        "items": list(report.evidence.all()),
        "region_path": selectors.region_path(report.incident_region),
        "can_open_originals": can_open_originals(request.user),
    })
