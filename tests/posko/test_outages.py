"""Outages of the parts the portal stands on, made real with private instances the tests stop: the API answers
503 JSON with Retry-After and pages a plain 503 page while the database is down; tracking works while Redis
is down; /healthz/ says 503 only when intake cannot work."""

import os
import subprocess

import pytest
import requests
from django.urls import reverse

from complaints.models import Report
from posko.celery import app as celery_app
from tests.factories import ReportFactory, valid_api_data
from tests.posko.conftest import Gunicorn, wait_for
from tests.storage import CREDENTIALS, S3Store, s3_bucket_new, s3_settings_for


def test_with_the_database_stopped_the_api_answers_503_json_and_pages_a_plain_503(private_postgres, tmp_path):
    """GIVEN the portal under gunicorn on a PostgreSQL of the test's own
    WHEN that PostgreSQL is stopped
    THEN filing a report through the API answers 503 JSON with Retry-After (not an HTML 500), the report page
    answers a plain 503 page with Retry-After, and /healthz/ answers 503 naming the database."""
    server = Gunicorn(
        tmp_path / "gunicorn.log",
        {"DATABASE_URL": private_postgres.url(), "MEDIA_ROOT": str(tmp_path / "media"), "POSKO_DEBUG": "0"},
    ).start()
    try:
        before = requests.get(f"{server.url}/healthz/", timeout=30)
        assert before.status_code == 200 and before.json()["database"]["ok"] is True, before.text

        private_postgres.stop()

        api = requests.post(f"{server.url}/api/v1/reports/", data=valid_api_data(links=[]), timeout=30)
        assert api.status_code == 503, api.text
        assert api.headers["Content-Type"] == "application/json"
        assert api.headers["Retry-After"] == "30"
        assert api.json()["code"] == "service_unavailable" and api.json()["detail"]

        english = requests.post(
            f"{server.url}/api/v1/reports/",
            data=valid_api_data(),
            headers={"Accept-Language": "en"},
            timeout=30,
        )
        assert english.status_code == 503 and "nothing was saved" in english.json()["detail"]

        # A page that reads the database (the first step of /lapor/ does not: it opens even now).
        page = requests.get(f"{server.url}/statistik/", timeout=30)
        assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
        assert page.headers["Retry-After"] == "30"
        assert "tidak tersedia" in page.text and "unavailable" in page.text

        health = requests.get(f"{server.url}/healthz/", timeout=30)
        assert health.status_code == 503
        assert health.json()["database"]["ok"] is False and health.json()["status"] == "error"
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Traceback" not in log.split("service unavailable")[0]  # no 500 before the outage was reported


@pytest.fixture
def redis_cache(settings, private_redis_server):
    """The cache (tracking throttle) on a Redis of the test's own."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis_server.url(),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return private_redis_server


def test_tracking_works_while_redis_is_down(client, db, redis_cache, caplog):
    """GIVEN a report and the tracking throttle's Redis
    WHEN Redis is stopped
    THEN the tracking page and the tracking API answer as usual (the right PIN shows the report, a wrong PIN
    gets the ordinary answer), and the log says the throttle failed open."""
    report = ReportFactory()
    # The throttle really uses this Redis while it is up: a wrong attempt is counted there.
    assert (
        client.post(
            reverse("complaints:track"), {"tracking_code": report.tracking_code, "pin": "000000"}
        ).status_code
        == 400
    )
    import redis

    assert redis.Redis.from_url(redis_cache.url()).keys("*track-fail*")
    redis_cache.stop()

    page = client.post(reverse("complaints:track"), {"tracking_code": report.tracking_code, "pin": "123456"})
    assert page.status_code == 200 and report.tracking_code in page.content.decode()
    wrong = client.post(reverse("complaints:track"), {"tracking_code": report.tracking_code, "pin": "999999"})
    assert wrong.status_code == 400
    api = client.post(
        reverse("api:report_track"),
        {"tracking_code": report.tracking_code, "pin": "123456"},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["tracking_code"] == report.tracking_code
    wrong_api = client.post(
        reverse("api:report_track"),
        {"tracking_code": report.tracking_code, "pin": "999999"},
        content_type="application/json",
    )
    assert wrong_api.status_code == 404
    assert "failing open" in caplog.text


# --- /healthz/ in each state ---------------------------------------------------------------------------------------


@pytest.mark.worker
def test_health_all_up(client, celery_worker_process):
    response = client.get("/healthz/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok" and body["warnings"] == []
    assert body["database"]["ok"] and body["broker"]["ok"] and body["workers"]["seen"]
    assert body["storage"]["ok"] and body["storage"]["backend"] == "local" and body["storage"]["free_mb"] > 0


@pytest.mark.worker
def test_health_with_redis_down_is_200_with_a_warning(client, db, private_redis_server, monkeypatch):
    """Intake still works with the broker down (reports are saved, the sweep queues their evidence later), so
    the answer is 200 with a warning, not 503."""
    monkeypatch.setenv("CELERY_BROKER_URL", private_redis_server.url())
    monkeypatch.setattr(celery_app.conf, "broker_url", private_redis_server.url())
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        up = client.get("/healthz/").json()
        assert up["broker"]["ok"] is True
        private_redis_server.stop()
        response = client.get("/healthz/")
        body = response.json()
        assert response.status_code == 200 and body["status"] == "warning"
        assert body["broker"]["ok"] is False and "broker unreachable" in body["warnings"][0]
        # And intake really works meanwhile: a report is accepted.
        created = client.post(reverse("api:report_create"), valid_api_data(links=[]))
        assert created.status_code == 201 and Report.objects.count() == 1
    finally:
        # Connections to the stopped Redis must not outlive the test (the next one uses the real broker).
        monkeypatch.undo()
        celery_app._pool = celery_app.amqp._producer_pool = None


def test_health_with_the_evidence_disk_full_is_503(client, db, settings, tiny_disk):
    settings.MEDIA_ROOT = tiny_disk
    settings.POSKO_HEALTH_MIN_FREE_MB = 1
    assert client.get("/healthz/").status_code == 200
    with open(tiny_disk / "filler", "wb") as fh, pytest.raises(OSError):
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["storage"] == {"ok": False, "backend": "local", "free_mb": 0, "min_free_mb": 1}


def test_health_with_the_bucket_unreachable_is_503(client, db, settings, tmp_path):
    """A private S3 server (moto) that the test stops: the bucket answers, then it does not."""
    from tests.conftest import _free_port

    port = _free_port()
    proc = subprocess.Popen(
        [os.path.join(os.path.dirname(os.sys.executable), "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        store = S3Store(f"http://127.0.0.1:{port}", "posko-health")
        assert wait_for(lambda: _answers(store), 30)
        store.client.create_bucket(Bucket=store.bucket)
        settings.STORAGES = {**settings.STORAGES, "evidence": s3_settings_for(store)}
        up = client.get("/healthz/")
        assert up.status_code == 200 and up.json()["storage"] == {
            "ok": True,
            "backend": "s3",
            "bucket": "posko-health",
        }
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    response = client.get("/healthz/")
    assert response.status_code == 503 and response.json()["storage"]["ok"] is False


def test_health_with_a_missing_bucket_is_503(client, db, settings):
    store = s3_bucket_new()
    store.remove_bucket()
    settings.STORAGES = {**settings.STORAGES, "evidence": s3_settings_for(store)}
    assert CREDENTIALS
    response = client.get("/healthz/")
    assert response.status_code == 503 and response.json()["storage"]["error"] == "ClientError"


def _answers(store: S3Store) -> bool:
    try:
        store.client.list_buckets()
    except Exception:
        return False
    return True
