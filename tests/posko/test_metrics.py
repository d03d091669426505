"""Metrics in the Prometheus text format: for the monitoring network only, and the figures move when work
happens. With several gunicorn workers, every scrape tells the same totals."""

import ipaddress
import time

import pytest
import requests
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from evidence.models import Evidence
from posko.celery import app as celery_app
from tests import samples
from tests.conftest import queues_purge
from tests.evidence.helpers import attach, process
from tests.factories import ReportFactory, staff
from tests.posko.conftest import Gunicorn


def scrape(client, **extra) -> dict:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return parse(response.content.decode())


def parse(text: str) -> dict:
    """{(sample name, frozenset(labels)): value}"""
    samples_ = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples_[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples_


def value(figures: dict, name: str, **labels) -> float:
    return figures.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "allowed", "status"),
    [
        ("127.0.0.1", None, 0, None, 200),  # the default: this host only
        ("203.0.113.5", None, 0, None, 404),
        ("10.9.8.7", None, 0, ["10.0.0.0/8"], 200),  # the monitoring network
        ("10.9.8.7", None, 0, ["10.0.0.0/16"], 404),
        # Through a reverse proxy on this host: the client behind it decides, not the proxy.
        ("127.0.0.1", "203.0.113.5", 1, None, 404),
        ("127.0.0.1", "10.9.8.7", 1, ["10.0.0.0/8"], 200),
    ],
)
def test_the_metrics_endpoint_answers_only_the_monitoring_network(
    client, db, settings, remote, forwarded, proxies, allowed, status
):
    settings.POSKO_PROXY_ADDRESSES = [ipaddress.ip_network("127.0.0.1/32")] if proxies else []
    if allowed:
        settings.POSKO_METRICS_ALLOWED = allowed
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.get("/metrics", **extra)
    assert response.status_code == status
    if status == 200:
        assert b"posko_evidence_items" in response.content
    else:
        assert b"posko_" not in response.content


def test_evidence_by_status_moves_when_an_item_is_processed(client, db):
    item = attach(ReportFactory(), samples.jpeg_with_exif(), "a.jpg", "image/jpeg")
    before = scrape(client)
    assert value(before, "posko_evidence_items", status="pending") == 1
    assert value(before, "posko_evidence_items", status="ready") == 0
    assert value(before, "posko_evidence_oldest_unfinished_age_seconds") >= 0
    process(item)
    after = scrape(client)
    assert value(after, "posko_evidence_items", status="pending") == 0
    assert value(after, "posko_evidence_items", status="ready") == 1
    assert value(after, "posko_evidence_oldest_unfinished_age_seconds") == 0


def test_a_failed_sign_in_and_requests_are_counted(client, db):
    staff("officer", "staf", ["35.74"])
    before = scrape(client)
    response = client.post(reverse("staff:login"), {"username": "officer", "password": "wrong-password"})
    assert response.status_code == 200  # the form again, with an error
    client.get("/healthz/")
    after = scrape(client)
    assert value(after, "posko_signin_failures_total") == value(before, "posko_signin_failures_total") + 1
    key = {"route": "healthz", "method": "GET", "status": "200"}
    assert (
        value(after, "posko_http_requests_total", **key)
        == value(before, "posko_http_requests_total", **key) + 1
    )
    assert value(after, "posko_http_request_duration_seconds_count", route="healthz", method="GET") >= 1


@pytest.mark.worker
def test_queue_length_and_the_age_of_the_oldest_task(client, db):
    """Tasks waiting in the heavy queue (no worker running) are counted, with the age of the oldest."""
    from evidence.tasks import evidence_process_task

    queues_purge()
    try:
        evidence_process_task.apply_async(args=["00000000-0000-0000-0000-000000000000"], queue="heavy")
        time.sleep(1.1)  # not a timing assertion: the oldest task must be at least a second old
        evidence_process_task.apply_async(args=["00000000-0000-0000-0000-000000000001"], queue="heavy")
        figures = scrape(client)
        assert value(figures, "posko_queue_length", queue="heavy") == 2
        assert value(figures, "posko_queue_length", queue="quick") == 0
        assert value(figures, "posko_queue_oldest_task_age_seconds", queue="heavy") >= 1
        assert value(figures, "posko_queue_oldest_task_age_seconds", queue="quick") == 0
        assert value(figures, "posko_metrics_source_up", source="broker") == 1
    finally:
        queues_purge()
    assert celery_app.conf.task_always_eager is False


def test_totals_are_right_across_several_gunicorn_workers(ref_data, tmp_path):
    """GIVEN gunicorn with two worker processes and prometheus-client's multiprocess folder
    WHEN 20 requests are answered by whichever worker takes them
    THEN every scrape, whichever worker answers it, counts all 20."""
    server = Gunicorn(
        tmp_path / "g.log",
        {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "MEDIA_ROOT": str(tmp_path / "media")},
        workers=2,
    ).start()
    try:
        session = requests.Session()
        for _ in range(20):
            assert session.get(f"{server.url}/api/v1/elections/", timeout=30).status_code == 200
        pids = set()
        for _ in range(6):
            response = requests.get(f"{server.url}/metrics", timeout=30)  # a new connection each time
            assert response.status_code == 200
            figures = parse(response.text)
            key = {"route": "api:elections", "method": "GET", "status": "200"}
            assert value(figures, "posko_http_requests_total", **key) == 20
            pids.add(response.headers.get("X-Request-ID"))
        assert len(list((tmp_path / "prom").glob("*.db"))) >= 2  # both workers wrote their counts
    finally:
        server.stop()
    assert Evidence.objects.count() == 0
