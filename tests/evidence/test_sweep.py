"""The sweep: every stuck item is queued again, oldest first, batch after batch, on the queue its kind calls
for; and files that no row names (a killed run's copies, a killed upload's original) are removed."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from evidence import services, tasks
from evidence.models import Evidence
from tests import samples
from tests.evidence.helpers import attach, process
from tests.factories import ReportFactory


@pytest.fixture
def sent(monkeypatch):
    """What the sweep hands to the broker: (id, queue) in order (views and services assert what is enqueued;
    the worker tests run the real thing)."""
    calls = []
    monkeypatch.setattr(
        tasks.evidence_process_task, "apply_async", lambda args, queue: calls.append((args[0], queue))
    )
    return calls


def test_a_flood_of_stuck_items_is_all_queued_in_batches_oldest_first(db, settings, sent):
    settings.POSKO_SWEEP_BATCH = 3
    report = ReportFactory()
    now = timezone.now()
    items = []
    for i in range(10):
        kind = "video" if i % 4 == 0 else "photo"
        items.append(
            Evidence.objects.create(
                report=report, kind=kind, original_name=f"{i}", created_at=now - dt.timedelta(minutes=30 - i)
            )
        )
    dead = items[5]
    Evidence.objects.filter(pk=dead.pk).update(status="processing", claimed_at=now - dt.timedelta(minutes=5))
    alive = Evidence.objects.create(
        report=report,
        kind="photo",
        status="processing",
        claimed_at=now,
        created_at=now - dt.timedelta(hours=1),
    )
    fresh = Evidence.objects.create(report=report, kind="photo", created_at=now)  # its task is on its way

    assert services.evidence_sweep(now=now) == 10
    assert [pk for pk, _queue in sent] == [str(i.pk) for i in items]  # every one, oldest first
    assert {pk: queue for pk, queue in sent} == {
        str(i.pk): "heavy" if i.kind == "video" else "quick" for i in items
    }
    assert str(alive.pk) not in dict(sent) and str(fresh.pk) not in dict(sent)
    assert Evidence.objects.filter(pk__in=[i.pk for i in items], queued_at=now).count() == 10
    # Queued once: the next sweep leaves them to their tasks.
    sent.clear()
    assert services.evidence_sweep(now=now + dt.timedelta(seconds=30)) == 0 and sent == []
    # Messages lost with the broker: queued again once POSKO_SWEEP_REQUEUE_SECONDS have passed (and by then
    # every claim that was not renewed has lapsed, and the fresh item was never queued).
    later = now + dt.timedelta(seconds=settings.POSKO_SWEEP_REQUEUE_SECONDS + 1)
    assert services.evidence_sweep(now=later) == 12


def test_a_broker_that_is_down_stops_the_sweep_until_next_time(db, settings, monkeypatch):
    def refuse(args, queue):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.evidence_process_task, "apply_async", refuse)
    report = ReportFactory()
    old = timezone.now() - dt.timedelta(hours=1)
    for i in range(3):
        Evidence.objects.create(report=report, kind="photo", original_name=str(i), created_at=old)
    assert services.evidence_sweep() == 0
    assert Evidence.objects.filter(queued_at__isnull=True).count() == 3  # still stuck: the next sweep tries


# Every test below runs on a local folder and on the S3 server.
@pytest.mark.usefixtures("store")
def test_orphan_copies_and_originals_are_removed_and_named_files_kept(db, settings, store):
    item = process(attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg"))
    kept = sorted([item.file.name, item.viewing_copy.name, item.thumbnail.name])
    gone = uuid.uuid4()
    orphans = [
        f"derived/{item.report_id}/{item.pk}/view_Ab12Cd3.jpg",  # a killed run's copy the row never named
        f"derived/{item.report_id}/{gone}/thumb.jpg",  # the item is gone
        f"originals/{item.report_id}/{gone}",  # an upload whose transaction never committed
    ]
    for name in orphans:
        store.write(name, b"orphan")
    busy = Evidence.objects.create(
        report=item.report, kind="photo", status="processing", claimed_at=timezone.now()
    )
    in_progress = f"derived/{busy.report_id}/{busy.pk}/view.jpg"  # being written by a live run
    store.write(in_progress, b"copy")

    settings.POSKO_ORPHAN_GRACE_SECONDS = 3600
    assert services.storage_orphans_remove() == 0  # all younger than the grace period
    settings.POSKO_ORPHAN_GRACE_SECONDS = 0
    assert services.storage_orphans_remove(now=timezone.now() + dt.timedelta(seconds=5)) == 3
    assert sorted(store.files()) == sorted([*kept, in_progress])
    process(item)  # a second run still finds its own files
    assert services.storage_orphans_remove(now=timezone.now() + dt.timedelta(seconds=5)) == 0
