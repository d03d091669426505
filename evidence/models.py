"""Evidence items (files and links) attached to a report, and files kept between two form submissions."""

import uuid

from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _evidence_storage():
    return storages["evidence"]


def original_path(instance: "Evidence", filename: str) -> str:
    # Stored names come from ids only; the client's file name is kept as data (STYLE.md practice 6).
    return f"originals/{instance.report_id}/{instance.id}"


def staged_path(instance: "StagedUpload", filename: str) -> str:
    return f"staging/{instance.id}"


class Evidence(models.Model):
    """One piece of evidence: an uploaded file (kept byte for byte, hashed) or a link to a post."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")
        DOCUMENT = "document", _("Document")
        OTHER_FILE = "file", _("Other file")
        LINK = "link", _("Link")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be processed")
        PROCESSING = "processing", _("Being processed")
        READY = "ready", _("Processed")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Processing failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey("complaints.Report", on_delete=models.CASCADE, related_name="evidence")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    caption = models.CharField(max_length=300, blank=True)
    file = models.FileField(storage=_evidence_storage, upload_to=original_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    declared_type = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_reason = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "position", "created_at"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")

    def __str__(self):
        return self.original_name or self.url or str(self.id)

    @property
    def is_file(self) -> bool:
        return self.kind != self.Kind.LINK


class StagedUpload(models.Model):
    """A file from a report form that did not validate yet, kept so the reporter never uploads it twice.
    Its id is the capability the form carries back; stale ones are removed by a periodic task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(storage=_evidence_storage, upload_to=staged_path, max_length=200)
    original_name = models.CharField(max_length=255)
    declared_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField()
    caption = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("staged upload")
        verbose_name_plural = _("staged uploads")

    def __str__(self):
        return self.original_name
