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
