"""Sign-in lockout (django-axes): per user name after POSKO_SIGNIN_MAX_FAILURES failures, and per client
address only after the much higher POSKO_SIGNIN_MAX_FAILURES_PER_ADDRESS, so that one office behind one
address is not locked out by one person, while a guesser spraying many names from one address still is.

Axes counts the failures of each lockout parameter (here the user name and the address) and compares the
larger with a single limit; this handler gives each parameter its own limit. A window is
POSKO_SIGNIN_WINDOW_SECONDS long: failures older than that (counted from the latest one) are forgotten."""

import datetime as dt

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum


def _failures(qs) -> int:
    return qs.aggregate(n=Sum("failures_since_start"))["n"] or 0


class SignInLockoutHandler(AxesDatabaseHandler):
    def _attempts(self, request, credentials):
        threshold = get_cool_off_threshold(request)
        username = get_client_username(request, credentials)
        by_name = AccessAttempt.objects.filter(username=username, attempt_time__gte=threshold)
        by_address = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=threshold
        )
        return by_name, by_address

    def get_failures(self, request, credentials=None) -> int:
        """Failures for the user name; the user-name limit itself once the address has reached its own."""
        by_name, by_address = self._attempts(request, credentials)
        name_failures = _failures(by_name) if get_client_username(request, credentials) else 0
        if (
            request.axes_ip_address
            and _failures(by_address) >= settings.POSKO_SIGNIN_MAX_FAILURES_PER_ADDRESS
        ):
            return max(name_failures, settings.AXES_FAILURE_LIMIT)
        return name_failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in, forget that user name's failures only: the address's count stays, or
        anyone holding one account could clear the address limit for their guesses at others."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def locked_until(request, credentials=None) -> dt.datetime | None:
    """When the lockout that refused this request ends: the window after the latest counted failure."""
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.update_request(request)
    by_name, by_address = SignInLockoutHandler()._attempts(request, credentials)
    if _failures(by_address) >= settings.POSKO_SIGNIN_MAX_FAILURES_PER_ADDRESS:
        by_name = by_name | by_address
    latest = by_name.aggregate(at=Max("attempt_time"))["at"]
    return latest + settings.AXES_COOLOFF_TIME if latest else None
