"""What leaves the portal: exports (signed case bundles, case-file PDFs, recaps) and the keys that sign them."""

import uuid

import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _private_storage():
    # The same private storage as the evidence: never served by URL, handed out only by the download view.
    from evidence.storage import evidence_storage

    return evidence_storage


def export_path(instance: "Export", filename: str) -> str:
    return f"exports/{instance.pk}/{filename}"


class ExportKey(models.Model):
    """An Ed25519 key that signed bundles' SHA256SUMS. Only the public half is kept here: whoever holds a
    bundle from years ago must still find the key that signed it, with the period it was in use
    (/.well-known/posko-export-keys.json)."""

    # SHA-256 of the DER SubjectPublicKeyInfo, hex: `openssl pkey -pubin -in K.pem -outform DER | sha256sum`.
    fingerprint = models.CharField(max_length=64, unique=True)
    public_key_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, help_text="First seen by the portal")
    first_used_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("export signing key")
        verbose_name_plural = _("export signing keys")

    def __str__(self):
        return self.fingerprint[:16]


# What an export request says once made: never changed afterwards (the trigger below).
HISTORY_FIELDS = [
    "id",
    "kind",
    "report",
    "requested_by",
    "requested_at",
    "reason",
    "include_identity",
    "language",
    "filters",
    "scope",
    "client_address",
    "user_agent",
    "filename",
]


class Export(models.Model):
    """One export asked for by a staff member: a case bundle (ZIP), a case file (PDF) or a recap (CSV,
    XLSX) of the queue with its filters. Built in the background by a worker; kept on private storage until
    `expires_at`; every step is recorded (who, when, why, what, the hash of what was handed out)."""

    class Kind(models.TextChoices):
        BUNDLE = "bundle", _("Case bundle (ZIP)")
        PDF = "pdf", _("Case file (PDF)")
        CSV = "csv", _("Recap (CSV)")
        XLSX = "xlsx", _("Recap (XLSX)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    CASE_KINDS = (Kind.BUNDLE, Kind.PDF)
    RECAP_KINDS = (Kind.CSV, Kind.XLSX)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    report = models.ForeignKey(
        "complaints.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="exports"
    )
    requested_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=500)
    include_identity = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="id")
    # Recaps: the queue's filters (QueueFilters names) and the requester's jurisdiction when asked (region
    # codes; null for an admin's everything), which decides which coordinators may also see the recap.
    filters = models.JSONField(default=dict, blank=True)
    scope = models.JSONField(null=True, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last progress saved by the worker")
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress: files (bundles) or rows (recaps), and bytes, done of the total.
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)

    file = models.FileField(storage=_private_storage, upload_to=export_path, max_length=250, blank=True)
    filename = models.CharField(max_length=200, blank=True, help_text="Name the download is given")
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    key = models.ForeignKey(
        ExportKey, null=True, blank=True, on_delete=models.PROTECT, related_name="exports"
    )
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        permissions = [
            ("export_case", "Can export case bundles and case files"),
            ("export_recap", "Can export recaps of the queue"),
        ]
        # The record of who asked for what, when and why is history (issue 9): PostgreSQL refuses to change
        # it or to delete an export. The worker still writes the build's progress and outcome (status,
        # attempts, times, counts, file, size, sha256, key, error) and expiry empties `file`
        # (exports.services.build and records).
        triggers = [
            pgtrigger.ReadOnly(name="export_request_fixed", fields=HISTORY_FIELDS),
            pgtrigger.Protect(name="export_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def is_case_export(self) -> bool:
        return self.kind in self.CASE_KINDS

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def downloadable(self) -> bool:
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if self.bytes_total:
            return min(99, int(100 * self.bytes_done / self.bytes_total))
        if self.items_total:
            return min(99, int(100 * self.items_done / self.items_total))
        return 0
