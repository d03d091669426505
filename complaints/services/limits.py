"""How many reports one client address may file (issue 9 item 4): POSKO_REPORT_LIMIT within
POSKO_REPORT_LIMIT_WINDOW_SECONDS, through the web form and the API together. The count lives in the cache
(Redis), as the tracking throttle's does, and the address is read the same way (tracking.client_address:
X-Forwarded-For only from POSKO_PROXY_ADDRESSES)."""

import hashlib
import logging

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from complaints.services.tracking import RetryLater, window_count, window_until

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


def submission_slot_take(*, client: str) -> None:
    """Count one report about to be filed from `client`, or raise SubmissionLimited when the address already
    filed its POSKO_REPORT_LIMIT in the window (a fixed window from its first report). Taken before filing and
    in one atomic increment, so parallel requests cannot slip past the limit together.

    A cache that is down counts nothing and refuses nobody (fail open, logged): a reporter must never lose a
    report because Redis is down."""
    key = _key(client)
    window = settings.POSKO_REPORT_LIMIT_WINDOW_SECONDS
    try:
        if window_count(key, window) > settings.POSKO_REPORT_LIMIT:
            raise SubmissionLimited(window_until(key))
    except SubmissionLimited:
        raise
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        log.warning("report limit unavailable (cache down); failing open", exc_info=True)
