"""Handling a case: staff and their jurisdictions, messages with the reporter, clarification sessions, the
assessment, the referral to the competent agency, and the registry of reported civil servants."""

import datetime as dt

import pgtrigger
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models.reference import Region, SanctionDetail, ViolationCategory
from complaints.models.reports import Report


class StaffProfile(models.Model):
    """A staff member's role and jurisdiction (PRODUCT.md section 1). A region covers everything below it;
    a user with no region sees nothing, except an admin, who sees everything."""

    class Role(models.TextChoices):
        RELAWAN = "relawan", _("Volunteer (relawan)")
        STAF = "staf", _("Bawaslu staff")
        KOORDINATOR = "koordinator", _("Coordinator")
        ADMIN = "admin", _("Admin")

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="posko")
    role = models.CharField(max_length=12, choices=Role.choices)
    regions = models.ManyToManyField(Region, blank=True, related_name="+")
    organisation = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} ({self.role})"


class Person(models.Model):
    """A civil servant as the registry knows them across reports: by NIP when known, else by name and agency."""

    nip = models.CharField(max_length=18, null=True, blank=True, unique=True)
    name = models.CharField(max_length=120)
    agency = models.CharField(max_length=200, blank=True)
    # Lower-cased, spaces squeezed: "name|agency", the key for people without a NIP.
    key = models.CharField(max_length=330, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("registered civil servant")
        verbose_name_plural = _("registered civil servants")

    def __str__(self):
        return f"{self.name} ({self.nip})" if self.nip else self.name


class Message(models.Model):
    """A message between staff and the reporter, shown on /lacak/. Internal notes are report events instead."""

    # Not a column: the services that write this row set it False when a repeated request (a double click, a
    # form saved unchanged) changed nothing, and the pages say so (complaints/staff_views.py).
    changed: bool = True

    class Direction(models.TextChoices):
        TO_REPORTER = "out", _("To the reporter")
        FROM_REPORTER = "in", _("From the reporter")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = models.TextField()
    author = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_question = models.BooleanField(default=False, help_text="Asks the reporter for more (Perlu Perbaikan)")
    evidence_ids = models.JSONField(default=list, blank=True, help_text="Files the reporter attached")
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.report_id} {self.direction} {self.created_at:%Y-%m-%d}"


class Clarification(models.Model):
    """A clarification session (klarifikasi): who is invited, when and where, and its minutes (berita acara)."""

    # Not a column: the services that write this row set it False when a repeated request (a double click, a
    # form saved unchanged) changed nothing, and the pages say so (complaints/staff_views.py).
    changed: bool = True

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="clarifications")
    scheduled_for = models.DateTimeField()
    place = models.CharField(max_length=300)
    invite_terlapor = models.BooleanField(default=True)
    invite_reporter = models.BooleanField(default=False)
    witnesses = models.TextField(blank=True, help_text="Names of witnesses invited, one per line")
    minutes = models.TextField(blank=True, help_text="Berita acara klarifikasi")
    minutes_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("auth.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "scheduled_for"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")

    def __str__(self):
        return f"{self.report} {self.scheduled_for:%Y-%m-%d}"


class MinutesVersion(models.Model):
    """One version of a clarification's minutes (berita acara), append-only (issue 9): a correction is a new
    version, and every earlier text stays as it was recorded, with who recorded it and when. The latest is
    also kept on Clarification.minutes for the pages that show only the current text."""

    clarification = models.ForeignKey(
        Clarification, on_delete=models.CASCADE, related_name="minutes_versions"
    )
    version = models.PositiveSmallIntegerField()
    text = models.TextField()
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the text (UTF-8)")
    recorded_by = models.ForeignKey("auth.User", null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clarification", "version"]
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        constraints = [
            models.UniqueConstraint(fields=["clarification", "version"], name="minutes_unique_version"),
        ]
        triggers = [
            pgtrigger.Protect(name="minutes_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.clarification_id} v{self.version}"


def minutes_path(instance: "ClarificationAttachment", filename: str) -> str:
    return f"minutes/{instance.clarification.report_id}/{instance.clarification_id}/{instance.pk or 'new'}-{timezone.now():%Y%m%d%H%M%S%f}"


class ClarificationAttachment(models.Model):
    """A file attached to the minutes (signed berita acara, attendance list). Stored privately."""

    clarification = models.ForeignKey(Clarification, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=minutes_path, max_length=250)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    uploaded_by = models.ForeignKey("auth.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("minutes attachment")
        verbose_name_plural = _("minutes attachments")

    def __str__(self):
        return self.original_name


class Assessment(models.Model):
    """The kajian: findings, what was violated, its legal basis, the recommended sanction and the decision."""

    # Not a column: the services that write this row set it False when a repeated request (a double click, a
    # form saved unchanged) changed nothing, and the pages say so (complaints/staff_views.py).
    changed: bool = True

    class Decision(models.TextChoices):
        VIOLATION = "violation", _("Violation (forward to the competent agency)")
        NOT_VIOLATION = "not_violation", _("Not a violation")
        CRIMINAL = "criminal", _("Election crime (forward to Gakkumdu)")
        OTHER_LAW = "other_law", _("Violation of other laws (ASN neutrality: forward to BKN)")

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="assessment")
    findings = models.TextField()
    categories = models.ManyToManyField(ViolationCategory, blank=True, related_name="+")
    legal_basis = models.TextField(blank=True)
    recommended_sanction = models.CharField(
        max_length=16, choices=ViolationCategory.Sanction.choices, blank=True
    )
    # The specific sanction within the level (PP 94/2021 Pasal 8; see SanctionDetail), when the kajian names one.
    recommended_sanction_detail = models.CharField(max_length=24, choices=SanctionDetail.choices, blank=True)
    criminal_element = models.BooleanField(default=False)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    author = models.ForeignKey("auth.User", null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.report}: {self.decision}"


class ReferralAgency(models.Model):
    """Who receives a referral, as a dated lookup: KASN received ASN-neutrality referrals until it was dissolved
    on 23 Aug 2024 (UU 20/2023 on ASN, Pasal 70 and 75: its tasks pass to BKN); BKN since. An admin adds the
    next body (due around 2027) with its start date. Gakkumdu receives election crimes."""

    class Kind(models.TextChoices):
        ASN = "asn", _("Civil-service neutrality")
        CRIMINAL = "criminal", _("Election crime")

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "valid_from"]
        verbose_name = _("referral agency")
        verbose_name_plural = _("referral agencies")

    def __str__(self):
        return self.name

    @classmethod
    def for_date(cls, kind: str, day: dt.date) -> "ReferralAgency | None":
        return (
            cls.objects.filter(kind=kind)
            .filter(models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day))
            .filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day))
            .order_by("-valid_from")
            .first()
        )


class Referral(models.Model):
    """The recommendation forwarded to an agency, and what the agency did with it. The case waits, with
    reminders every `remind_every_days`, until the outcome is recorded."""

    # Not a column: the services that write this row set it False when a repeated request (a double click, a
    # form saved unchanged) changed nothing, and the pages say so (complaints/staff_views.py).
    changed: bool = True

    class Outcome(models.TextChoices):
        SANCTIONED = "sanctioned", _("Sanctioned")
        NO_SANCTION = "no_sanction", _("No sanction")
        OTHER = "other", _("Other outcome")

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="referral")
    agency = models.ForeignKey(ReferralAgency, on_delete=models.PROTECT, related_name="referrals")
    letter_number = models.CharField(max_length=100)
    sent_on = models.DateField()
    remind_every_days = models.PositiveSmallIntegerField(default=14)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_sanction = models.CharField(max_length=16, choices=ViolationCategory.Sanction.choices, blank=True)
    outcome_sanction_detail = models.CharField(max_length=24, choices=SanctionDetail.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("auth.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.report} → {self.agency}"
