"""Sign-in receivers: every sign-in of an existing user goes into their history; a signed-in session is
remembered so its owner can see and end it."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import services
from accounts.models import SignInEvent

# When the session was signed in (Unix time): sessions end POSKO_SESSION_MAX_SECONDS after it, however active.
SIGNED_IN_AT = "accounts_signed_in_at"


@receiver(user_logged_in, dispatch_uid="accounts-signed-in")
def _signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session[SIGNED_IN_AT] = time.time()
    services.session_register(user=user, request=request)
    services.sign_in_record(user=user, request=request, outcome=SignInEvent.Outcome.SUCCESS)


@receiver(user_login_failed, dispatch_uid="accounts-sign-in-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username")
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is None:
        return  # not a user: nothing of theirs to show (the lockout still counts it)
    locked = bool(getattr(request, "axes_locked_out", False))
    outcome = SignInEvent.Outcome.LOCKED_OUT if locked else SignInEvent.Outcome.BAD_PASSWORD
    services.sign_in_record(user=user, request=request, outcome=outcome)


@receiver(user_logged_out, dispatch_uid="accounts-signed-out")
def _signed_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.session_forget(request.session.session_key)
