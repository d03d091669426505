"""Inviting staff: an admin invites someone by e-mail, and the invitee sets their own password through a
one-time link that expires."""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def invite_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffInvite(models.Model):
    """An invitation to set a password. Only the SHA-256 of the link's token is kept, so the table cannot be
    used to sign in as anyone; the link works once (`used_at`) and until `expires_at`."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="staff_invites")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now() and self.user.is_active
