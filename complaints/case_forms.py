"""The forms of the case page (/staf/kasus/<id>/). Each starts from what is saved, so a select shows the saved
choice and a box the saved text: saving a form unchanged changes nothing. Forms that add something (a note, a
message, a clarification, minutes) carry a one-time token, so a second post of the same form (a double click, a
reload) is recognised and adds nothing."""

import uuid

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from complaints import selectors
from complaints.models import Assessment, Referral, Report, SanctionDetail, ViolationCategory
from complaints.services import workflow
from complaints.timezones import report_zone, today_in

S = Report.Status


def _sanction_details() -> list:
    # The specific sanction within a level, grouped by level: PP 94/2021 Pasal 8 ayat (2)-(4); PP 42/2004 for
    # moral sanctions.
    return [("", _("Specific sanction: not named")), *SanctionDetail.grouped()]


def _related(report: Report, name: str):
    try:
        return getattr(report, name)
    except (Assessment.DoesNotExist, Referral.DoesNotExist):
        return None


class CaseForm(forms.Form):
    """A form about one case, for one user; `action` is the last part of its address."""

    action = ""

    def __init__(self, *args, report: Report, user, **kwargs):
        self.report, self.user = report, user
        kwargs.setdefault("initial", self.initial_for(report))
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{self.action}_%s"
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, (forms.CheckboxInput, forms.HiddenInput, forms.FileInput)):
                widget.attrs.setdefault("class", "form-control form-control-sm")

    def initial_for(self, report: Report) -> dict:
        return {}


class OnceForm(CaseForm):
    """A form that adds something: a fresh token per page, posted back with the form."""

    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def initial_for(self, report):
        return {"token": uuid.uuid4().hex}


class ExpectedStatusForm(CaseForm):
    # The status the user saw: when the case moved meanwhile, they are told instead of acting on a stale page.
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)

    def initial_for(self, report):
        return {"expected_status": report.status}


class TransitionForm(ExpectedStatusForm):
    action = "transition"
    to_status = forms.CharField(label=_("New status"), max_length=16)
    note = forms.CharField(
        label=_("Note or reason"),
        required=False,
        max_length=5000,
        help_text=_("Required to reject, stop or close."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, moves=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(S.choices)
        self.fields["to_status"].widget = forms.Select(
            choices=[(m, labels[m]) for m in moves], attrs={"class": "form-select form-select-sm"}
        )

    def clean_to_status(self):
        value = self.cleaned_data["to_status"]
        # An unknown status is a bad request (400), not a forbidden one: say so plainly.
        if value not in S.values:
            raise forms.ValidationError(
                _("“%(status)s” is not a status of a case."), params={"status": value}
            )
        return value


class NoteForm(OnceForm):
    action = "note"
    body = forms.CharField(label=_("Internal note (never shown to the reporter)"), max_length=5000)


class MessageForm(OnceForm, ExpectedStatusForm):
    action = "message"
    body = forms.CharField(
        label=_("Message to the reporter (shown on the tracking page)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    question = forms.BooleanField(
        label=_("This is a question the reporter should answer"),
        required=False,
        help_text=_(
            "During triage a question sends the report back for correction (Perlu Perbaikan) and pauses the "
            "initial-assessment clock; later it simply waits for the reporter's answer."
        ),
    )

    def initial_for(self, report):
        return {**OnceForm.initial_for(self, report), **ExpectedStatusForm.initial_for(self, report)}


class AssignForm(CaseForm):
    action = "assign"
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Nobody")), ("me", _("Me"))]
        choices += [(str(u.pk), u.get_full_name() or u.username) for u in assignees]
        self.fields["assignee"].choices = choices

    def initial_for(self, report):
        return {"assignee": str(report.assigned_to_id or "")}

    def clean_assignee(self):
        value = self.cleaned_data["assignee"]
        if value == "me":
            return self.user
        if not value:
            return None
        user = User.objects.filter(pk=value, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("That person cannot be assigned."))
        return user


class PriorityForm(CaseForm):
    action = "priority"
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=workflow.PRIORITY_MIN,
        max_value=workflow.PRIORITY_MAX,
        help_text=_("Higher comes first in the queue."),
    )

    def initial_for(self, report):
        return {"priority": report.priority}


class ClarificationForm(OnceForm):
    action = "clarification"
    scheduled_for = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=_("Place"), max_length=300)
    invite_terlapor = forms.BooleanField(label=_("Invite the terlapor"), required=False, initial=True)
    invite_reporter = forms.BooleanField(label=_("Invite the reporter"), required=False)
    witnesses = forms.CharField(label=_("Witnesses"), required=False, max_length=2000)

    def initial_for(self, report):
        return {**super().initial_for(report), "invite_terlapor": True}


class MinutesForm(OnceForm):
    action = "minutes"
    clarification = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(label=_("Minutes (berita acara)"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_clarification(self):
        value = self.cleaned_data["clarification"]
        clarification = self.report.clarifications.filter(pk=value).first()
        if clarification is None:
            raise forms.ValidationError(_("That clarification is not part of this case."))
        return clarification


class SkipClarificationForm(CaseForm):
    action = "skip_clarification"
    reason = forms.CharField(
        label=_("Reason to skip clarification"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def initial_for(self, report):
        return {"reason": report.clarification_skip_reason}


class AssessmentForm(CaseForm):
    action = "assessment"
    findings = forms.CharField(
        label=_("Findings"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories violated"),
        queryset=ViolationCategory.objects.none(),
        to_field_name="slug",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=2000)
    recommended_sanction = forms.ChoiceField(
        label=_("Recommended sanction"), choices=ViolationCategory.Sanction.choices, required=False
    )
    recommended_sanction_detail = forms.ChoiceField(
        label=_("Specific sanction"), choices=_sanction_details, required=False
    )
    criminal_element = forms.BooleanField(label=_("Criminal element"), required=False)
    decision = forms.ChoiceField(label=_("Decision"), choices=Assessment.Decision.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = selectors.category_list()

    def initial_for(self, report):
        from complaints.services.workflow import criminal_element_suggested

        assessment = _related(report, "assessment")
        if assessment is None:
            return {
                "categories": [c.slug for c in report.categories.all()],
                "criminal_element": criminal_element_suggested(report),
            }
        return {
            "findings": assessment.findings,
            "categories": [c.slug for c in assessment.categories.all()],
            "legal_basis": assessment.legal_basis,
            "recommended_sanction": assessment.recommended_sanction,
            "recommended_sanction_detail": assessment.recommended_sanction_detail,
            "criminal_element": assessment.criminal_element,
            "decision": assessment.decision,
        }


class ReferralForm(CaseForm):
    action = "referral"
    letter_number = forms.CharField(label=_("Letter number"), max_length=100)
    sent_on = forms.DateField(
        label=_("Date sent"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    remind_every_days = forms.IntegerField(label=_("Remind every (days)"), min_value=1, max_value=90)

    def initial_for(self, report):
        referral = _related(report, "referral")
        if referral is None:
            return {"sent_on": today_in(report_zone(report)), "remind_every_days": 14}
        return {
            "letter_number": referral.letter_number,
            "sent_on": referral.sent_on,
            "remind_every_days": referral.remind_every_days,
        }


class OutcomeForm(CaseForm):
    action = "outcome"
    outcome = forms.ChoiceField(label=_("The agency's outcome"), choices=Referral.Outcome.choices)
    sanction = forms.ChoiceField(
        label=_("Sanction given"), choices=ViolationCategory.Sanction.choices, required=False
    )
    sanction_detail = forms.ChoiceField(
        label=_("Specific sanction"), choices=_sanction_details, required=False
    )
    note = forms.CharField(label=_("Agency letter and details"), required=False, max_length=5000)

    def initial_for(self, report):
        referral = _related(report, "referral")
        if referral is None or not referral.outcome:
            return {}
        return {
            "outcome": referral.outcome,
            "sanction": referral.outcome_sanction,
            "sanction_detail": referral.outcome_sanction_detail,
            "note": referral.outcome_note,
        }


class ExtendForm(CaseForm):
    action = "extend"
    reason = forms.CharField(label=_("Why more time is needed"), max_length=2000)


FORMS = {
    form.action: form
    for form in (
        TransitionForm,
        NoteForm,
        MessageForm,
        AssignForm,
        PriorityForm,
        ClarificationForm,
        MinutesForm,
        SkipClarificationForm,
        AssessmentForm,
        ReferralForm,
        OutcomeForm,
        ExtendForm,
    )
}
