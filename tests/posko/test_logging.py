"""Logs as JSON lines: the request id goes from the web request into the task it starts, and a reporter's
identity is on no line, even with SQL query logging on (the values a report is inserted with)."""

import json
import time

import requests

from evidence.models import Evidence
from tests import samples
from tests.conftest import Worker, queues_purge
from tests.factories import valid_api_data
from tests.posko.conftest import Gunicorn, wait_for

IDENTITY = {
    "reporter_name": "Kartika Wulandari",
    "reporter_address": "Jl. Panglima Sudirman 77, Mangunharjo",
    "reporter_phone": "0813 5555 0199",
    "reporter_email": "kartika.w@example.org",
    "reporter_nik": "3574014107900003",
}


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            lines.append(record)
    return lines


def test_a_reports_request_id_reaches_its_tasks_and_no_identity_reaches_the_logs(
    ref_data, settings, tmp_path
):
    """GIVEN gunicorn and a worker logging JSON at DEBUG, SQL query logging on (POSKO_DEBUG=1), behind a
    trusted proxy that sends X-Request-ID
    WHEN a reporter files a report with a photo
    THEN the worker's line about the photo carries the request's id, and neither log holds the reporter's
    name, NIK, phone, e-mail or address."""
    logging_env = {"POSKO_LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    queues_purge()
    worker = Worker(settings.MEDIA_ROOT, tmp_path / "worker.log", env=logging_env).start()
    server = Gunicorn(
        tmp_path / "web.log",
        {**logging_env, "POSKO_DEBUG": "1", "POSKO_LOG_SQL": "1", "POSKO_PROXY_ADDRESSES": "127.0.0.1"},
    ).start()
    request_id = "req-posko-test-0001"
    try:
        photo = samples.jpeg_with_exif()
        data = valid_api_data(links=[], **IDENTITY)
        data.pop("files", None)
        response = requests.post(
            f"{server.url}/api/v1/reports/",
            data=data,
            files=[("files", ("bukti.jpg", photo, "image/jpeg"))],
            headers={"X-Request-ID": request_id, "X-Forwarded-For": "198.51.100.7"},
            timeout=60,
        )
        assert response.status_code == 201, response.text
        assert response.headers["X-Request-ID"] == request_id
        assert wait_for(lambda: Evidence.objects.filter(status="ready").count() == 1, 90), (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
        time.sleep(0.5)  # let the worker flush its last lines
    finally:
        server.stop()
        worker.stop()
    web_log, worker_log = (tmp_path / "web.log").read_text(), (tmp_path / "worker.log").read_text()
    web, work = json_lines(web_log), json_lines(worker_log)
    # The logs are JSON lines with the fields a collector indexes.
    assert (
        web
        and work
        and all({"time", "level", "logger", "message", "request_id"} <= set(r) for r in web + work)
    )
    # SQL was logged (so identity had every chance to leak) and the request's lines carry its id.
    inserts = [r for r in web if r["logger"] == "django.db.backends" and "complaints_report" in r["message"]]
    assert inserts and all(r["request_id"] == request_id for r in inserts)
    # The task started by that request logs under the same id.
    done = [r for r in work if r["logger"] == "evidence.pipeline" and " ready" in r["message"]]
    assert (
        len(done) == 1
        and done[0]["request_id"] == request_id
        and done[0]["task"].startswith("evidence.process[")
    )
    for value in IDENTITY.values():
        for text in (web_log, worker_log):
            assert value not in text
            assert value.replace(" ", "") not in text
