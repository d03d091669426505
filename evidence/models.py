"""Evidence items (files and links) attached to a report, and files kept between two form submissions."""

import uuid

import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _evidence_storage():
    # The lazy storage of evidence.storage, so fields follow STORAGES when it changes (tests switch backends).
    from evidence.storage import evidence_storage

    return evidence_storage


def original_path(instance: "Evidence", filename: str) -> str:
    # Stored names come from ids only; the client's file name is kept as data (STYLE.md practice 6).
    return f"originals/{instance.report_id}/{instance.id}"


def staged_path(instance: "StagedUpload", filename: str) -> str:
    return f"staging/{instance.id}"


def derived_path(instance: "Evidence", filename: str) -> str:
    # Derived copies (viewing copy, thumbnail) sit beside nothing public either; names again from ids.
    return f"derived/{instance.report_id}/{instance.id}/{filename}"


def capture_path(instance: "LinkCapture", filename: str) -> str:
    return f"archives/{instance.evidence.report_id}/{instance.evidence_id}/{instance.id}-{filename}"


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
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker took it up")
    finished_runs = models.PositiveSmallIntegerField(default=0, help_text="Times a worker got to the end")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last took it up or renewed its claim"
    )
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When it was last sent to a queue")
    processed_at = models.DateTimeField(null=True, blank=True)

    # What the pipeline found. Metadata is evidence for staff only; the reporter never sees it.
    detected_type = models.CharField(max_length=100, blank=True, help_text="Media type read from the bytes")
    quarantined = models.BooleanField(
        default=False, help_text="Dangerous or deceptive content: never previewed"
    )
    metadata = models.JSONField(default=dict, blank=True)
    steps = models.JSONField(default=dict, blank=True, help_text="Outcome of each pipeline step")
    viewing_copy = models.FileField(
        storage=_evidence_storage, upload_to=derived_path, max_length=200, blank=True
    )
    thumbnail = models.FileField(
        storage=_evidence_storage, upload_to=derived_path, max_length=200, blank=True
    )
    # 64-bit difference hash of photos and poster frames (stored as a signed 64-bit integer, so PostgreSQL can
    # compute Hamming distances itself), for near-duplicate search.
    phash = models.BigIntegerField(null=True, blank=True)
    # Links: the normalised form, its SHA-256 (an index-friendly key) and what it points to.
    normalized_url = models.URLField(max_length=2000, blank=True)
    url_key = models.CharField(max_length=64, blank=True, db_index=True)
    platform = models.CharField(max_length=20, blank=True)
    account = models.CharField(max_length=200, blank=True)
    post_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["report", "position", "created_at"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        permissions = [
            ("view_original", "Can open and download original evidence files"),
            ("reprocess_evidence", "Can process a failed evidence item again"),
        ]
        # What was received stays what was received (issue 9): the client's file name and the receipt time
        # never change, and the SHA-256 and size never change once the pipeline's hash step recorded them
        # (before that, preflight may correct the size to what storage holds). Processing fields (status,
        # steps, metadata, derived copies) still change. Deleted only by the retention purge.
        triggers = [
            pgtrigger.Protect(
                name="evidence_intake_fixed",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.original_name IS DISTINCT FROM NEW.original_name"
                    " OR OLD.created_at IS DISTINCT FROM NEW.created_at"
                    " OR OLD.report_id IS DISTINCT FROM NEW.report_id"
                    " OR (OLD.sha256 <> '' AND (OLD.sha256 IS DISTINCT FROM NEW.sha256"
                    " OR OLD.size IS DISTINCT FROM NEW.size))"
                ),
            ),
            pgtrigger.Protect(name="evidence_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return self.original_name or self.url or str(self.id)

    @property
    def is_file(self) -> bool:
        return self.kind != self.Kind.LINK

    @property
    def phash_hex(self) -> str:
        return "" if self.phash is None else f"{self.phash & (2**64 - 1):016x}"


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
    # A file uploaded in the evidence step of the public form belongs to that draft and lives as long as it
    # (the hourly clean-up leaves it to the draft's own expiry).
    draft = models.ForeignKey(
        "complaints.ReportDraft", null=True, blank=True, on_delete=models.CASCADE, related_name="uploads"
    )
    # Where a photo or video says it was taken (EXIF GPS, a video's recorded location), found at upload so
    # the reporter is told before sending; and whether they chose to send it with that location.
    location = models.JSONField(null=True, blank=True)
    location_confirmed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("staged upload")
        verbose_name_plural = _("staged uploads")

    def __str__(self):
        return self.original_name


def resumable_path(instance: "ResumableUpload", filename: str) -> str:
    return f"resumable/{instance.id}/{filename}"


class ResumableUpload(models.Model):
    """A file arriving in pieces over the tus protocol (evidence/resumable.py). Each received piece is stored
    privately under `resumable/<id>/<offset>`; when the last byte is in, the pieces become one staged upload
    of the draft and are removed. The id in the upload URL is the capability, checked against the draft."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey("complaints.ReportDraft", on_delete=models.CASCADE, related_name="+")
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    original_name = models.CharField(max_length=255)
    declared_type = models.CharField(max_length=100, blank=True)
    # The pieces stored so far, in order: [offset, storage name, size].
    parts = models.JSONField(default=list, blank=True)
    staged = models.ForeignKey(
        StagedUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("resumable upload")
        verbose_name_plural = _("resumable uploads")

    def __str__(self):
        return f"{self.id} ({self.offset}/{self.length})"


class LinkCapture(models.Model):
    """One archived capture of a link: the HTTP exchange as a WARC file with its own SHA-256, and a screenshot
    where Chromium was available."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="captures")
    captured_at = models.DateTimeField(default=timezone.now)
    final_url = models.URLField(max_length=2000)
    http_status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True)
    redirects = models.JSONField(default=list, blank=True)
    body_size = models.BigIntegerField(default=0)
    body_sha256 = models.CharField(max_length=64)
    truncated = models.BooleanField(default=False)
    warc = models.FileField(storage=_evidence_storage, upload_to=capture_path, max_length=250)
    warc_sha256 = models.CharField(max_length=64)
    screenshot = models.FileField(
        storage=_evidence_storage, upload_to=capture_path, max_length=250, blank=True
    )
    screenshot_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["evidence", "-captured_at"]
        verbose_name = _("link capture")
        verbose_name_plural = _("link captures")

    def __str__(self):
        return f"{self.final_url} @ {self.captured_at:%Y-%m-%d %H:%M}"


class DuplicateMatch(models.Model):
    """Two evidence items that look like the same thing: the same bytes, the same normalised link or a
    near-identical photo. Stored in both directions so each item lists its matches with one query."""

    class Kind(models.TextChoices):
        SAME_FILE = "sha256", _("Same file")
        SAME_LINK = "link", _("Same link")
        SIMILAR_PHOTO = "phash", _("Similar photo")

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="matches")
    other = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    distance = models.PositiveSmallIntegerField(default=0, help_text="Bits that differ (similar photos)")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "other", "kind"], name="unique_duplicate_match")
        ]
        verbose_name = _("duplicate match")
        verbose_name_plural = _("duplicate matches")

    def __str__(self):
        return f"{self.evidence_id} ~ {self.other_id} ({self.kind})"


class CustodyEvent(models.Model):
    """Chain of custody: every access to an original, every download and export, and every decision to
    process an item again, append-only."""

    class Action(models.TextChoices):
        VIEW_ORIGINAL = "view_original", _("Opened the original")
        DOWNLOAD_ORIGINAL = "download_original", _("Downloaded the original")
        DOWNLOAD_ARCHIVE = "download_archive", _("Downloaded a link archive")
        EXPORT = "export", _("Exported")
        REPROCESS = "reprocess", _("Processed again")

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody_events")
    actor = models.ForeignKey("auth.User", null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, help_text="Hash of what was handed out")

    class Meta:
        ordering = ["evidence", "at"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        # Append-only (issue 9): refused by PostgreSQL, except for the retention purge of rejected reports.
        triggers = [
            pgtrigger.Protect(name="custody_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.evidence_id}"
