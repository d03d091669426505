"""Every signed-in session has passed the second factor and is younger than the absolute limit.

Sign-in happens only after the second factor (accounts.views), so a session signed in any other way (or whose
device was since removed by an admin) is signed out here rather than trusted. The idle limit is Django's own:
sessions are saved on every request (SESSION_SAVE_EVERY_REQUEST) and expire SESSION_COOKIE_AGE seconds after
the last one; the absolute limit counts from the sign-in, however active the session is."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from accounts.signals import SIGNED_IN_AT


class AccountSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            verified = getattr(user, "is_verified", None)
            if verified is None or not verified():
                logout(request)
            else:
                started = request.session.get(SIGNED_IN_AT)
                if started is None:
                    request.session[SIGNED_IN_AT] = time.time()
                elif time.time() - started > settings.POSKO_SESSION_MAX_SECONDS:
                    logout(request)
                    messages.info(
                        request,
                        _("Your session ended after %(h)d hours: sign in again.")
                        % {"h": settings.POSKO_SESSION_MAX_SECONDS // 3600},
                    )
        return self.get_response(request)
