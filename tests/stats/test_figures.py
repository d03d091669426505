"""The medians and the deadline share on a small set of cases whose figures are worked out by hand here.

Each test runs twice: with the database's own median (PostgreSQL's percentile_cont) and with the fallback the
embedded default uses (SQLite: the durations fetched and their median taken in Python). test_on_sqlite runs
this module again on a real SQLite database."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from complaints.deadlines import case_clock
from complaints.models import Election, Report
from complaints.timezones import WIT, due_before_today_q, local_date
from stats.medians import medians
from stats.selectors.staff import (
    StatsFilters,
    deadline_table,
    scope_zones,
    staff_figures,
    stats_scope,
    timing_measures,
    timing_table,
)
from tests.factories import staff
from tests.stats.conftest import case, wib

HOUR = 3600.0
DAY = 86400.0
BOTH = pytest.mark.parametrize("in_database", [None, False], ids=["database-median", "python-median"])


@pytest.fixture
def timeline(people):
    """Five Pilkada reports received on Tue 1 Oct 2024 at 08:00 WIB:

    report  first move  registered        decided                    sent    outcome
    A       10:00 (2h)  1 Oct 20:00 (12h)  3 Oct 20:00 (2 d)          7 Oct   17 Oct 12:00
    B       14:00 (6h)  2 Oct 08:00 (24h)  5 Oct 05:00 (2 d 21 h)     5 Oct   -
    C       09:00 (1h)  2 Oct 20:00 (36h)  4 Oct 08:00 (1.5 d)        -       -
    D       11:00 (3h)  -                  -                          -       -
    E       -           -                  -                          -       -

    B is decided at 05:00 WIB on 5 Oct, which is still 4 Oct in UTC: the referral counts local days."""
    received = wib(2024, 10, 1, 8)
    case(
        created=received,
        status="closed",
        first_move=wib(2024, 10, 1, 10),
        registered=wib(2024, 10, 1, 20),
        decided=wib(2024, 10, 3, 20),
        sent_on=dt.date(2024, 10, 7),
        outcome_at=wib(2024, 10, 17, 12),
    )
    case(
        created=received,
        status="referred",
        first_move=wib(2024, 10, 1, 14),
        registered=wib(2024, 10, 2, 8),
        decided=wib(2024, 10, 5, 5),
        sent_on=dt.date(2024, 10, 5),
    )
    case(
        created=received,
        status="assessment",
        first_move=wib(2024, 10, 1, 9),
        registered=wib(2024, 10, 2, 20),
        decided=wib(2024, 10, 4, 8),
    )
    case(created=received, status="rejected", first_move=wib(2024, 10, 1, 11))
    case(created=received)
    # Outside the coordinator's jurisdiction (Jakarta): must not move any figure.
    case(
        created=received,
        region="31.71.01",
        first_move=wib(2024, 10, 9, 8),
        registered=wib(2024, 10, 20, 8),
        decided=wib(2024, 10, 30, 8),
        sent_on=dt.date(2024, 12, 1),
        outcome_at=wib(2025, 3, 1, 8),
    )
    return people


@BOTH
def test_medians_by_hand(timeline, in_database):
    scope = stats_scope(timeline["koordinator"], StatsFilters())
    found = medians(scope, timing_measures(), in_database=in_database)[None]
    # Triage: 1, 2, 3, 6 hours → the mean of the middle two, 2.5 h.
    assert found["triage"] == (pytest.approx(2.5 * HOUR), 4)
    # Registration: 12, 24, 36 hours → 24 h.
    assert found["registration"] == (pytest.approx(24 * HOUR), 3)
    # Decision: 1.5 d, 2 d, 2 d 21 h → 2 d.
    assert found["decision"] == (pytest.approx(2 * DAY), 3)
    # Referral: A decided 3 Oct, sent 7 Oct (4 d); B decided 5 Oct WIB, sent 5 Oct (0 d) → 2 d.
    assert found["referral"] == (pytest.approx(2 * DAY), 2)
    # Outcome: A sent 7 Oct, outcome 17 Oct 12:00 → 10.5 d.
    assert found["outcome"] == (pytest.approx(10.5 * DAY), 1)


@BOTH
def test_the_timing_table_in_days(timeline, in_database):
    table = timing_table(stats_scope(timeline["koordinator"], StatsFilters()), in_database=in_database)
    assert {r.code: r.values for r in table.rows} == {
        "triage": [0.1, 4],  # 2.5 h
        "registration": [1.0, 3],
        "decision": [2.0, 3],
        "referral": [2.0, 2],
        "outcome": [10.5, 1],
    }


def test_medians_of_nothing_are_not_measured(people):
    table = timing_table(stats_scope(people["koordinator"], StatsFilters()))
    assert [r.values for r in table.rows] == [[None, 0]] * 5


@pytest.fixture
def decisions(people):
    """Decisions against the legal deadline.

    Pilkada, 3 calendar days from registration (5 when extended; UU 10/2016 Pasal 134 ayat 5-6), all registered
    Tue 1 Oct 2024 09:00 WIB, so the deadline is Fri 4 Oct (Sun 6 Oct extended):
      P1 decided Fri 4 Oct 23:30 WIB        → in time
      P2 decided Sat 5 Oct 06:00 WIB        → late (it is still 4 Oct in UTC: the local day counts)
      P3 extended, decided Sat 5 Oct 06:00  → in time
    Pemilu, 7 working days (UU 7/2017 Pasal 454 ayat 7), registered Mon 4 Mar 2024: Tue 5 (1), Wed 6 (2),
    Thu 7 (3), Fri 8 (4), Mon 11 Nyepi and Tue 12 cuti bersama skipped, Wed 13 (5), Thu 14 (6), Fri 15 (7):
      M1 decided Fri 15 Mar 16:00           → in time (11 calendar days)
      M2 decided Mon 18 Mar 09:00           → late
    Pilkada 2 of 3 in time (66.7 %), Pemilu 1 of 2 (50.0 %), together 3 of 5 (60.0 %)."""
    registered = wib(2024, 10, 1, 9)
    case(created=registered, registered=registered, decided=wib(2024, 10, 4, 23, 30), status="closed")
    case(created=registered, registered=registered, decided=wib(2024, 10, 5, 6), status="closed")
    case(
        created=registered, registered=registered, decided=wib(2024, 10, 5, 6), extended=True, status="closed"
    )
    monday = wib(2024, 3, 4, 10)
    case(
        created=monday,
        election="pemilu-2024",
        registered=monday,
        decided=wib(2024, 3, 15, 16),
        status="closed",
    )
    case(
        created=monday,
        election="pemilu-2024",
        registered=monday,
        decided=wib(2024, 3, 18, 9),
        status="closed",
    )
    # Registered, not decided yet: not a decision. Elsewhere: not this coordinator's.
    case(created=monday, election="pemilu-2024", registered=monday, status="investigation")
    case(created=registered, registered=registered, decided=wib(2024, 10, 30, 9), region="31.71.01")
    return people


def test_share_of_decisions_within_the_deadline(decisions):
    elections = {e.pk: e for e in Election.objects.all()}
    table = deadline_table(stats_scope(decisions["koordinator"], StatsFilters()), elections)
    assert {r.code: r.values for r in table.rows} == {
        "pemilu-2024": [2, 1, 50.0],
        "pilkada-2024": [3, 2, 66.7],
        "all": [5, 3, 60.0],
    }


def test_the_page_shows_the_share_and_the_median(client, decisions):
    client.force_login(decisions["koordinator"])
    response = client.get("/staf/statistik/")
    assert response.status_code == 200
    headline = response.context["headline"]
    assert headline["in_time_share"] == 60.0
    assert headline["decision_median_days"] is not None
    assert "60" in response.content.decode()


def test_weeks_and_days_are_those_of_western_indonesia_time(people):
    """Sun 6 Oct 2024 23:30 WIB and Mon 7 Oct 00:30 WIB are both Sunday in UTC, and in two weeks in Jakarta: the
    staff and the public week tables count them in two (on PostgreSQL through a fixed +07:00 offset, elsewhere
    through the zone's name)."""
    from stats.selectors.public import public_figures_compute
    from stats.selectors.staff import week_table

    case(created=wib(2024, 10, 6, 23, 30))
    case(created=wib(2024, 10, 7, 0, 30))
    filters = StatsFilters(date_from=dt.date(2024, 9, 30), date_to=dt.date(2024, 10, 13))
    table = week_table(stats_scope(people["koordinator"], filters), filters)
    assert {r.code: r.values[0] for r in table.rows} == {"2024-09-30": 1, "2024-10-07": 1}
    weeks = public_figures_compute()["tables"]["week"]["rows"]
    assert [r["code"] for r in weeks[:2]] == ["2024-W40", "2024-W41"]


def wit(*args) -> dt.datetime:
    """A moment in Eastern Indonesia Time (Jayapura, UTC+9)."""
    return dt.datetime(*args, tzinfo=WIT.tz)


@pytest.fixture
def papua_decisions(db):
    """Pilkada decisions registered Tue 1 Oct 2024 at 09:00 local time, so due by Fri 4 Oct (3 calendar days):
      J1, Jayapura (WIT), decided Fri 4 Oct 23:30 WIT                        → in time
      J2, Jayapura (WIT), decided Sat 5 Oct 00:30 WIT (Fri 4 Oct 22:30 WIB)  → late: the case counts in WIT
      P1, Probolinggo (WIB), decided Fri 4 Oct 23:30 WIB                     → in time
    Counted in Jakarta's days, as the figures once were, J2 would be in time and disagree with its case page."""
    registered = wit(2024, 10, 1, 9)
    common = {"region": "91.71", "created": registered, "registered": registered, "status": "closed"}
    case(decided=wit(2024, 10, 4, 23, 30), **common)
    late = case(decided=wit(2024, 10, 5, 0, 30), **common)
    case(created=wib(2024, 10, 1, 9), registered=wib(2024, 10, 1, 9), decided=wib(2024, 10, 4, 23, 30))
    return {
        "both": staff("both", "koordinator", ["35", "91"]),  # two zones: each row's zone by its province
        "papua": staff("papua", "koordinator", ["91"]),  # one zone: WIT for every row
        "late": late,
    }


@pytest.mark.parametrize("who, expected", [("both", [3, 2, 66.7]), ("papua", [2, 1, 50.0])])
def test_decisions_count_in_the_days_of_the_cases_own_zone(papua_decisions, who, expected):
    user = papua_decisions[who]
    elections = {e.pk: e for e in Election.objects.all()}
    qs = stats_scope(user, StatsFilters())
    table = deadline_table(qs, elections, zones=scope_zones(user, StatsFilters()))
    assert {r.code: r.values for r in table.rows}["pilkada-2024"] == expected
    # Told no zones (any of the three), the rows' own provinces decide just the same.
    assert deadline_table(qs, elections).rows == table.rows
    # The late one's case page: due Fri 4 Oct, decided on Saturday in Jayapura.
    late = Report.objects.get(pk=papua_decisions["late"].pk)
    assert case_clock(late)["decision"] == dt.date(2024, 10, 4)
    assert local_date(late.decided_at, WIT) == dt.date(2024, 10, 5)


def test_overdue_cases_are_counted_as_the_queue_counts_them(people):
    """Both due Mon 7 Oct 2024. At Tue 8 Oct 00:30 WIT it is still Monday 22:30 in Jakarta: the case in Jayapura
    is overdue (its day has ended), the one in Probolinggo not yet: the figures say 1, as the queue's overdue
    view does."""
    admin = staff("admin", "admin", [])
    due = dt.date(2024, 10, 7)
    case(created=wit(2024, 10, 4, 9), region="91.71", status="submitted", due_on=due)
    case(created=wib(2024, 10, 4, 9), status="submitted", due_on=due)
    now = wit(2024, 10, 8, 0, 30)
    assert Report.objects.filter(due_before_today_q(now)).count() == 1
    assert staff_figures(admin, StatsFilters(), now=now)["headline"]["overdue"] == 1
    # An hour and a half later it is Tuesday in Jakarta too.
    assert staff_figures(admin, StatsFilters(), now=now + dt.timedelta(hours=1.5))["headline"]["overdue"] == 2
    # Probolinggo's coordinator (one zone, WIB) sees their one case overdue only then.
    koordinator = people["koordinator"]
    assert staff_figures(koordinator, StatsFilters(), now=now)["headline"]["overdue"] == 0
    later = now + dt.timedelta(hours=1.5)
    assert staff_figures(koordinator, StatsFilters(), now=later)["headline"]["overdue"] == 1


def test_a_zone_without_summer_time_is_written_as_its_offset():
    from stats.medians import fixed_offset

    assert fixed_offset("Asia/Jakarta") == "+07:00"  # WIB
    assert fixed_offset("Asia/Makassar") == "+08:00"  # WITA
    assert fixed_offset("Asia/Jayapura") == "+09:00"  # WIT
    assert fixed_offset("Asia/Kolkata") == "+05:30"
    assert fixed_offset("UTC") == "+00:00"
    assert fixed_offset("Europe/Amsterdam") is None  # summer time
    assert fixed_offset("America/Caracas") is None  # -04:00 until 2007, -04:30 until 2016
    assert fixed_offset("Nowhere/Town") is None


def test_on_sqlite(tmp_path):
    """The same hand-made figures on the embedded default's database, SQLite: this module's tests run again in
    a pytest process of their own with DATABASE_URL pointing at a SQLite file."""
    root = Path(__file__).resolve().parents[2]
    assert connection.vendor == "postgresql"  # the suite's own run; the one it starts is on SQLite
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'stats.sqlite3'}")
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            "-k",
            "not on_sqlite",
            __file__,
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    # Every other test of this module ran there (both median paths fall back to Python on SQLite) and passed.
    assert re.search(r"\b12 passed, 1 deselected\b", run.stdout), run.stdout[-2000:]
