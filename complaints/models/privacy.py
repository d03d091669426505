"""The record of what the retention rules removed (issue 9): one row per purge or archiving, kept after the
report itself is gone, holding no identity and none of the purged content."""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def tracking_code_digest(code: str) -> str:
    """SHA-256 of a tracking code: lets staff answer "what happened to PSK-…?" from the record without the
    record naming the code. Unkeyed on purpose, so it survives key rotation (60 random bits stay unguessable)."""
    return hashlib.sha256(code.encode()).hexdigest() if code else ""


class RetentionRecord(models.Model):
    """One application of a retention rule to one report: when, which report (id and the tracking code's
    SHA-256), by which rule and period, and how many items of each kind went (counts only)."""

    class Rule(models.TextChoices):
        REJECTED_PURGE = "rejected_purge", _("Rejected report purged")
        CLOSED_ARCHIVE = "closed_archive", _("Closed case archived")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    rule = models.CharField(max_length=16, choices=Rule.choices)
    period_days = models.PositiveIntegerField()
    report_id = models.BigIntegerField(db_index=True, help_text="Id of the report (gone after a purge)")
    tracking_code_sha256 = models.CharField(max_length=64, db_index=True)
    ended_at = models.DateTimeField(null=True, help_text="When the report was rejected or the case ended")
    # What kinds of data went, as counts: {"report": 1, "evidence_files": 2, "identity_fields": 5, ...}.
    removed = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("retention record")
        verbose_name_plural = _("retention records")

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.rule} report {self.report_id}"
