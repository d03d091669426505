import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence import services
from evidence.models import Evidence
from tests.factories import ReportFactory, jpeg_bytes

# Every test here runs on a local folder and on the S3 server.
pytestmark = pytest.mark.usefixtures("store")


def attach(report, content: bytes, name="bukti.jpg"):
    return services.evidence_attach_file(
        report=report, upload=SimpleUploadedFile(name, content, "image/jpeg")
    )


def test_processing_records_the_sha256_of_the_stored_original(db, store):
    content = jpeg_bytes(320, 240)
    item = attach(ReportFactory(), content)
    assert item.status == Evidence.Status.PENDING and item.sha256 == ""
    services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    assert item.status == Evidence.Status.READY and item.processed_at
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert store.sha256(item.file.name) == item.sha256
    assert item.size == len(content)
    # The stored name is made of ids, not of the client's name.
    assert "bukti" not in item.file.name


def test_processing_twice_changes_nothing(db):
    item = attach(ReportFactory(), jpeg_bytes())
    services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    first = (item.sha256, item.processed_at, item.attempts)
    services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    assert (item.sha256, item.processed_at, item.attempts) == first


def test_a_missing_original_fails_with_a_reason(db):
    item = attach(ReportFactory(), jpeg_bytes())
    item.file.storage.delete(item.file.name)
    services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    assert item.status == Evidence.Status.FAILED and item.status_reason


def test_a_link_is_normalised_and_recognised(db):
    item = services.evidence_attach_link(report=ReportFactory(), url="https://youtu.be/abc123?si=share")
    services.evidence_process(evidence_id=item.pk)
    item.refresh_from_db()
    assert item.status == Evidence.Status.READY and item.sha256 == ""
    assert item.normalized_url == "https://youtube.com/watch?v=abc123"
    assert (item.platform, item.post_id) == ("youtube", "abc123")
    assert item.steps["archive"]["detail"].startswith("skipped")


def test_an_unknown_id_is_ignored(db):
    assert services.evidence_process(evidence_id="00000000-0000-0000-0000-000000000000") is None


def test_stale_staged_uploads_are_removed(db, store):
    import datetime as dt

    from django.utils import timezone

    old = services.staged_upload_create(upload=SimpleUploadedFile("a.jpg", b"a"))
    fresh = services.staged_upload_create(upload=SimpleUploadedFile("b.jpg", b"b"))
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert services.staged_upload_cleanup() == 1
    assert store.files("staging") == [fresh.file.name]


def test_submission_enqueues_one_task_per_item_after_commit(
    client, db, django_capture_on_commit_callbacks, monkeypatch
):
    from django.urls import reverse

    from evidence import tasks
    from tests.factories import valid_api_data

    sent = []
    monkeypatch.setattr(
        tasks.evidence_process_task, "apply_async", lambda args, queue: sent.append((args[0], queue))
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("api:report_create"),
            valid_api_data(files=[SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")]),
        )
        assert sent == []  # nothing before commit
    for callback in callbacks:
        callback()
    # By weight: the photo on the quick queue, the link (archiving) on the heavy one.
    assert sorted(sent) == sorted(
        (str(pk), "heavy" if kind == "link" else "quick")
        for pk, kind in Evidence.objects.values_list("pk", "kind")
    )
    assert sorted(queue for _pk, queue in sent) == ["heavy", "quick"]
    assert Evidence.objects.filter(queued_at__isnull=False).count() == 2
