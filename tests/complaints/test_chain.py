"""The cases' event chains (issue 9, docs/integrity.md): every event carries the hash of the one before it, and
`manage.py chain_verify` finds what someone with the database superuser's rights did around the triggers."""

import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from complaints.models import ReportChain, ReportEvent
from complaints.selectors.chain import chain_check
from complaints.services import history, workflow
from tests.factories import ReportFactory, staff


def _verify(*args) -> str:
    """Runs the command; returns what it printed, or raises CommandError with the breaks on stderr."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("chain_verify", *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise CommandError(f"{exc}\n{err.getvalue()}") from None
    return out.getvalue()


def _as_superuser(sql: str, params=()) -> None:
    """What a database superuser can do: switch the triggers off for a moment and change history."""
    with connection.cursor() as cursor:
        # Triggers (user ones and foreign-key checks alike) do not fire for a session in replica mode.
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def case(db):
    """A case taken through triage by an officer: four events, chained."""
    officer = staff("officer", "staf")
    report = ReportFactory()
    history.event_record(report=report, to_status="submitted", at=report.created_at)
    workflow.case_transition(report=report, user=officer, to_status="triage", expected_status="submitted")
    workflow.case_note(report=report, user=officer, body="Foto perlu diperiksa.")
    workflow.case_note(report=report, user=officer, body="Saksi dihubungi.")
    return report


def test_each_event_carries_the_hash_of_the_one_before(case):
    events = list(case.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    previous = ""
    for event in events:
        assert event.chain_hash == history.event_chain_hash(event, previous)
        previous = event.chain_hash
    assert ReportChain.objects.get(report=case).head == previous
    assert "every chain intact" in _verify()


def test_an_edited_event_is_found(case):
    _as_superuser(
        "UPDATE complaints_reportevent SET note = 'Tidak ada apa-apa.' WHERE report_id = %s AND seq = 3",
        [case.pk],
    )
    with pytest.raises(CommandError, match=r"event 3: hash does not match its fields: edited"):
        _verify()


def test_an_event_moved_in_time_is_found(case):
    _as_superuser(
        "UPDATE complaints_reportevent SET at = at - interval '2 days' WHERE report_id = %s AND seq = 2",
        [case.pk],
    )
    with pytest.raises(CommandError, match=r"event 2: hash does not match"):
        _verify()


def test_a_deleted_event_is_found(case):
    _as_superuser("DELETE FROM complaints_reportevent WHERE report_id = %s AND seq = 2", [case.pk])
    with pytest.raises(CommandError, match=r"event\(s\) 2 missing: deleted"):
        _verify()


def test_a_deleted_last_event_is_found(case):
    _as_superuser("DELETE FROM complaints_reportevent WHERE report_id = %s AND seq = 4", [case.pk])
    with pytest.raises(CommandError, match=r"the head records 4 event\(s\), the last found is 3"):
        _verify()


def test_only_the_broken_case_is_named(case):
    other = ReportFactory()
    history.event_record(report=other, to_status="submitted")
    _as_superuser("DELETE FROM complaints_reportevent WHERE report_id = %s AND seq = 1", [other.pk])
    breaks = list(chain_check())
    assert {b.report_id for b in breaks} == {other.pk}
    assert "every chain intact" in _verify("--report", str(case.pk))


def test_a_rewritten_head_is_found_by_the_checkpoint_kept_outside(case, tmp_path):
    checkpoint = tmp_path / "heads.json"
    _verify("--checkpoint", str(checkpoint))
    assert json.loads(checkpoint.read_text())[str(case.pk)][0] == 4
    # The last event deleted and the head set back to the one before: the chain alone is consistent again.
    previous = case.events.get(seq=3).chain_hash
    _as_superuser("DELETE FROM complaints_reportevent WHERE report_id = %s AND seq = 4", [case.pk])
    _as_superuser(
        "UPDATE complaints_reportchain SET seq = 3, head = %s WHERE report_id = %s", [previous, case.pk]
    )
    assert "every chain intact" in _verify()
    with pytest.raises(CommandError, match=r"event 4: an event recorded in the checkpoint is gone"):
        _verify("--checkpoint", str(checkpoint))


def test_writers_of_one_case_take_turns(transactional_db, ref_data):
    """GIVEN one case
    WHEN eight writers each append events to it at the same moment, each in its own connection
    THEN the chain has every event once, numbered without a gap, and verifies."""
    report = ReportFactory()
    history.event_record(report=report, to_status="submitted")
    barrier = threading.Barrier(8)
    errors = []

    def write(n):
        try:
            barrier.wait(timeout=10)
            for i in range(5):
                history.event_record(report_id=report.pk, kind="note", note=f"{n}-{i}")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert list(
        ReportEvent.objects.filter(report=report).order_by("seq").values_list("seq", flat=True)
    ) == list(range(1, 42))
    assert list(chain_check()) == []


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


def test_the_migration_chains_the_events_written_before_it(transactional_db, ref_data):
    report = ReportFactory()
    try:
        _migrate([("complaints", "0011_categories_merged")])
        with connection.cursor() as cursor:
            for note in ("pertama", "kedua", "ketiga"):
                cursor.execute(
                    "INSERT INTO complaints_reportevent (report_id, kind, at, from_status, to_status, note, data)"
                    " VALUES (%s, 'note', now(), '', '', %s, '{}')",
                    [report.pk, note],
                )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert list(report.events.order_by("seq").values_list("seq", "note")) == [
        (1, "pertama"),
        (2, "kedua"),
        (3, "ketiga"),
    ]
    assert ReportChain.objects.get(report=report).seq == 3
    assert list(chain_check()) == []
    # And the triggers are back: history is append-only again.
    history.event_record(report=report, kind="note", note="keempat")
    assert list(chain_check()) == []


def test_the_nightly_task_logs_each_break(case, caplog):
    from complaints.tasks import chain_verify_task

    assert chain_verify_task() == 0
    _as_superuser("DELETE FROM complaints_reportevent WHERE report_id = %s AND seq = 2", [case.pk])
    with caplog.at_level("ERROR", logger="posko.integrity"):
        assert chain_verify_task() == 1
    assert f"report {case.pk}, event 3: event(s) 2 missing: deleted" in caplog.text


def test_a_merge_moves_no_event_and_both_chains_hold(case):
    """Merging a duplicate into a case writes one new event on each side; each report keeps its own events,
    so both chains still verify."""
    duplicate = ReportFactory()
    history.event_record(report=duplicate, to_status="submitted")
    volunteer = staff("relawan", "relawan", ["35.74"])
    workflow.case_merge(duplicate=duplicate, into=case, user=volunteer)
    assert list(duplicate.events.order_by("seq").values_list("seq", "kind")) == [
        (1, "transition"),
        (2, "merge"),
    ]
    assert case.events.order_by("seq").last().kind == "merge" and case.events.count() == 5
    assert list(chain_check()) == []


def test_a_report_filed_through_the_api_starts_a_chain_that_later_events_extend(client, db):
    """The first event is written with its chain row in two INSERTs (history.event_record_first), not through
    the lock of later events: the chain it starts verifies, and the next event follows it."""
    from django.urls import reverse

    from complaints.models import Report
    from tests.factories import valid_api_data

    response = client.post(reverse("api:report_create"), valid_api_data())
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    workflow.case_transition(
        report=report, user=staff("officer", "staf"), to_status="triage", expected_status="submitted"
    )
    events = list(report.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2]
    assert events[0].chain_hash == history.event_chain_hash(events[0], "")
    assert events[1].chain_hash == history.event_chain_hash(events[1], events[0].chain_hash)
    assert ReportChain.objects.get(report=report).head == events[1].chain_hash
    assert "every chain intact" in _verify()


def test_a_first_event_is_refused_where_the_case_already_has_a_chain(case):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        history.event_record_first(report=case, to_status="submitted")
    assert ReportChain.objects.get(report=case).seq == 4


def test_a_first_event_is_written_only_in_the_transaction_that_created_the_case(transactional_db, ref_data):
    report = ReportFactory()
    with pytest.raises(RuntimeError):
        history.event_record_first(report=report, to_status="submitted")
    assert not ReportChain.objects.filter(report=report).exists()
