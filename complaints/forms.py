"""The report form: one validation path for the web form and the API (the API feeds the same forms).

A report is a main form, a formset of terlapor, a formset of evidence files and a formset of links, held
together by `ReportSubmission`, which also knows the upload limits and the files kept from an earlier try."""

import datetime as dt
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from complaints import deadlines, selectors
from complaints.models import Accused, Election, Region, Report, ViolationCategory
from complaints.validators import lookalike_host, validate_nik, validate_nip, validate_phone
from complaints.widgets import RegionPickerWidget
from evidence.models import StagedUpload
from evidence.uploadhandlers import skipped_uploads

_TRUE = {"true", "1", "yes", "on", "ya"}
_FALSE = {"false", "0", "no", "off", "tidak", ""}


class YesNoField(forms.ChoiceField):
    """A required choice between two answers, posted as true/false (API) or chosen with radio buttons."""

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        text = str(value or "").strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE and text:
            return False
        return None

    def validate(self, value):
        if value is None:
            raise ValidationError(self.error_messages["required"], code="required")


class RegionField(forms.CharField):
    """A Kemendagri region code, at least `min_level` deep (the form's picker or a code from the API)."""

    def __init__(self, *, min_level: int = 2, levels: int = 4, **kwargs):
        self.min_level = min_level
        kwargs.setdefault("widget", RegionPickerWidget(levels=levels))
        super().__init__(max_length=13, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        region = selectors.region_get(code.strip())
        if region is None:
            raise ValidationError(
                _("Unknown region code %(code)s."), code="region_unknown", params={"code": code}
            )
        if region.level < self.min_level:
            raise ValidationError(
                _("Choose the region down to at least the regency or city (kabupaten/kota)."),
                code="region_too_coarse",
            )
        return region


class CategoryField(forms.ModelMultipleChoiceField):
    """Violation categories by slug. A slug retired by a merge (ViolationCategory.merged_into) still counts,
    as the category it was merged into, so older API clients keep working."""

    def _check_values(self, value):
        slugs = [str(v) for v in value]
        # The common case in one query instead of two: every slug is a current category, none merged away.
        for slug in slugs:
            self.validate_no_null_characters(slug)
        current = self.queryset.filter(slug__in=slugs)
        if {c.slug for c in current} == set(slugs) and all(c.merged_into_id is None for c in current):
            return current
        aliases = dict(
            ViolationCategory.objects.filter(slug__in=slugs, merged_into__isnull=False).values_list(
                "slug", "merged_into__slug"
            )
        )
        mapped = list(dict.fromkeys(aliases.get(slug, slug) for slug in slugs))
        return super()._check_values(mapped)


def _today() -> dt.date:
    return timezone.localdate()


class ReportForm(forms.Form):
    """The reporter, the incident and its categories."""

    election = forms.ModelChoiceField(
        queryset=Election.objects.none(), to_field_name="slug", label=_("Election"), empty_label=None
    )
    anonymous = YesNoField(
        label=_("How do you want to report?"),
        choices=[("false", _("With my identity")), ("true", _("Anonymously"))],
        widget=forms.RadioSelect,
        initial="false",
        help_text=_(
            "An anonymous report can only be handled as initial information (informasi awal), not as a formal "
            "report (laporan): Bawaslu can investigate it, but you cannot be informed of or heard in the case as "
            "a reporter. Your identity is never shown to the reported person."
        ),
    )
    reporter_name = forms.CharField(label=_("Full name"), max_length=120, required=False)
    reporter_address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        help_text=_("Where you live: street, village or kelurahan, town."),
    )
    reporter_phone = forms.CharField(
        label=_("Phone / WhatsApp"),
        max_length=24,
        required=False,
        help_text=_("For example 0812 3456 7890. Give a phone number or an e-mail address."),
    )
    reporter_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("We send you a link there to continue this report later."),
    )
    reporter_nik = forms.CharField(
        label=_("NIK"),
        max_length=24,
        required=False,
        help_text=_("The 16-digit number on your KTP. Checked only for its structure."),
    )
    reporter_type = forms.ChoiceField(
        label=_("You report as"),
        choices=Report.ReporterType.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    incident_date = forms.DateField(
        label=_("Date it happened"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("If you are not sure, give the closest date."),
    )
    known_date = forms.DateField(
        label=_("Date you learned of it"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The day you saw it or heard of it. Reports must be filed within 7 days of the violation becoming "
            "known."
        ),
    )
    incident_region = RegionField(label=_("Region where it happened"))
    incident_place = forms.CharField(
        label=_("Place"),
        max_length=300,
        help_text=_("Address, building or online platform where it happened."),
    )
    categories = CategoryField(
        queryset=ViolationCategory.objects.none(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        label=_("What kind of violation?"),
    )
    chronology = forms.CharField(
        label=_("What happened?"),
        min_length=20,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tell in order what happened: who, what, when, where and how."),
    )
    witnesses = forms.CharField(
        label=_("Witnesses"),
        help_text=_("Names of people who saw it, if any."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["election"].queryset = selectors.election_list()
        self.fields["categories"].queryset = selectors.category_list()
        self.fields["categories"].label_from_instance = lambda c: c.label(self._language())

    def _language(self) -> str:
        from django.utils.translation import get_language

        return (get_language() or "id")[:2]

    def clean_reporter_nik(self):
        value = self.cleaned_data["reporter_nik"]
        if not value:
            return ""
        return validate_nik(
            value, province_exists=lambda code: Region.objects.filter(code=code, level=1).exists()
        )

    def clean_reporter_phone(self):
        value = self.cleaned_data["reporter_phone"]
        return validate_phone(value) if value else ""

    def clean_incident_date(self):
        value = self.cleaned_data["incident_date"]
        if value > _today():
            raise ValidationError(_("The date it happened cannot be in the future."), code="date_future")
        return value

    def clean_known_date(self):
        value = self.cleaned_data["known_date"]
        if value > _today():
            raise ValidationError(
                _("The date you learned of it cannot be in the future."), code="date_future"
            )
        return value

    def clean(self):
        data = super().clean()
        anonymous = data.get("anonymous")
        if anonymous is False:
            # Formal requirements of a laporan (PRODUCT.md section 4, syarat formil): name, address and a way
            # to reach the reporter; and the reporter must be entitled: a voter, participant or monitor.
            if not data.get("reporter_name"):
                self.add_error("reporter_name", _("Enter your name, or choose to report anonymously."))
            if not data.get("reporter_address"):
                self.add_error("reporter_address", _("Enter your address, or choose to report anonymously."))
            if (
                not data.get("reporter_phone")
                and not data.get("reporter_email")
                and not (self.has_error("reporter_phone") or self.has_error("reporter_email"))
            ):
                self.add_error(
                    "reporter_phone", _("Enter a phone number or an e-mail address so we can reach you.")
                )
            if not data.get("reporter_type"):
                self.add_error(
                    "reporter_type", _("Choose whether you report as a voter, participant or monitor.")
                )
        elif anonymous:
            for name in (
                "reporter_name",
                "reporter_address",
                "reporter_phone",
                "reporter_email",
                "reporter_nik",
                "reporter_type",
            ):
                data[name] = ""
                self.errors.pop(name, None)
        incident, known = data.get("incident_date"), data.get("known_date")
        if incident and known and known < incident:
            self.add_error(
                "known_date", _("The date you learned of it cannot be before the date it happened.")
            )
        return data

    def filing_status(self) -> dict | None:
        """Whether the report is past the election's filing window, for a plain warning (never a refusal)."""
        data = getattr(self, "cleaned_data", {})
        election, known = data.get("election"), data.get("known_date")
        if not election or not known:
            return None
        deadline = deadlines.filing_deadline(election, known)
        return {"deadline": deadline, "late": _today() > deadline, "working": election.filing_working_days}


class AccusedForm(forms.Form):
    """One terlapor."""

    name = forms.CharField(
        label=_("Name of the reported civil servant"),
        max_length=120,
        help_text=_("Or how people know them, for example 'Camat Kanigaran'."),
    )
    nip = forms.CharField(
        label=_("NIP"),
        max_length=24,
        required=False,
        help_text=_("The 18-digit civil-servant number, if you know it."),
    )
    asn_type = forms.ChoiceField(
        label=_("Type of civil servant"),
        choices=Accused.AsnType.choices,
        initial=Accused.AsnType.UNKNOWN,
        required=False,
    )
    position = forms.CharField(label=_("Position"), max_length=160, required=False)
    agency = forms.CharField(label=_("Agency / office"), max_length=200, required=False)
    region = RegionField(label=_("Region of the agency"), levels=2, min_level=1, required=False)

    def clean_asn_type(self):
        return self.cleaned_data.get("asn_type") or Accused.AsnType.UNKNOWN

    def clean(self):
        data = super().clean()
        nip = data.get("nip")
        if nip:
            try:
                data["nip"] = validate_nip(nip, asn_type=data.get("asn_type") or "unknown")
            except ValidationError as exc:
                self.add_error("nip", exc)
        return data


class EvidenceFileForm(forms.Form):
    """One evidence file with its caption; `staged` names a file kept from an earlier try."""

    file = forms.FileField(label=_("File"), required=False, allow_empty_file=True)
    caption = forms.CharField(
        label=_("Caption"),
        max_length=300,
        required=False,
        help_text=_("What it shows, in a few words."),
    )
    staged = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def clean_staged(self):
        value = self.cleaned_data.get("staged")
        if not value:
            return None
        staged = StagedUpload.objects.filter(pk=value).first()
        if staged is None:
            raise ValidationError(
                _("A file kept from your earlier try has expired; please attach it again."),
                code="staged_expired",
            )
        return staged


class LinkForm(forms.Form):
    """One link to a post or page, with its caption."""

    url = forms.CharField(
        label=_("Link to the post"),
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Copy the address with the app's Share button and paste it here."),
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=300,
        required=False,
        help_text=_("What it shows, in a few words."),
    )

    def clean_url(self):
        value = (self.cleaned_data.get("url") or "").strip()
        if not value:
            return ""
        if "://" not in value:
            value = "https://" + value
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError(
                _("This is not a web address (it should look like https://...)."), code="url_invalid"
            ) from None
        if "@" in value.split("://", 1)[1].split("/", 1)[0]:
            raise ValidationError(
                _("Links with a user name or password in them are not accepted."), code="url_credentials"
            )
        host = urlsplit(value).hostname or ""
        if lookalike_host(host):
            raise ValidationError(
                _(
                    'This address uses letters that imitate other letters (for example a Cyrillic "а" '
                    'in place of a Latin "a"), so it is not accepted. Copy the link again from the app '
                    "or the browser's address bar."
                ),
                code="url_lookalike",
            )
        return value


AccusedFormSet = forms.formset_factory(
    AccusedForm, extra=0, min_num=1, validate_min=True, max_num=settings.POSKO_MAX_ACCUSED, validate_max=True
)
EvidenceFormSet = forms.formset_factory(EvidenceFileForm, extra=0, max_num=100)
LinkFormSet = forms.formset_factory(LinkForm, extra=0, max_num=100)


class ReportSubmission:
    """Everything a reporter sends, validated as one: the same class serves the form and the API.

    `errors` maps field names to messages: main-form names as they are, formset fields as
    `<prefix>-<index>-<field>`, limits under `evidence` and `links`."""

    def __init__(self, data=None, files=None, *, request=None):
        self.data, self.files = data, files
        self.skipped = skipped_uploads(request) if request is not None else []
        self.form = ReportForm(data, prefix=None)
        self.accused = AccusedFormSet(data, prefix="accused")
        self.evidence = EvidenceFormSet(data, files, prefix="evidence")
        self.links = LinkFormSet(data, prefix="links")
        self.limit_errors: dict[str, list[str]] = {}

    @property
    def formsets(self):
        return {"accused": self.accused, "evidence": self.evidence, "links": self.links}

    def is_valid(self) -> bool:
        valid = all(
            [self.form.is_valid(), self.accused.is_valid(), self.evidence.is_valid(), self.links.is_valid()]
        )
        self._check_limits()
        return valid and not self.limit_errors

    def _check_limits(self):
        errors: dict[str, list[str]] = {}
        for field_name, file_name, reason in self.skipped:
            limit_mb = settings.POSKO_MAX_FILE_BYTES // (1024 * 1024)
            total_mb = settings.POSKO_MAX_REPORT_BYTES // (1024 * 1024)
            message = (
                _("“%(name)s” is larger than %(limit)s MB and was not accepted.")
                % {"name": file_name, "limit": limit_mb}
                if reason == "file_too_large"
                else _(
                    "“%(name)s” was not accepted: all files of a report together may not exceed %(limit)s MB."
                )
                % {"name": file_name, "limit": total_mb}
            )
            key = field_name if field_name.startswith("evidence-") else "evidence"
            errors.setdefault(key, []).append(str(message))
        count = len(self.evidence_items())
        if count + len(self.skipped) > settings.POSKO_MAX_FILES:
            errors.setdefault("evidence", []).append(
                ngettext(
                    "A report may carry at most %(max)d file.",
                    "A report may carry at most %(max)d files.",
                    settings.POSKO_MAX_FILES,
                )
                % {"max": settings.POSKO_MAX_FILES}
            )
        total = sum(size for _item, size in self._sizes())
        if total > settings.POSKO_MAX_REPORT_BYTES and not any(
            r == "report_too_large" for *_x, r in self.skipped
        ):
            errors.setdefault("evidence", []).append(
                str(
                    _("All files of a report together may not exceed %(limit)s MB.")
                    % {"limit": settings.POSKO_MAX_REPORT_BYTES // (1024 * 1024)}
                )
            )
        if len(self.link_items()) > settings.POSKO_MAX_LINKS:
            errors.setdefault("links", []).append(
                ngettext(
                    "A report may carry at most %(max)d link.",
                    "A report may carry at most %(max)d links.",
                    settings.POSKO_MAX_LINKS,
                )
                % {"max": settings.POSKO_MAX_LINKS}
            )
        self.limit_errors = errors

    def _sizes(self):
        for form in self.evidence.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("file"):
                yield data["file"], data["file"].size
            elif data.get("staged"):
                yield data["staged"], data["staged"].size

    def evidence_items(self) -> list[dict]:
        """Cleaned evidence files in order: {'file' or 'staged', 'caption'}."""
        items = []
        for form in self.evidence.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("file") is not None and data.get("file") is not False:
                items.append({"file": data["file"], "caption": data.get("caption", "")})
            elif data.get("staged"):
                items.append({"staged": data["staged"], "caption": data.get("caption", "")})
        return items

    def link_items(self) -> list[dict]:
        items = []
        for form in self.links.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("url"):
                items.append({"url": data["url"], "caption": data.get("caption", "")})
        return items

    def accused_items(self) -> list[dict]:
        return [f.cleaned_data for f in self.accused.forms if getattr(f, "cleaned_data", None)]

    @property
    def errors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, messages in self.form.errors.items():
            out[name] = [str(m) for m in messages]
        for prefix, formset in self.formsets.items():
            for index, form in enumerate(formset.forms):
                for name, messages in form.errors.items():
                    out[f"{prefix}-{index}-{name}"] = [str(m) for m in messages]
            if formset.non_form_errors():
                out.setdefault(prefix, []).extend(str(m) for m in formset.non_form_errors())
        for key, messages in self.limit_errors.items():
            out.setdefault(key, []).extend(messages)
        return out
