"""How many reports one client address may file (issue 9 item 4): POSKO_REPORT_LIMIT within
POSKO_REPORT_LIMIT_WINDOW_SECONDS, through the web form and the API together. The count lives in the cache
(Redis), as the tracking throttle's does, and the address is read the same way (tracking.client_address:
X-Forwarded-For only from POSKO_PROXY_ADDRESSES)."""

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from complaints.services.tracking import RetryLater

log = logging.getLogger(__name__)


class SubmissionLimited(RetryLater):
    """This address filed its POSKO_REPORT_LIMIT reports in the window; it may file again at `until`."""

    window_setting = "POSKO_REPORT_LIMIT_WINDOW_SECONDS"

    @property
    def message(self) -> str:
        """What the refused reporter reads (in their language): nothing is lost, and when to send again."""
        if self.until is None:
            return _(
                "Too many reports were sent from this connection. Your report is kept: please send it again "
                "in a while."
            )
        return _(
            "Too many reports were sent from this connection. Your report is kept: please send it again "
            "after %(time)s."
        ) % {"time": formats.time_format(timezone.localtime(self.until), "H:i")}


def _key(client: str) -> str:
    # Hashed so the cache never lists reporters' addresses.
    return f"posko:report-limit:{hashlib.sha256(client.encode()).hexdigest()[:32]}"


# One round trip to Redis instead of three (add, then exists and incr): count, and on the window's first report
# set its expiry and remember when it ends, atomically (a script runs whole), so a counter can never be left
# without an expiry. The end is kept as whole seconds: Django's Redis cache stores an int as it is, readable
# by cache.get.
_TAKE_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
end
return count
"""


def _take_redis(key: str, window: int) -> int | None:
    """The count after taking a slot, through the script when the cache is Django's Redis cache; None when it
    is another backend (tests' and development's local memory)."""
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]  # `cache` is a proxy to it
    if not isinstance(backend, RedisCache):
        return None
    count_key = backend.make_and_validate_key(key)
    until_key = backend.make_and_validate_key(f"{key}:until")
    client = backend._cache.get_client(count_key, write=True)
    until = int(timezone.now().timestamp()) + window
    return int(client.eval(_TAKE_SCRIPT, 2, count_key, until_key, window, until))


def _take_generic(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        cache.set(f"{key}:until", int(timezone.now().timestamp()) + window, window)
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=window)
        return 1


def submission_slot_take(*, client: str) -> None:
    """Count one report about to be filed from `client`, or raise SubmissionLimited when the address already
    filed its POSKO_REPORT_LIMIT in the window (a fixed window from its first report). Taken before filing and
    in one atomic increment, so parallel requests cannot slip past the limit together.

    A cache that is down counts nothing and refuses nobody (fail open, logged): a reporter must never lose a
    report because Redis is down."""
    key = _key(client)
    window = settings.POSKO_REPORT_LIMIT_WINDOW_SECONDS
    try:
        count = _take_redis(key, window)
        if count is None:
            count = _take_generic(key, window)
        if count > settings.POSKO_REPORT_LIMIT:
            stamp = cache.get(f"{key}:until")
            raise SubmissionLimited(dt.datetime.fromtimestamp(stamp, tz=dt.UTC) if stamp else None)
    except SubmissionLimited:
        raise
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        log.warning("report limit unavailable (cache down); failing open", exc_info=True)
