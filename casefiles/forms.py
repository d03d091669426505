"""Forms of the documents card on the case page: issue a letter, correct one, attach a signed scan."""

from django import forms
from django.utils.translation import gettext_lazy as _

from casefiles.models import FormModel, Letter

RECIPIENTS = [
    ("reporter", _("the reporter")),
    ("terlapor", _("a terlapor")),
    ("witness", _("a witness")),
    ("agency", _("an agency")),
]


class LetterIssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("Letter"), choices=Letter.Kind.choices)
    recipient_role = forms.ChoiceField(
        label=_("To"),
        choices=RECIPIENTS,
        required=False,
        help_text=_(
            "Invitations: the reporter, a terlapor or a witness. Notices go to the reporter, referrals to an agency."
        ),
    )
    accused = forms.ChoiceField(label=_("Terlapor"), required=False)
    clarification = forms.ChoiceField(label=_("Clarification session"), required=False)
    recipient_name = forms.CharField(label=_("Name of the witness or agency"), required=False, max_length=200)
    recipient_detail = forms.CharField(
        label=_("Address or position (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report, agency_today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accused"].choices = [("", "—")] + [(str(a.pk), a.name) for a in report.accused.all()]
        self.fields["clarification"].choices = [("", "—")] + [
            (str(c.pk), f"{c.scheduled_for:%d-%m-%Y %H:%M} · {c.place}") for c in report.clarifications.all()
        ]
        if agency_today is not None and not self.is_bound:
            self.initial.setdefault("recipient_name", "")
            self.fields["recipient_name"].widget.attrs["placeholder"] = agency_today.name
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


class LetterCorrectForm(forms.Form):
    reason = forms.CharField(
        label=_("What is corrected, and why"),
        min_length=10,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class ScanUploadForm(forms.Form):
    form_model = forms.ModelChoiceField(
        label=_("Form"), queryset=FormModel.objects.filter(active=True), empty_label=None
    )
    letter = forms.ChoiceField(label=_("Signed copy of a letter (optional)"), required=False)
    title = forms.CharField(label=_("Description (optional)"), required=False, max_length=200)
    file = forms.FileField(label=_("Scan (PDF, JPEG or PNG)"))

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["letter"].choices = [("", "—")] + [
            (str(letter.pk), str(letter))
            for letter in Letter.objects.filter(report=report).order_by("-issued_at")
        ]
        for name, field in self.fields.items():
            if name == "file":
                field.widget.attrs["class"] = "form-control form-control-sm"
                field.widget.attrs["accept"] = "application/pdf,image/jpeg,image/png"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"
