"""What the staff accounts keep beyond Django's users: the sign-in history a user sees on their account page,
and which browser sessions are theirs (so they can end them)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignInEvent(models.Model):
    """One sign-in, successful or not, of an existing user: when, from where, with which browser. Attempts for
    user names that do not exist are not kept here (someone may have typed a password into the name field);
    the lockout counts them all the same."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Signed in")
        BAD_PASSWORD = "bad_password", _("Wrong password")
        BAD_CODE = "bad_code", _("Wrong code")
        LOCKED_OUT = "locked_out", _("Refused: too many failures")

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="sign_in_events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"])]
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")

    def __str__(self):
        return f"{self.user_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"


class SignedInSession(models.Model):
    """A browser session a user signed in with. The session itself lives in Django's session table; ending it
    deletes that row, which signs the browser out at its next request. Last activity is read from the session's
    expiry (sessions are saved on every request, so expiry = last request + the idle limit)."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="signed_in_sessions")
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
