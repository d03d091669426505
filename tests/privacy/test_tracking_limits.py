"""Tracking limits follow the code as well as the address; X-Forwarded-For only from configured proxies."""

import datetime as dt
import re
import subprocess
import sys
import time

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from complaints.services.tracking import client_address
from tests.conftest import ROOT
from tests.factories import ReportFactory

PAGE = reverse("complaints:track")
API = reverse("api:report_track")


def _page(client, code, pin, n):
    # A new address and a new X-Forwarded-For on every try, as a guesser behind many addresses would.
    return client.post(
        PAGE,
        {"tracking_code": code, "pin": pin},
        REMOTE_ADDR=f"198.51.100.{n}",
        HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
    )


def _api(client, code, pin, n):
    return client.post(
        API,
        {"tracking_code": code, "pin": pin},
        content_type="application/json",
        REMOTE_ADDR=f"198.51.100.{n}",
        HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
    )


def _expected_times(seconds: int) -> set[str]:
    # The minute the lock ends, as the page shows it (WIB); either side of a minute boundary.
    now = timezone.localtime()
    return {(now + dt.timedelta(seconds=seconds + d)).strftime("%H:%M") for d in (-2, 0, 2)}


def test_a_guesser_who_changes_address_is_stopped_at_ten_on_the_page(client, db, settings):
    settings.POSKO_PROXY_ADDRESSES = ()
    report = ReportFactory()
    for n in range(10):
        assert _page(client, report.tracking_code, f"{n:06d}", n).status_code == 400
    # The 11th try, with the right PIN and from an address never seen, is refused all the same.
    response = _page(client, report.tracking_code, "123456", 99)
    assert response.status_code == 429
    # Indonesian first: "Coba lagi setelah pukul HH:MM".
    shown = re.search(r"Coba lagi setelah pukul (\d\d:\d\d)", response.content.decode())
    assert shown and shown.group(1) in _expected_times(settings.POSKO_TRACK_CODE_LOCK_SECONDS)
    assert 880 <= int(response["Retry-After"]) <= 901
    # Other reports are not affected.
    other = ReportFactory()
    assert _page(client, other.tracking_code, "123456", 100).status_code == 200


def test_a_guesser_who_changes_address_is_stopped_at_ten_on_the_api(client, db, settings):
    settings.POSKO_PROXY_ADDRESSES = ()
    report = ReportFactory()
    for n in range(10):
        assert _api(client, report.tracking_code, f"{n:06d}", n).status_code == 404
    response = _api(client, report.tracking_code, "123456", 99)
    assert response.status_code == 429 and "Retry-After" in response
    body = response.json()
    assert re.search(r"Coba lagi setelah pukul \d\d:\d\d", body["detail"]) and body["retry_after"]
    english = client.post(
        API,
        {"tracking_code": report.tracking_code, "pin": "123456"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        REMOTE_ADDR="198.51.100.98",
    )
    assert english.status_code == 429 and "Try again after" in english.json()["detail"]


def test_nine_wrong_pins_do_not_lock_the_code(client, db):
    report = ReportFactory()
    for n in range(9):
        _api(client, report.tracking_code, f"{n:06d}", n)
    assert _api(client, report.tracking_code, "123456", 50).status_code == 200


def test_the_lock_ends_after_its_time_and_the_right_pin_works_again(client, db, settings):
    settings.POSKO_TRACK_CODE_LOCK_SECONDS = 3
    report = ReportFactory()
    for n in range(10):
        _api(client, report.tracking_code, f"{n:06d}", n)
    assert _api(client, report.tracking_code, "123456", 60).status_code == 429
    # The cache expires the lock after its time (polled, not timed: the machine may be slow).
    deadline, status = time.monotonic() + 20, 429
    while status == 429 and time.monotonic() < deadline:
        time.sleep(0.5)
        status = _api(client, report.tracking_code, "123456", 61).status_code
    assert status == 200


def test_the_per_address_limit_stays(client, db, settings):
    reports = [ReportFactory() for _ in range(settings.POSKO_TRACK_MAX_FAILURES + 1)]
    for report in reports[:-1]:  # one wrong PIN on each of several codes, from one address
        assert _api(client, report.tracking_code, "000000", 7).status_code == 404
    assert _api(client, reports[-1].tracking_code, "123456", 7).status_code == 429


def test_x_forwarded_for_is_ignored_from_a_client_that_is_not_a_proxy(settings):
    settings.POSKO_PROXY_ADDRESSES = (__import__("ipaddress").ip_network("10.0.0.0/24"),)
    rf = RequestFactory()
    direct = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(direct) == "198.51.100.7"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(proxied) == "203.0.113.9"  # the rightmost entry that is not a proxy
    chain = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.0.0.8")
    assert client_address(chain) == "203.0.113.9"
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9, not-an-ip")
    assert client_address(garbage) == "10.0.0.5"
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"


def test_a_client_reaching_the_app_directly_cannot_pick_its_address(client, db, settings):
    """GIVEN a trusted proxy at 10.0.0.1 WHEN a client that connects directly sends a new X-Forwarded-For on
    every wrong PIN (each for another code, so no code lock) THEN it is still limited as one address."""
    import ipaddress

    settings.POSKO_PROXY_ADDRESSES = (ipaddress.ip_network("10.0.0.1/32"),)
    reports = [ReportFactory() for _ in range(settings.POSKO_TRACK_MAX_FAILURES + 1)]
    for n, report in enumerate(reports[:-1]):
        response = client.post(
            API,
            {"tracking_code": report.tracking_code, "pin": "000000"},
            content_type="application/json",
            REMOTE_ADDR="198.51.100.200",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        assert response.status_code == 404
    blocked = client.post(
        API,
        {"tracking_code": reports[-1].tracking_code, "pin": "123456"},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.200",
        HTTP_X_FORWARDED_FOR="203.0.113.250",
    )
    assert blocked.status_code == 429
    # Through the proxy, the forwarded address is the client: another client there is not blocked.
    via_proxy = client.post(
        API,
        {"tracking_code": reports[-1].tracking_code, "pin": "123456"},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.251",
    )
    assert via_proxy.status_code == 200


def _start(env: dict) -> subprocess.CompletedProcess:
    import os

    full = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_old_hop_count_setting_refuses_to_start_and_names_the_new_one():
    result = _start({"POSKO_TRUSTED_PROXIES": "1"})
    assert result.returncode != 0
    assert "POSKO_PROXY_ADDRESSES" in result.stderr and "ImproperlyConfigured" in result.stderr
    assert _start({"POSKO_TRUSTED_PROXIES": "0"}).returncode == 0


def test_a_bad_proxy_address_refuses_to_start():
    result = _start({"POSKO_PROXY_ADDRESSES": "10.0.0.1,proxy.example"})
    assert result.returncode != 0 and "'proxy.example'" in result.stderr
