"""End to end with a real Celery worker process, real Redis and PostgreSQL."""

import hashlib
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import Evidence
from tests.factories import jpeg_bytes, valid_api_data

pytestmark = pytest.mark.worker


def wait_for(predicate, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def test_api_submission_is_processed_by_a_real_worker(client, celery_worker_process, settings):
    """GIVEN a running worker
    WHEN a report with two photos and a link is filed through the API
    THEN the worker processes every item, recording each original's SHA-256,
    AND the tracking API shows every item processed."""
    photos = [jpeg_bytes(800, 600, (i * 40, 10, 10)) for i in range(2)]
    files = [SimpleUploadedFile(f"IMG_{i}.jpg", c, "image/jpeg") for i, c in enumerate(photos)]
    created = client.post(reverse("api:report_create"), valid_api_data(files=files))
    assert created.status_code == 201, created.content
    body = created.json()

    def all_ready():
        return Evidence.objects.filter(status="ready").count() == 3

    assert wait_for(all_ready), celery_worker_process.log_path.read_text()[-3000:]
    by_name = {e.original_name: e for e in Evidence.objects.exclude(kind="link")}
    for i, content in enumerate(photos):
        item = by_name[f"IMG_{i}.jpg"]
        assert item.sha256 == hashlib.sha256(content).hexdigest()
        assert hashlib.sha256((settings.MEDIA_ROOT / item.file.name).read_bytes()).hexdigest() == item.sha256

    tracked = client.post(
        reverse("api:report_track"),
        {"tracking_code": body["tracking_code"], "pin": body["pin"]},
        content_type="application/json",
    ).json()
    assert [e["status"] for e in tracked["evidence"]] == ["ready", "ready", "ready"]
