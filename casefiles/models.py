"""The documents of a case: the offices that issue letters, the letters' texts, the letters issued (numbered per
office and year, never overwritten: a correction is a new version), and signed paper scanned back in.

Letters follow the structure of Indonesian official letters (kop surat; Nomor, Sifat, Lampiran, Perihal; Yth.;
body; place and date; signatory with position) and the forms annexed to Bawaslu's regulations on handling
violations: Perbawaslu 7/2022 (Pemilu, "Formulir Model B") and Perbawaslu 8/2020 as amended by Perbawaslu
9/2024 (Pilkada). See casefiles/defaults.py for what was found of those forms and cited."""

import uuid

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from casefiles.placeholders import (
    LETTER_PLACEHOLDERS,
    NUMBER_PLACEHOLDERS,
    number_pattern_check,
    placeholder_check,
    placeholder_help,
)


def _private_storage():
    # Letters, scans and logos live with the evidence: private, never under a URL, served only by views that
    # check who asks (and on object storage when evidence moves there).
    from evidence.storage import evidence_storage

    return evidence_storage


def logo_path(instance: "Office", filename: str) -> str:
    return f"letters/offices/{instance.pk or 'new'}-{timezone.now():%Y%m%d%H%M%S%f}"


def letter_path(instance: "Letter", filename: str) -> str:
    return f"letters/{instance.report_id}/{instance.pk}.pdf"


def scan_path(instance: "SignedScan", filename: str) -> str:
    return f"letters/scans/{instance.report_id}/{instance.pk}"


class Office(models.Model):
    """A Bawaslu office that issues letters: its letterhead (kop surat), who signs and how letters are numbered.
    The most specific office whose region covers a case's incident region issues that case's letters; an office
    with no region covers the whole country."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("As on the letterhead, e.g. Badan Pengawas Pemilihan Umum")
    )
    name_line2 = models.CharField(
        _("second line of the name"), max_length=200, blank=True, help_text=_("e.g. Kota Probolinggo")
    )
    short_name = models.CharField(
        _("short name"), max_length=120, help_text=_("e.g. Bawaslu Kota Probolinggo")
    )
    code = models.CharField(
        _("office code"), max_length=40, blank=True, help_text=_("Used in letter numbers, e.g. K.JI-22")
    )
    region = models.ForeignKey(
        "complaints.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Province or regency/city the office covers; empty for the whole country."),
    )
    address = models.TextField(_("address"))
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.CharField(_("website"), max_length=120, blank=True)
    city = models.CharField(_("town"), max_length=100, help_text=_("The place in the place-and-date line"))
    logo = models.ImageField(
        _("logo"), storage=_private_storage, upload_to=logo_path, blank=True, max_length=200
    )
    signatory_name = models.CharField(_("signatory"), max_length=160)
    signatory_position = models.CharField(
        _("signatory's position"), max_length=200, help_text=_("e.g. Ketua Bawaslu Kota Probolinggo")
    )
    number_pattern = models.CharField(
        _("numbering pattern"),
        max_length=200,
        default="{seq:03d}/{type_code}/{office_code}/{month_roman}/{year}",
        help_text=placeholder_help(NUMBER_PLACEHOLDERS),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "name_line2"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self):
        return self.short_name

    def clean(self):
        try:
            number_pattern_check(self.number_pattern)
        except ValidationError as exc:
            raise ValidationError({"number_pattern": exc.messages}) from None


class Letter(models.Model):
    """A letter issued for a case: its PDF (stored privately, hashed), its number and version. Append-only: a
    correction is a new version with the same number that supersedes this one, which stays readable."""

    # Not a column: the letter that superseded this one, set by casefiles.selectors.case_documents for the page.
    successor: "Letter | None" = None

    class Kind(models.TextChoices):
        INVITATION = "undangan", _("Invitation to clarification (undangan klarifikasi)")
        REFERRAL = "penerusan", _("Referral letter (surat penerusan)")
        NOTICE_REGISTERED = "pemberitahuan_registrasi", _("Notice to the reporter: registered")
        NOTICE_DECISION = "pemberitahuan_putusan", _("Notice to the reporter: decision")
        NOTICE_OUTCOME = "pemberitahuan_hasil", _("Notice to the reporter: outcome")

    class Recipient(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        TERLAPOR = "terlapor", _("Terlapor")
        WITNESS = "witness", _("Witness")
        AGENCY = "agency", _("Agency")

    NOTICES = (Kind.NOTICE_REGISTERED, Kind.NOTICE_DECISION, Kind.NOTICE_OUTCOME)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey("complaints.Report", on_delete=models.PROTECT, related_name="letters")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    recipient_role = models.CharField(max_length=10, choices=Recipient.choices)
    recipient_name = models.CharField(max_length=200)
    recipient_detail = models.TextField(blank=True, help_text="Position, agency or address lines")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField(default=1)
    number = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(blank=True)
    clarification = models.ForeignKey(
        "complaints.Clarification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(storage=_private_storage, upload_to=letter_path, max_length=250)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    issued_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    # Automatic notices: one per case event (the ReportEvent of the move), however often the task runs.
    event_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    values = models.JSONField(default=dict, blank=True, help_text="What the placeholders were filled with")

    class Meta:
        ordering = ["report", "year", "sequence", "version"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        permissions = [("issue_letter", "Can issue and correct letters")]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "sequence", "version"], name="letter_unique_number_version"
            )
        ]
        # Append-only (issue 9), enforced by PostgreSQL: a letter is never changed or deleted; the one thing
        # written later is when it was e-mailed, once (casefiles.services.notices).
        triggers = [
            pgtrigger.ReadOnly(name="letter_read_only", exclude=["emailed_at"]),
            pgtrigger.Protect(
                name="letter_emailed_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.emailed_at IS NOT NULL AND OLD.emailed_at IS DISTINCT FROM NEW.emailed_at"
                ),
            ),
            pgtrigger.Protect(name="letter_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.number} (v{self.version})" if self.version > 1 else self.number

    @property
    def is_current(self) -> bool:
        try:
            return self.superseded_by is None
        except Letter.DoesNotExist:
            return True


class LetterTemplate(models.Model):
    """The text of one kind of letter, edited by an admin as plain text with named placeholders. A template
    with an office applies to that office's letters; the one without an office applies to every other."""

    kind = models.CharField(_("kind"), max_length=32, choices=Letter.Kind.choices)
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="templates",
        help_text=_("Empty: the default for every office"),
    )
    form_model = models.CharField(
        _("form model"),
        max_length=120,
        blank=True,
        help_text=_("Printed at the top right, e.g. FORMULIR MODEL B.1; empty for none"),
    )
    type_code = models.CharField(
        _("classification code"), max_length=40, default="PP.01.02", help_text=_("{type_code} in numbers")
    )
    subject = models.CharField(
        _("subject (perihal)"), max_length=300, help_text=placeholder_help(LETTER_PLACEHOLDERS)
    )
    nature = models.CharField(_("nature (sifat)"), max_length=60, default="Penting")
    attachment = models.CharField(_("attachment (lampiran)"), max_length=120, default="-")
    body = models.TextField(
        _("body"),
        help_text=format_lazy(
            "{} {}",
            _("Paragraphs separated by an empty line. Placeholders:"),
            placeholder_help(LETTER_PLACEHOLDERS),
        ),
    )
    copies_to = models.TextField(_("copies to (tembusan)"), blank=True, help_text=_("One per line"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "office"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "office"], name="letter_template_per_office"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(office__isnull=True), name="letter_template_default"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.office or _('default')})"

    def clean(self):
        errors = {}
        for field in ("subject", "body"):
            try:
                placeholder_check(getattr(self, field), LETTER_PLACEHOLDERS)
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)


class LetterCounter(models.Model):
    """The last number an office gave in a year. Issuing locks the row (SELECT ... FOR UPDATE) and takes the
    next number in the same transaction as the letter, so numbers have neither gaps nor duplicates."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="counters")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("letter counter")
        verbose_name_plural = _("letter counters")
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="letter_counter_office_year")]

    def __str__(self):
        return f"{self.office} {self.year}: {self.last}"


class FormModel(models.Model):
    """A kind of formal document an office signs on paper (the forms annexed to the regulations, and others),
    for typing the signed scans kept with a case. Edited by an admin."""

    slug = models.SlugField(unique=True)
    code = models.CharField(_("form code"), max_length=30, blank=True, help_text=_("e.g. B.1"))
    name = models.CharField(_("name"), max_length=200)
    regulation = models.CharField(_("regulation"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code", "name"]
        verbose_name = _("form model")
        verbose_name_plural = _("form models")

    def __str__(self):
        return f"Model {self.code} · {self.name}" if self.code else self.name


class SignedScan(models.Model):
    """A scan of signed paper kept with a case (a signed letter, minutes, a form), stored privately and hashed.
    Append-only like the letters."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey("complaints.Report", on_delete=models.PROTECT, related_name="signed_scans")
    form_model = models.ForeignKey(FormModel, on_delete=models.PROTECT, related_name="scans")
    title = models.CharField(max_length=200, blank=True)
    letter = models.ForeignKey(Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="scans")
    file = models.FileField(storage=_private_storage, upload_to=scan_path, max_length=250)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=60)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("auth.User", null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "uploaded_at"]
        verbose_name = _("signed scan")
        verbose_name_plural = _("signed scans")
        triggers = [
            pgtrigger.Protect(name="scan_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.form_model}: {self.original_name}"
