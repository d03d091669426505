import datetime as dt
import zoneinfo

import pytest

from complaints.models import Assessment, Election, Referral, ReferralAgency, Report, ReportEvent
from complaints.services.history import event_record
from tests.factories import ReportFactory, staff

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def wib(*args) -> dt.datetime:
    """A moment in Western Indonesia Time: wib(2024, 10, 1, 8) is 08:00 WIB (01:00 UTC)."""
    return dt.datetime(*args, tzinfo=WIB)


def case(
    *,
    created: dt.datetime,
    region: str = "35.74.04",
    election: str = "pilkada-2024",
    status: str = Report.Status.SUBMITTED,
    first_move: dt.datetime | None = None,
    registered: dt.datetime | None = None,
    decided: dt.datetime | None = None,
    extended: bool = False,
    sent_on: dt.date | None = None,
    outcome_at: dt.datetime | None = None,
    actor=None,
    **fields,
) -> Report:
    """A report with the dates the workflow would have recorded, written directly: the figures read exactly
    these columns and events (complaints/services/workflow.py writes them one step at a time)."""
    report = ReportFactory(
        created_at=created,
        incident_region_id=region,
        province_code=region[:2],
        regency_code=region[:5],
        election=Election.objects.get(slug=election),
        status=status,
        registered_at=registered,
        decision_extended=extended,
        **fields,
    )
    if first_move:
        # Through the timeline's one writer, which also keeps the move on the report (Report.triaged_at).
        event_record(
            report=report,
            kind=ReportEvent.Kind.TRANSITION,
            from_status=Report.Status.SUBMITTED,
            to_status=Report.Status.TRIAGE,
            at=first_move,
            actor=actor,
        )
    if decided:
        Assessment.objects.create(report=report, findings="Temuan.", decision="violation", decided_at=decided)
    # The steps after the kajian, kept on the report as workflow.case_assess, referral_record and
    # referral_outcome keep them (tests/complaints/test_workflow.py checks those copies).
    Report.objects.filter(pk=report.pk).update(
        decided_at=decided, referral_sent_on=sent_on, agency_outcome_at=outcome_at if sent_on else None
    )
    if sent_on:
        Referral.objects.create(
            report=report,
            agency=ReferralAgency.objects.get(code="bkn"),
            letter_number="001/PP.01/K.JI/X/2024",
            sent_on=sent_on,
            outcome="sanctioned" if outcome_at else "",
            outcome_recorded_at=outcome_at,
        )
    return report


@pytest.fixture(autouse=True)
def _figures_not_kept(settings):
    """Each test sees the figures of its own data at once; test_staff_figures_are_kept tests the keeping."""
    settings.POSKO_STATS_STAFF_CACHE_SECONDS = 0


@pytest.fixture
def people(db):
    return {
        "koordinator": staff("koordinator", "koordinator", ["35"]),
        "staf": staff("staf", "staf", ["35"]),
        "relawan": staff("relawan", "relawan", ["35"]),
        "outsider": staff("outsider", "koordinator", ["31"]),
    }
