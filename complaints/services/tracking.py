"""Tracking a report by code and PIN, with failed attempts throttled per client address and per tracking code."""

import contextlib
import datetime as dt
import hashlib
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from complaints import selectors
from complaints.models import Report
from complaints.services import codes

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """A door refused for a while (a throttle or a limit): try again at `until`, or after the whole window
    (the setting named by `window_setting`) when the cache could not say when."""

    window_setting = ""

    def __init__(self, until: dt.datetime | None = None):
        super().__init__(until)
        self.until = until

    @property
    def retry_after(self) -> int:
        """Seconds until `until`, for the Retry-After header (at least 1)."""
        if self.until is None:
            return getattr(settings, self.window_setting)
        return max(1, int((self.until - timezone.now()).total_seconds()) + 1)


class TrackingThrottled(RetryLater):
    """Too many failed attempts from this client, or for this tracking code; try again at `until`."""

    window_setting = "POSKO_TRACK_WINDOW_SECONDS"


def throttled_message(until: dt.datetime | None) -> str:
    """What a refused reporter reads: when to try again (HH:MM, local time), or a plain wait."""
    if until is None:
        return _("Too many wrong attempts. Please wait a few minutes and try again.")
    local = timezone.localtime(until)
    return _(
        "Too many wrong attempts for this tracking code or from this connection. Try again after %(time)s."
    ) % {"time": formats.time_format(local, "H:i")}


@dataclass(frozen=True)
class TrackResult:
    report: Report | None


def _key(client: str) -> str:
    return f"posko:track-fail:{client}"


def _code_key(code: str) -> str:
    # The code is hashed so the cache never lists live tracking codes.
    return f"posko:track-code:{hashlib.sha256(code.encode()).hexdigest()[:32]}"


# One round trip to Redis instead of three (add, then exists and incr): count, and on the window's first hit
# set its expiry and remember when it ends, atomically (a script runs whole), so a counter can never be left
# without an expiry. The end is kept as whole seconds: Django's Redis cache stores an int as it is, readable
# by cache.get.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
end
return count
"""


def _count_redis(key: str, window: int) -> int | None:
    """The count after this hit, through the script when the cache is Django's Redis cache; None when it is
    another backend (tests' and development's local memory)."""
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]  # `cache` is a proxy to it
    if not isinstance(backend, RedisCache):
        return None
    count_key = backend.make_and_validate_key(key)
    until_key = backend.make_and_validate_key(f"{key}:until")
    client = backend._cache.get_client(count_key, write=True)
    until = int(timezone.now().timestamp()) + window
    return int(client.eval(_COUNT_SCRIPT, 2, count_key, until_key, window, until))


def window_count(key: str, window: int) -> int:
    """Count one hit in a fixed window that starts at the first hit; returns the count. The window's end is
    kept beside the count (window_until), to tell people when they may try again."""
    count = _count_redis(key, window)
    if count is not None:
        return count
    if cache.add(key, 1, timeout=window):
        cache.set(f"{key}:until", int(timezone.now().timestamp()) + window, timeout=window)
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=window)
        return 1


def window_until(key: str) -> dt.datetime | None:
    """When the window of `key` (window_count) ends, if known."""
    stamp = cache.get(f"{key}:until")
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC) if stamp else None


def _code_locked_until(code: str) -> dt.datetime | None:
    try:
        return window_until(f"{_code_key(code)}:lock") if cache.get(f"{_code_key(code)}:lock") else None
    except Exception:  # noqa: BLE001 - any cache failure: fail open, as _failures does
        log.warning("tracking throttle unavailable (cache down); failing open", exc_info=True)
        return None


def _code_failure(code: str) -> None:
    """After POSKO_TRACK_CODE_MAX_FAILURES wrong PINs for one code within POSKO_TRACK_CODE_WINDOW_SECONDS, the
    code is locked for POSKO_TRACK_CODE_LOCK_SECONDS, from every address: a guesser who changes address
    after each try is stopped all the same."""
    failures = window_count(_code_key(code), settings.POSKO_TRACK_CODE_WINDOW_SECONDS)
    if failures >= settings.POSKO_TRACK_CODE_MAX_FAILURES:
        lock = f"{_code_key(code)}:lock"
        seconds = settings.POSKO_TRACK_CODE_LOCK_SECONDS
        cache.set(lock, 1, timeout=seconds)
        cache.set(
            f"{lock}:until", (timezone.now() + dt.timedelta(seconds=seconds)).timestamp(), timeout=seconds
        )


@sensitive_variables("pin")
def report_track(*, tracking_code: str, pin: str, client: str) -> TrackResult:
    """The report for a code and PIN, or a result with no report. One answer for a wrong code and a wrong PIN,
    so neither can be probed alone. After POSKO_TRACK_MAX_FAILURES failures in the window the client is
    refused until the window passes, and after POSKO_TRACK_CODE_MAX_FAILURES the code itself is locked for
    everyone, even with the right PIN (TrackingThrottled says until when)."""
    key = _key(client)
    failures = _failures(key)
    if failures >= settings.POSKO_TRACK_MAX_FAILURES:
        raise TrackingThrottled(window_until(key))
    code = codes.tracking_code_normalize(tracking_code)
    if code and (locked_until := _code_locked_until(code)) is not None:
        raise TrackingThrottled(locked_until)
    candidate = (
        Report.objects.filter(tracking_code=code).only("id", "pin_hash", "pin_salt", "pin_key").first()
        if code
        else None
    )
    if candidate is not None and codes.pin_matches(
        pin, candidate.pin_salt, candidate.pin_hash, candidate.pin_key
    ):
        with contextlib.suppress(Exception):  # a cache that is down has no count to reset
            cache.delete(_code_key(code))
        _pin_upgrade(candidate, pin)
        return TrackResult(report=selectors.report_for_tracking(candidate.pk))
    _record_failure(key, code)
    return TrackResult(report=None)


# The throttle lives in the cache (Redis). A reporter following their report must not get an error because
# Redis is down: the throttle fails open (reading counts nothing, counting is skipped), and says so in the log.
def _failures(key: str) -> int:
    try:
        return cache.get(key, 0) or 0
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        log.warning("tracking throttle unavailable (cache down); failing open", exc_info=True)
        return 0


def _record_failure(key: str, code: str) -> None:
    try:
        window_count(key, settings.POSKO_TRACK_WINDOW_SECONDS)
        if code:
            _code_failure(code)
    except Exception:  # noqa: BLE001 - any cache failure: the attempt goes uncounted
        log.warning("tracking throttle unavailable (cache down); attempt not counted", exc_info=True)


@sensitive_variables("pin")
def _pin_upgrade(report: Report, pin: str) -> None:
    """A PIN proved under an older key (or SECRET_KEY, before the PIN keys existed) is hashed again under the
    newest key, so the old key can be retired. Conditional on the hash not having changed meanwhile."""
    if not codes.pin_needs_upgrade(report.pin_key):
        return
    Report.objects.filter(pk=report.pk, pin_hash=report.pin_hash).update(
        pin_key=codes.pin_key_current(), pin_hash=codes.pin_hash(pin.strip(), report.pin_salt)
    )


def client_address(request) -> str:
    """The client's address. X-Forwarded-For is believed only when the connection itself comes from one of
    POSKO_PROXY_ADDRESSES; then the header is read from the right, skipping the configured proxies, and the
    first address that is not one of them is the client (anything to its left was written by the client and
    proves nothing). Counting hops instead would let a client that reaches the app directly pick its address."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not from_proxy(request):
        return remote
    proxies = settings.POSKO_PROXY_ADDRESSES
    client = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        try:
            address = ipaddress.ip_address(entry.strip())
        except ValueError:
            break  # not an address: nothing further left can be believed
        client = str(address)
        if not _is_proxy(client, proxies):
            break
    return client


def from_proxy(request) -> bool:
    """Whether the connection itself comes from one of POSKO_PROXY_ADDRESSES (so its forwarding headers, such
    as X-Forwarded-For and X-Request-ID, may be believed)."""
    proxies = settings.POSKO_PROXY_ADDRESSES
    return bool(proxies) and _is_proxy(request.META.get("REMOTE_ADDR", ""), proxies)


def _is_proxy(address: str, proxies) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)
