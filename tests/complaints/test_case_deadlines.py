"""The case clock around weekends and public holidays, for both election types."""

import datetime as dt
import zoneinfo

from complaints.deadlines import case_clock, decision_deadline, initial_assessment_deadline
from tests.factories import ReportFactory

D = dt.date
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def test_initial_assessment_in_two_working_days_for_pemilu(pemilu):
    assert initial_assessment_deadline(pemilu, D(2024, 2, 8)) == D(
        2024, 2, 13
    )  # over Isra Mi'raj, cuti, weekend
    assert initial_assessment_deadline(pemilu, D(2024, 2, 13)) == D(2024, 2, 16)  # over voting day 14 Feb
    assert initial_assessment_deadline(pemilu, D(2024, 1, 19)) == D(2024, 1, 23)  # Friday → Tuesday


def test_initial_assessment_in_two_calendar_days_for_pilkada(pilkada):
    assert initial_assessment_deadline(pilkada, D(2024, 11, 26)) == D(2024, 11, 28)  # through voting day
    assert initial_assessment_deadline(pilkada, D(2024, 11, 29)) == D(2024, 12, 1)  # into a Sunday


def test_decision_in_seven_working_days_plus_seven_for_pemilu(pemilu):
    # Registered Thursday 4 Apr 2024; 8-12 and 15 Apr are Idul Fitri holidays and cuti bersama.
    assert decision_deadline(pemilu, D(2024, 4, 4), extended=False) == D(2024, 4, 23)
    assert decision_deadline(pemilu, D(2024, 4, 4), extended=True) == D(2024, 5, 3)  # 1 May, 9-10 May aside


def test_decision_in_three_days_plus_two_for_pilkada(pilkada):
    assert decision_deadline(pilkada, D(2024, 12, 24), extended=False) == D(2024, 12, 27)  # through Christmas
    assert decision_deadline(pilkada, D(2024, 12, 24), extended=True) == D(2024, 12, 29)


def test_a_case_shows_its_clock_and_what_is_overdue(pemilu):
    report = ReportFactory(
        election=pemilu,
        known_date=D(2024, 2, 6),
        incident_date=D(2024, 2, 5),
        created_at=dt.datetime(2024, 2, 8, 10, tzinfo=WIB),
    )
    clock = case_clock(report, today=D(2024, 2, 13))
    assert clock["filing"] == D(2024, 2, 20) and clock["initial_assessment"] == D(2024, 2, 13)
    assert clock["pending"] == "initial_assessment" and not clock["overdue"] and clock["days_left"] == 0
    assert case_clock(report, today=D(2024, 2, 15))["overdue"]
    report.status, report.registered_at = "investigation", dt.datetime(2024, 2, 15, 9, tzinfo=WIB)
    clock = case_clock(report, today=D(2024, 2, 20))
    assert clock["pending"] == "decision" and clock["decision"] == D(2024, 2, 26) and not clock["overdue"]
