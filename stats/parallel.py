"""Independent aggregate queries side by side, each lane on its own database connection.

The staff figures are a dozen aggregates over the same jurisdiction, none needing another's answer; one after
the other they took about a second at 200,000 reports (bench/stats.py), most of it PostgreSQL working on one
core while the others idled. Here the calling thread and POSKO_STATS_QUERY_LANES - 1 short-lived threads take
the jobs from one list, costliest first, until none is left.

Only on PostgreSQL outside a transaction: the other connections would not see a transaction's uncommitted rows
(the tests' transactions among them), and SQLite, the embedded default, has one writer and little to gain.
A helper thread carries the caller's language and time zone (both thread-local) and closes its connection when
its lane is done, so nothing stays open behind a request.
"""

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone, translation


def lanes_for(jobs: int) -> int:
    """How many lanes (the caller's included) `jobs` independent jobs run in here and now."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, min(settings.POSKO_STATS_QUERY_LANES, jobs))


def all_at_once(jobs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Every job's result by name. Jobs are listed costliest first; an exception in any is raised here."""
    lanes = lanes_for(len(jobs))
    if lanes == 1:
        return {name: job() for name, job in jobs.items()}
    pending = deque(jobs.items())
    taking = threading.Lock()
    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def lane() -> dict[str, Any]:
        done = {}
        # The lanes are the parallelism here: PostgreSQL's own parallel workers for a lane's query would only
        # crowd the same cores (and cost a process start each). Switched off for the lane's own transaction
        # (SET LOCAL): nothing of it outlives the lane, on this connection or, behind PgBouncer's transaction
        # pooling, on whichever server connection serves the next one.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            while True:
                with taking:
                    if not pending:
                        return done
                    name, job = pending.popleft()
                done[name] = job()

    def helper() -> dict[str, Any]:
        try:
            with translation.override(language), timezone.override(zone):
                return lane()
        finally:
            connections.close_all()  # this thread's own connection; the thread ends with the call

    with ThreadPoolExecutor(max_workers=lanes - 1, thread_name_prefix="posko-stats") as pool:
        helpers = [pool.submit(helper) for _ in range(lanes - 1)]
        found = lane()
        for future in helpers:
            found.update(future.result())
    return {name: found[name] for name in jobs}
