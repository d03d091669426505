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
