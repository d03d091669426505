"""No log line carries a reporter's identity, error reports hide it, and no client address is stored with a
report (issue 9)."""

import ipaddress
import logging

import pytest
from django.db import connection
from django.urls import reverse
from django.views.debug import ExceptionReporter

from complaints.models import Report
from complaints.services import intake, workflow
from tests.complaints.report_flow import fill_all, send
from tests.factories import staff, valid_api_data, valid_form_data
from tests.privacy.conftest import IDENTITY, database_text, file_by_api, file_by_form, identity_values

CLIENT_IP, FORWARDED_IP, PROXY_IP = "192.0.2.123", "198.51.100.234", "10.20.30.40"
OTHER = {**IDENTITY, "reporter_name": "Bambang Sutrisno Wijoyo", "reporter_email": "bambang.w@example.net"}


@pytest.fixture
def sql_logged():
    """Every SQL statement and its parameters logged at DEBUG, as with DEBUG=True and LOG_LEVEL=DEBUG."""
    connection.force_debug_cursor = True
    yield
    connection.force_debug_cursor = False


def test_filing_tracking_and_writing_to_the_reporter_log_no_identity_at_debug_level(
    client, db, caplog, sql_logged, django_capture_on_commit_callbacks
):
    # Everything at DEBUG: the root logger and the loggers Django and Celery configure with levels of their own.
    for name in (
        "",
        "django",
        "django.db.backends",
        "django.request",
        "celery",
        "complaints",
        "evidence",
        "posko",
    ):
        caplog.set_level(logging.DEBUG, logger=name)
    with django_capture_on_commit_callbacks(execute=True):
        created = file_by_api(client)
        code = file_by_form(client, OTHER)
        client.post(
            reverse("api:report_track"),
            {"tracking_code": created["tracking_code"], "pin": created["pin"]},
            content_type="application/json",
        )
        client.post(reverse("complaints:track"), {"tracking_code": code, "pin": "000000"})
        report = Report.objects.get(tracking_code=created["tracking_code"])
        workflow.message_send(
            report=report, user=staff("volunteer", "relawan"), body="Mohon kirim foto asli."
        )
    from django.core import mail

    assert mail.outbox and mail.outbox[0].to == [IDENTITY["reporter_email"]]  # the e-mail did go out
    logged = caplog.text + "\n".join(repr(r.args) for r in caplog.records)
    assert 'INSERT INTO "complaints_report"' in logged  # not vacuous: the queries were logged
    for value in {*identity_values(), *identity_values(OTHER), "0812 3456 7890"}:
        assert value not in logged


def test_no_report_row_or_event_stores_the_clients_address(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.POSKO_PROXY_ADDRESSES = (ipaddress.ip_network(PROXY_IP),)
    with django_capture_on_commit_callbacks(execute=True):
        created = file_by_api(client, REMOTE_ADDR=PROXY_IP, HTTP_X_FORWARDED_FOR=FORWARDED_IP)
        file_by_form(client, OTHER, REMOTE_ADDR=CLIENT_IP, HTTP_X_FORWARDED_FOR="203.0.113.5")
        client.post(
            reverse("api:report_track"),
            {"tracking_code": created["tracking_code"], "pin": created["pin"]},
            content_type="application/json",
            REMOTE_ADDR=CLIENT_IP,
        )
    dump = database_text()
    assert created["tracking_code"] in dump
    for address in (CLIENT_IP, FORWARDED_IP, PROXY_IP, "203.0.113.5"):
        assert address not in dump


def _error_report_text(caplog) -> str:
    record = [r for r in caplog.records if r.name == "django.request" and r.exc_info][-1]
    # What Django's AdminEmailHandler sends for a 500: the traceback with frame variables and the request.
    return ExceptionReporter(record.request, *record.exc_info).get_traceback_text()


@pytest.fixture
def failing_intake(monkeypatch):
    """A failure deep inside filing (after validation, inside the transaction)."""

    def fail():
        raise RuntimeError("tracking-code generator failed")

    monkeypatch.setattr(intake, "_tracking_code_new", fail)


@pytest.mark.parametrize("door", ["form", "api"])
def test_an_error_while_filing_reports_no_identity(client, db, caplog, failing_intake, door):
    client.raise_request_exception = False
    caplog.set_level(logging.ERROR, logger="django.request")
    if door == "form":  # the steps are saved as a draft; the failure comes when the report is sent
        fill_all(client, valid_form_data(**IDENTITY))
        response = send(client)
    else:
        response = client.post(reverse("api:report_create"), valid_api_data(**IDENTITY))
    assert response.status_code == 500
    text = _error_report_text(caplog)
    assert "tracking-code generator failed" in text and "********" in text  # the report was written, cleansed
    for value in identity_values():
        assert value not in text
    assert "Camat berfoto bersama" not in text  # nor anything else the reporter typed


def test_an_error_while_tracking_reports_no_pin(client, db, caplog, monkeypatch):
    from complaints import selectors
    from tests.factories import ReportFactory

    report = ReportFactory()
    monkeypatch.setattr(selectors, "report_for_tracking", lambda pk: 1 / 0)
    client.raise_request_exception = False
    caplog.set_level(logging.ERROR, logger="django.request")
    response = client.post(
        reverse("complaints:track"), {"tracking_code": report.tracking_code, "pin": "123456"}
    )
    assert response.status_code == 500
    text = _error_report_text(caplog)
    assert "ZeroDivisionError" in text and "123456" not in text
