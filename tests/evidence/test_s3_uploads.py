"""How files go up to S3-compatible storage (evidence.storage.EvidenceS3Storage): a report's photo in one
PutObject from the request's own thread, large files and unseekable streams through the bounded multipart
transfer (issue 11: intake throughput on S3, bench/intake.py)."""

import io
import threading

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import reverse
from storages.backends.s3 import S3Storage

from evidence.models import Evidence
from evidence.storage import evidence_storage
from tests.factories import jpeg_bytes, valid_api_data


@pytest.fixture
def bucket(settings):
    from tests.storage import s3_bucket_new, s3_settings_for

    store = s3_bucket_new()
    settings.STORAGES = {**settings.STORAGES, "evidence": s3_settings_for(store)}
    yield store
    store.remove_bucket()


@pytest.fixture
def transfers(monkeypatch):
    """The names sent through django-storages' own upload (boto3's transfer manager)."""
    sent = []
    original = S3Storage._save

    def spy(self, name, content):
        sent.append(name)
        return original(self, name, content)

    monkeypatch.setattr(S3Storage, "_save", spy)
    return sent


def test_a_reports_photo_goes_up_in_one_put_without_the_transfer_manager(client, db, bucket, transfers):
    content = jpeg_bytes(640, 480)
    threads_before = threading.active_count()
    data = valid_api_data(files=[SimpleUploadedFile("IMG_0001.JPG", content, "image/jpeg")])
    response = client.post(reverse("api:report_create"), data)
    assert response.status_code == 201, response.content
    item = Evidence.objects.get(kind="photo")
    assert bucket.read(item.file.name) == content
    head = bucket.client.head_object(Bucket=bucket.bucket, Key=item.file.name)
    assert head["ContentType"] == "image/jpeg" and head["ContentLength"] == len(content)
    assert transfers == [] and threading.active_count() == threads_before


def test_a_report_with_a_photo_asks_the_store_for_one_put_and_nothing_else(client, db, bucket):
    """No HEAD or listing to find a free name (names are ids, overwritten in place), no second request for the
    type: on S3 a report's photo costs intake exactly one PutObject (bench/intake.py)."""
    from collections import Counter

    from evidence.storage import _real

    calls: Counter = Counter()
    events = _real(evidence_storage).connection.meta.client.meta.events
    events.register("before-call.s3.*", lambda model, **kwargs: calls.update([model.name]))
    data = valid_api_data(files=[SimpleUploadedFile("IMG_0002.JPG", jpeg_bytes(320, 240), "image/jpeg")])
    assert client.post(reverse("api:report_create"), data).status_code == 201
    assert dict(calls) == {"PutObject": 1}


def test_an_upload_spooled_to_a_temporary_file_goes_up_whole(db, bucket, transfers):
    content = b"\x00\x01" * 600_000
    upload = TemporaryUploadedFile("clip.mp4", "video/mp4", len(content), None)
    upload.write(content)
    upload.flush()  # as Django's TemporaryFileUploadHandler leaves it
    upload.seek(700)  # wherever the reader left it, the whole file is stored
    name = evidence_storage.save("originals/spooled", upload)
    assert bucket.read(name) == content and transfers == []
    assert not upload.closed
    upload.close()


def test_an_unseekable_stream_and_a_file_past_the_threshold_keep_the_multipart_transfer(
    db, bucket, transfers, settings
):
    class Unseekable(io.BytesIO):
        def seekable(self):
            return False

    stream = File(Unseekable(b"archive bytes " * 1000), name="a.warc")
    stream.size = 14_000
    evidence_storage.save("archives/stream", stream)
    big = File(io.BytesIO(b"x" * (9 * 1024 * 1024)), name="big.mp4")
    evidence_storage.save("originals/big", big)
    assert transfers == ["archives/stream", "originals/big"]
    assert bucket.read("archives/stream") == b"archive bytes " * 1000
    assert len(bucket.read("originals/big")) == 9 * 1024 * 1024


def _checksum_headers(storage) -> list[dict]:
    """For each upload request the storage's client sends from here on, its checksum headers."""
    from evidence.storage import _real

    seen: list[dict] = []

    def record(request, **kwargs):
        if request.method == "PUT":
            headers = {k.lower(): v for k, v in request.headers.items()}
            seen.append({k: v for k, v in headers.items() if "checksum" in k or k == "content-encoding"})

    _real(storage).connection.meta.client.meta.events.register("before-send.s3", record)
    return seen


def test_uploads_carry_a_crc32_by_default(db, bucket):
    sent = _checksum_headers(evidence_storage)
    evidence_storage.save("originals/small", SimpleUploadedFile("a.jpg", b"photo bytes", "image/jpeg"))
    assert len(sent) == 1 and "x-amz-checksum-crc32" in sent[0], sent


def test_with_checksums_when_required_nothing_is_added_and_files_arrive_whole(db, settings, monkeypatch):
    """GIVEN POSKO_S3_CHECKSUMS=when_required (for a store that does not know botocore's checksums)
    WHEN a small file (one PutObject) and a file past the multipart threshold are stored
    THEN no request carries a checksum header or an aws-chunked body, and both read back byte for byte."""
    import posko.settings
    from tests.storage import s3_bucket_new, s3_settings_for

    monkeypatch.setattr(posko.settings, "POSKO_S3_CHECKSUMS", "when_required")
    store = s3_bucket_new()
    settings.STORAGES = {**settings.STORAGES, "evidence": s3_settings_for(store)}
    try:
        sent = _checksum_headers(evidence_storage)
        small = b"photo bytes" * 100
        evidence_storage.save("originals/small", SimpleUploadedFile("a.jpg", small, "image/jpeg"))
        big = bytes(range(256)) * (9 * 4096)  # 9 MiB: a multipart upload in two parts
        evidence_storage.save("originals/big", File(io.BytesIO(big), name="big.mp4"))
        assert len(sent) >= 3 and not any(sent), sent  # the PutObject and the parts
        assert store.read("originals/small") == small and store.read("originals/big") == big
    finally:
        store.remove_bucket()


def test_an_unknown_checksums_setting_refuses_to_start():
    import os
    import subprocess
    import sys

    from tests.ops.envnames import ROOT

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "POSKO_S3_CHECKSUMS": "always"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "POSKO_S3_CHECKSUMS" in result.stderr
