"""The audit trail page (/staf/audit/, issue 9): for coordinators, who revealed a reporter's identity, opened or
downloaded an original, or exported, in their jurisdiction, filtered by person, case and dates. A thin door:
the form reads the filters, complaints.selectors.audit reads the trail."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from complaints.selectors import audit
from complaints.services import access


class AuditForm(forms.Form):
    person = forms.CharField(required=False, max_length=150, label=gettext_lazy("Person (user name)"))
    case = forms.CharField(
        required=False, max_length=60, label=gettext_lazy("Case (number, tracking code or id)")
    )
    since = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The first day comes after the last."))
        return data


@login_required
@require_safe
def audit_trail_view(request):
    if not access.role_of(request.user):
        raise Http404
    if not request.user.has_perm("complaints.view_audit"):
        raise PermissionDenied(_("The audit trail is for coordinators."))
    form = AuditForm(request.GET or None)
    entries, more = [], False
    if form.is_bound and not form.is_valid():
        filters = None
    else:
        filters = audit.AuditFilters(**(form.cleaned_data if form.is_bound else {}))
        entries, more = audit.audit_trail(request.user, filters)
    return render(
        request,
        "complaints/staff/audit.html",
        {
            "form": form,
            "entries": entries,
            "more": more,
            "limit": audit.LIMIT,
            "people": audit.audit_people(request.user),
        },
    )
