"""Aggregates side by side (stats/parallel.py), on real PostgreSQL connections outside a transaction, as a
request or a worker runs them."""

import time
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone, translation

from stats.parallel import all_at_once, lanes_for
from stats.selectors.staff import StatsFilters, staff_figures
from tests.stats.conftest import case, wib

pytestmark = pytest.mark.django_db(transaction=True)


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _connections_open() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_jobs_run_on_connections_of_their_own_with_the_callers_language_and_zone(settings):
    settings.POSKO_STATS_QUERY_LANES = 2
    before = _connections_open()
    wita = zoneinfo.ZoneInfo("Asia/Makassar")
    slow = "SELECT pg_sleep(0.3), pg_backend_pid()"

    def sleeper():
        with connection.cursor() as cursor:
            cursor.execute(slow)
            return cursor.fetchone()[1], translation.get_language(), timezone.get_current_timezone_name()

    with translation.override("en"), timezone.override(wita):
        found = all_at_once({"a": sleeper, "b": sleeper})
    backends = {found["a"][0], found["b"][0]}
    assert len(backends) == 2  # two connections: the two waits overlapped
    assert {found["a"][1:], found["b"][1:]} == {("en", "Asia/Makassar")}
    assert _backend() in backends  # the caller's own connection took one lane
    # The helper's connection is closed when its lane is done (the server notices within moments).
    deadline = time.monotonic() + 5
    while _connections_open() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _connections_open() == before


def _parallel_workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return cursor.fetchone()[0]


def test_lanes_run_without_postgresqls_own_workers_and_leave_no_setting_behind(settings):
    """Within a lane PostgreSQL's parallel workers are off (the lanes are the parallelism), for the lane's own
    transaction only: the caller's connection has its setting back afterwards, also when a job failed."""
    settings.POSKO_STATS_QUERY_LANES = 2
    default = _parallel_workers()
    assert default != "0"
    found = all_at_once({"a": _parallel_workers, "b": _parallel_workers})
    assert found == {"a": "0", "b": "0"}
    assert _parallel_workers() == default

    def broken():
        raise ValueError("no figure")

    with pytest.raises(ValueError):
        all_at_once({"a": broken, "b": _parallel_workers})
    assert _parallel_workers() == default


def test_one_lane_inside_a_transaction_or_when_set_so(settings):
    from django.db import transaction

    settings.POSKO_STATS_QUERY_LANES = 3
    assert lanes_for(5) == 3 and lanes_for(2) == 2
    with transaction.atomic():
        # Other connections would not see this transaction's rows.
        assert lanes_for(5) == 1
        found = all_at_once({"a": _backend, "b": _backend})
        assert found["a"] == found["b"] == _backend()
    settings.POSKO_STATS_QUERY_LANES = 1
    assert lanes_for(5) == 1


def test_an_error_in_a_lane_reaches_the_caller(settings):
    settings.POSKO_STATS_QUERY_LANES = 2

    def broken():
        raise ValueError("no figure")

    with pytest.raises(ValueError, match="no figure"):
        all_at_once({"a": _backend, "b": broken, "c": _backend})


def test_the_staff_figures_are_the_same_side_by_side_as_one_after_the_other(ref_data, settings):
    from tests.factories import staff

    koordinator = staff("koordinator", "koordinator", ["35"])
    relawan = staff("relawan", "relawan", ["35"])
    for i in range(6):
        case(
            created=wib(2024, 10, 1 + i, 8),
            region=["35.74.04", "35.13.03"][i % 2],
            first_move=wib(2024, 10, 1 + i, 9 + i),
            actor=relawan,
            registered=wib(2024, 10, 2 + i, 8) if i % 3 else None,
            decided=wib(2024, 10, 4 + i, 8) if i % 3 else None,
            sent_on=None,
            status="assessment" if i % 3 else "triage",
            assigned_to=relawan,
        )
    now = wib(2024, 10, 20, 8)
    settings.POSKO_STATS_QUERY_LANES = 1
    alone = staff_figures(koordinator, StatsFilters(), people=True, now=now)
    settings.POSKO_STATS_QUERY_LANES = 3
    side_by_side = staff_figures(koordinator, StatsFilters(), people=True, now=now)
    assert alone["tables"]["timing"].rows[0].values == [0.1, 6]  # 1 to 6 hours: median 3.5 h
    for key, table in alone["tables"].items():
        assert side_by_side["tables"][key] == table, key
    assert side_by_side["headline"] == alone["headline"]
