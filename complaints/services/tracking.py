"""Tracking a report by code and PIN, with failed attempts throttled per client address."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from complaints import selectors
from complaints.models import Report
from complaints.services import codes

log = logging.getLogger(__name__)


class TrackingThrottled(Exception):
    """Too many failed attempts from this client; try again later."""


@dataclass(frozen=True)
class TrackResult:
    report: Report | None


def _key(client: str) -> str:
    return f"posko:track-fail:{client}"


def report_track(*, tracking_code: str, pin: str, client: str) -> TrackResult:
    """The report for a code and PIN, or a result with no report. One answer for a wrong code and a wrong PIN,
    so neither can be probed alone; after POSKO_TRACK_MAX_FAILURES failures in the window the client is
    refused until the window passes, even with the right PIN."""
    key = _key(client)
    failures = _failures(key)
    if failures >= settings.POSKO_TRACK_MAX_FAILURES:
        raise TrackingThrottled
    code = codes.tracking_code_normalize(tracking_code)
    candidate = (
        Report.objects.filter(tracking_code=code).only("id", "pin_hash", "pin_salt").first() if code else None
    )
    if candidate is not None and codes.pin_matches(pin, candidate.pin_salt, candidate.pin_hash):
        return TrackResult(report=selectors.report_for_tracking(candidate.pk))
    _failure_count(key)
    return TrackResult(report=None)


# The throttle lives in the cache (Redis). A reporter following their report must not get an error because
# Redis is down: the throttle fails open (reading counts nothing, counting is skipped), and says so in the log.
def _failures(key: str) -> int:
    try:
        return cache.get(key, 0) or 0
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        log.warning("tracking throttle unavailable (cache down); failing open", exc_info=True)
        return 0


def _failure_count(key: str) -> None:
    try:
        if not cache.add(key, 1, timeout=settings.POSKO_TRACK_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=settings.POSKO_TRACK_WINDOW_SECONDS)
    except Exception:  # noqa: BLE001 - any cache failure: the attempt goes uncounted
        log.warning("tracking throttle unavailable (cache down); attempt not counted", exc_info=True)


def client_address(request) -> str:
    """The client's address, trusting POSKO_TRUSTED_PROXIES entries of X-Forwarded-For from the right."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.POSKO_TRUSTED_PROXIES
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return remote
