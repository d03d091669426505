"""What one run of the pipeline asks of the storage and the database (issue 11): the original is read once and
every step works on that one read; derived copies are written once each; no query does more than it needs."""

import io
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.models import Evidence
from evidence.pipeline import preflight
from evidence.storage import _real, evidence_storage
from tests import samples
from tests.evidence.helpers import attach, process, sha256
from tests.factories import ReportFactory


@pytest.fixture
def s3_calls(settings):
    """The S3 operations the evidence storage's client sends from here on (this thread's client), by name."""
    from tests.storage import s3_bucket_new, s3_settings_for

    bucket = s3_bucket_new()
    settings.STORAGES = {**settings.STORAGES, "evidence": s3_settings_for(bucket)}
    calls: Counter = Counter()
    client = _real(evidence_storage).connection.meta.client
    client.meta.events.register("before-call.s3.*", lambda model, **kw: calls.update([model.name]))
    yield calls
    bucket.remove_bucket()


def test_on_s3_a_photo_costs_one_get_and_two_puts(db, s3_calls):
    """GIVEN a phone photo stored on S3
    WHEN the pipeline processes it
    THEN the original is fetched once (no HEAD for its size, no ranged reads to identify it) and the viewing
    copy and the thumbnail are written with one PUT each (no DELETE first, no multipart upload)."""
    item = attach(ReportFactory(), samples.jpeg_with_exif(1600, 1200), "IMG_1.jpg", "image/jpeg")
    s3_calls.clear()
    item = process(item)
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.viewing_copy and item.thumbnail
    assert dict(s3_calls) == {"GetObject": 1, "PutObject": 2}


def test_on_s3_running_again_overwrites_the_copies_in_place(db, s3_calls):
    item = process(attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg"))
    copies = (item.viewing_copy.name, item.thumbnail.name)
    Evidence.objects.filter(pk=item.pk).update(status="pending")
    s3_calls.clear()
    again = process(item)
    assert again.status == Evidence.Status.READY, again.status_reason
    assert (again.viewing_copy.name, again.thumbnail.name) == copies
    assert dict(s3_calls) == {"GetObject": 1, "PutObject": 2}
    derived = sorted(name for name, _ in _listing(f"derived/{item.report_id}/{item.pk}"))
    assert derived == sorted(copies)


def test_a_copy_the_row_names_under_another_name_is_removed(db, store):
    item = process(attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg"))
    old = f"derived/{item.report_id}/{item.pk}/view-old.jpg"
    store.write(old, b"an older viewing copy")
    Evidence.objects.filter(pk=item.pk).update(status="pending", viewing_copy=old)
    again = process(item)
    assert again.status == Evidence.Status.READY, again.status_reason
    assert sorted(store.files(f"derived/{item.report_id}/{item.pk}")) == sorted(
        [again.viewing_copy.name, again.thumbnail.name]
    )
    assert old not in store.files("derived")


def test_a_killed_runs_unrecorded_copy_is_replaced_not_numbered(db, store):
    item = attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg")
    # A run that wrote the viewing copy and died before saving the row.
    leftover = f"derived/{item.report_id}/{item.pk}/view.jpg"
    store.write(leftover, b"half a copy")
    item = process(item)
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.viewing_copy.name == leftover
    assert store.read(leftover) != b"half a copy"
    assert sorted(store.files(f"derived/{item.report_id}/{item.pk}")) == sorted(
        [leftover, item.thumbnail.name]
    )


def test_a_file_over_the_processing_limit_is_refused_and_still_hashed(db, store, settings):
    content = samples.jpeg_with_exif()
    item = attach(ReportFactory(), content, "a.jpg", "image/jpeg")
    settings.POSKO_MAX_FILE_BYTES = settings.POSKO_PIPELINE_MAX_FILE_BYTES = len(content) - 1
    item = process(item)
    assert item.status == Evidence.Status.REJECTED and "processing limit" in item.status_reason
    assert item.sha256 == sha256(content)
    assert not item.viewing_copy and not item.thumbnail


def test_an_original_cut_short_while_read_is_retried_not_blamed_on_the_file(db, store, monkeypatch):
    """The storage announced more bytes than it delivered (a proxy cut the transfer): a transient failure."""
    content = samples.jpeg_with_exif()
    item = attach(ReportFactory(), content, "a.jpg", "image/jpeg")

    class Short:
        def __init__(self, storage, name):
            pass

        def __enter__(self):
            return io.BytesIO(content[: len(content) // 2]), len(content)

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(preflight, "open_sized", Short)
    item = process(item)
    assert item.status == Evidence.Status.FAILED
    assert "while it was read" in item.status_reason and not item.quarantined


def test_on_a_local_folder_no_scratch_folder_is_made(db, settings, monkeypatch):
    made = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(kwargs.get("prefix") or (args[1] if len(args) > 1 else ""))
        return real_mkdtemp(*args, **kwargs)

    item = attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg")
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    item = process(item)
    assert item.status == Evidence.Status.READY, item.status_reason
    assert made == []  # the steps read the stored original itself


def test_a_photo_costs_four_queries_and_no_synchronous_commit(db, store):
    """The claim (an update returning the row), the early hash, the duplicate search (same bytes and similar
    picture in one scan), the final save; no join to reports for the default ordering. The claim, the hash
    and the outcome are committed asynchronously: a lost one is found by the sweep and processed again, and
    whatever a later durable commit wrote carries them with it (the log is flushed in order)."""
    item = attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg")
    with CaptureQueriesContext(connection) as queries:
        item = process(item)
    assert item.status == Evidence.Status.READY, item.status_reason
    statements = [q["sql"] for q in queries.captured_queries][:-1]  # the last one is the test's refresh
    work = [sql for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL"))]
    assert len(work) == 4, work
    assert not [sql for sql in work if "complaints_report" in sql]
    # Each asynchronous commit is a transaction (a savepoint inside the test's) that starts by saying so.
    kinds = []
    for sql in statements:
        if sql.startswith("SET LOCAL synchronous_commit TO OFF"):
            kinds.append("async")
        elif sql.startswith("UPDATE"):
            kinds.append("update")
        elif sql.startswith("RELEASE SAVEPOINT"):
            kinds.append("commit")
    assert kinds == ["async", "update", "commit", "async", "update", "commit", "async", "update", "commit"]


def test_a_small_file_goes_up_in_one_put_and_a_large_one_in_parts(db, s3_calls, monkeypatch):
    """A thumbnail is one PUT sent directly, without s3transfer's transfer manager (a thread pool and futures
    per file); a file above the multipart threshold still goes through it, in parts of bounded size."""
    import boto3.s3.inject

    managers = []
    real_manager = boto3.s3.inject.create_transfer_manager
    monkeypatch.setattr(
        boto3.s3.inject,
        "create_transfer_manager",
        lambda *a, **kw: managers.append(1) or real_manager(*a, **kw),
    )
    storage = _real(evidence_storage)
    small = storage.save("derived/x/small.jpg", ContentFile(b"\xff\xd8\xff" + b"x" * 1000))
    assert dict(s3_calls) == {"PutObject": 1} and managers == []
    head = storage.connection.meta.client.head_object(Bucket=storage.bucket_name, Key=small)
    assert head["ContentType"] == "image/jpeg" and head["ContentLength"] == 1003
    s3_calls.clear()
    big = b"y" * (storage.transfer_config.multipart_threshold + 1024)
    name = storage.save("derived/x/big.bin", ContentFile(big))
    assert managers == [1]
    assert s3_calls["CreateMultipartUpload"] == 1 and s3_calls["CompleteMultipartUpload"] == 1
    with storage.open(name) as fh:
        assert fh.read() == big


def _listing(prefix: str):
    from evidence.storage import iter_files

    return list(iter_files(evidence_storage, prefix))


def test_on_a_local_folder_the_copies_are_on_disk_before_the_row_names_them(db, monkeypatch):
    """GIVEN a photo on the local folder
    WHEN the pipeline processes it
    THEN the viewing copy and the thumbnail are flushed to disk in the background, their folder once (both
    entries are in it by then), and every flush is done before the run saves the row that names them."""
    import evidence.pipeline
    import evidence.storage

    events = []
    real_fsync, real_save = evidence.storage._fsync, evidence.pipeline._save

    def fsync(path, *, folder=False):
        real_fsync(path, folder=folder)
        events.append(("flushed", "folder" if folder else path.rsplit("/", 1)[-1]))

    def save(item):
        events.append(("row saved", item.status))
        real_save(item)

    item = attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg")
    monkeypatch.setattr(evidence.storage, "_fsync", fsync)
    monkeypatch.setattr(evidence.pipeline, "_save", save)
    item = process(item)
    assert item.status == Evidence.Status.READY, item.status_reason
    assert sorted(events[:3]) == [("flushed", "folder"), ("flushed", "thumb.jpg"), ("flushed", "view.jpg")]
    assert events[3:] == [("row saved", "ready")]


def test_a_file_saved_alone_is_flushed_with_its_folder_before_save_returns(db, settings, monkeypatch):
    import evidence.storage

    events = []
    real_fsync = evidence.storage._fsync

    def fsync(path, *, folder=False):
        real_fsync(path, folder=folder)
        events.append(path.rsplit("/", 1)[-1] if not folder else "folder")

    monkeypatch.setattr(evidence.storage, "_fsync", fsync)
    name = evidence_storage.save("derived/x/one.jpg", ContentFile(b"\xff\xd8\xff"))
    assert events == ["one.jpg", "folder"]
    assert (Path(settings.MEDIA_ROOT) / name).read_bytes() == b"\xff\xd8\xff"


@pytest.mark.parametrize("failing", ["file", "folder"])
def test_a_copy_that_cannot_be_flushed_is_a_transient_failure(db, monkeypatch, failing):
    import errno

    import evidence.storage

    real_fsync = evidence.storage._fsync

    def fsync(path, *, folder=False):
        if folder == (failing == "folder"):
            raise OSError(errno.EIO, "I/O error", path)
        real_fsync(path, folder=folder)

    item = attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg")
    monkeypatch.setattr(evidence.storage, "_fsync", fsync)
    item = process(item)
    assert item.status == Evidence.Status.FAILED
    assert item.status_reason.startswith("Storage or database unavailable") and "derive" in item.status_reason
    assert item.steps["derive"]["ok"] is False and not item.quarantined
