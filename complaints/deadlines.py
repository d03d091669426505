"""The legal clock: counting days per election type.

Working days skip Saturdays, Sundays, national holidays (libur nasional) and collective leave (cuti bersama),
as the `holidays` package lists them for Indonesia (categories "public" and "government"); election days are
national holidays there (14 Feb 2024, 27 Nov 2024). Pemilu deadlines count working days (UU 7/2017 Pasal 454,
"hari kerja"); Pilkada deadlines count calendar days (UU 10/2016 Pasal 134, "hari").
"""

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("ID", years=year, categories=("public", "government")))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


# Kept per process (the holidays are the package's, fixed while it runs): the statistics work out the deadline
# of every day a jurisdiction registered cases on, hundreds per page (stats/selectors/staff.py deadline_table).
@lru_cache(maxsize=65536)
def add_days(start: dt.date, days: int, *, working: bool) -> dt.date:
    """The day that is `days` days after `start` (which itself is day 0), counting only working days when
    `working`. Adding 7 working days to a Friday lands on the Tuesday of the second week, holidays aside."""
    if not working:
        return start + dt.timedelta(days=days)
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def filing_deadline(election, known_date: dt.date) -> dt.date:
    """Last day a report about a violation that became known on `known_date` is in time."""
    return add_days(known_date, election.filing_days, working=election.filing_working_days)


def is_late(election, known_date: dt.date, filed_on: dt.date) -> bool:
    return filed_on > filing_deadline(election, known_date)


def initial_assessment_deadline(election, received: dt.date) -> dt.date:
    """Kajian awal within 2 days of receipt (PRODUCT.md section 4; Bawaslu's regulations on handling reports:
    Perbawaslu 7/2022 for Pemilu, Perbawaslu 8/2020 for Pilkada), counted like the election's other deadlines.
    The clock starts again when a reporter answers a request for correction."""
    return add_days(received, election.initial_assessment_days, working=election.filing_working_days)


def decision_deadline(election, registered: dt.date, *, extended: bool) -> dt.date:
    """Decision after registration: Pemilu 7 days, plus 7 when more information is needed (UU 7/2017 Pasal 454
    ayat 7-8, working days); Pilkada 3 days, plus 2 (UU 10/2016 Pasal 134 ayat 5-6, calendar days)."""
    days = election.decision_days + (election.decision_extension_days if extended else 0)
    return add_days(registered, days, working=election.filing_working_days)


def case_clock(report, *, today: dt.date | None = None) -> dict:
    """Every deadline of a case, and which one is overdue now. Days are counted in the zone of the case's region
    (WIB, WITA or WIT: complaints/timezones.py), so a report filed just after midnight in Jayapura is received
    on that day, not on the day before as Jakarta's clock would have it."""
    from complaints.timezones import local_date, report_zone, today_in

    zone = report_zone(report)
    today = today or today_in(zone)
    election = report.election
    received = local_date(report.clock_restarted_at or report.created_at, zone)
    clock = {
        "filing": filing_deadline(election, report.known_date),
        "initial_assessment": initial_assessment_deadline(election, received),
        "decision": None,
        "decision_extendable": not report.decision_extended,
        "zone": zone.name,
    }
    if report.registered_at:
        registered = local_date(report.registered_at, zone)
        clock["decision"] = decision_deadline(election, registered, extended=report.decision_extended)
    pending = None
    if report.status in ("submitted", "triage"):
        pending = "initial_assessment"
    elif report.status in ("investigation", "clarification", "assessment") and clock["decision"]:
        pending = "decision"
    clock["pending"] = pending
    clock["overdue"] = bool(pending and clock[pending] and today > clock[pending])
    clock["days_left"] = (clock[pending] - today).days if pending and clock[pending] else None
    return clock
