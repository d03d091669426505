import pytest
from django.conf import settings as django_settings

from posko.celery import app


def test_health_in_process(client, db):
    body = client.get("/healthz/").json()
    assert body["status"] == "ok" and body["database"]["ok"]
    assert body["broker"]["mode"] == "in-process"


@pytest.mark.worker
def test_health_with_the_real_broker_and_a_worker(client, celery_worker_process):
    body = client.get("/healthz/").json()
    assert body["database"] == {"ok": True, "vendor": "postgresql"} and body["storage"]["ok"]
    assert body["broker"] == {"ok": True, "mode": "broker"}
    assert body["workers"]["ok"] and body["workers"]["seen"][0].startswith("test-")


@pytest.mark.worker
def test_health_reports_a_broker_that_is_down(client, db, monkeypatch):
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz/")
    # Intake still works without the broker (the sweep queues the evidence later): a warning, not a 503.
    assert response.status_code == 200 and response.json()["status"] == "warning"
    assert response.json()["broker"]["ok"] is False
    assert django_settings.CELERY_BROKER_URL.startswith(
        "redis:"
    )  # the real one stays for the rest of the suite
