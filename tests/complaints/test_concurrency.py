"""Two officers acting on the same case at the same moment, on real PostgreSQL."""

import threading

from django.db import connection, connections

from complaints.models import Report, ReportEvent
from complaints.services import workflow
from tests.factories import ReportFactory, staff


def test_two_transitions_at_once_leave_one_event_and_tell_the_other(transactional_db, ref_data):
    """GIVEN one case in triage and two users who both see it there
    WHEN both hand it on at the same instant, each in its own database connection
    THEN exactly one succeeds and writes one event, the other is told someone acted first."""
    assert connection.vendor == "postgresql"
    first, second = staff("a", "relawan", ["35"]), staff("b", "staf", ["35.74"])
    report = ReportFactory(status="triage")
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(user):
        try:
            mine = Report.objects.get(pk=report.pk)
            barrier.wait(timeout=10)
            workflow.case_transition(
                report=mine, user=user, to_status="investigation", expected_status="triage"
            )
            outcomes[user.username] = "ok"
        except workflow.Conflict as exc:
            outcomes[user.username] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "ok")
    assert "Penelusuran" in loser or "Investigation" in loser
    events = ReportEvent.objects.filter(report=report, kind="transition", to_status="investigation")
    assert events.count() == 1
    assert Report.objects.get(pk=report.pk).case_number.startswith("001/")
