"""A report being written step by step on the public form, kept on the server between steps."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportDraft(models.Model):
    """What a reporter has entered so far, one step at a time, so that a dropped connection loses at most one
    step and the reporter can come back later. It holds identity data, so it is guarded like a report: only
    its resume code opens it (the code is kept only as a keyed hash), nothing of it is logged, and it is
    removed when the report is sent or when it expires (POSKO_DRAFT_DAYS after the last save)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # HMAC-SHA256 of the resume code kept on the reporter's device, and of the one sent by e-mail.
    code_hash = models.CharField(max_length=64, unique=True)
    email_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Step name → the posted values of that step ({field: [values]}), saved even when the step had errors.
    data = models.JSONField(default=dict, blank=True)
    # Steps whose last save passed their validation.
    done = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, default="id")
    # Keyed hash of the e-mail address the resume link was last sent to (sent again only when it changes).
    emailed_to_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")

    def __str__(self):
        # Never the content: a draft's string is all that may end up in a log line or the admin.
        return f"draft {str(self.id)[:8]}"
