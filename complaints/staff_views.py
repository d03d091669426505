"""The staff area (/staf/): the triage queue, one case on one screen with the actions its state allows, the
registry of reported civil servants. Thin doors: forms validate, services act, selectors read."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaints import deadlines, selectors
from complaints.models import (
    Assessment,
    Clarification,
    Person,
    Referral,
    Report,
    SanctionDetail,
    ViolationCategory,
)
from complaints.selectors import cases as case_selectors
from complaints.services import access, workflow
from evidence.access import can_open_originals

S = Report.Status


def _staff_or_404(request):
    if not access.role_of(request.user):
        raise Http404


def _get_case_for_user(request, pk) -> Report:
    """One access helper per object (STYLE.md practice 2): 404 when the case is missing or outside the user's
    jurisdiction, or the user has no staff role."""
    _staff_or_404(request)
    report = case_selectors.case_for_user(request.user, pk)
    if report is None:
        raise Http404
    return report


class QueueForm(forms.Form):
    q = forms.CharField(required=False, label=gettext_lazy("Search"))
    status = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("Default")), ("open", gettext_lazy("All open"))] + list(S.choices),
        label=gettext_lazy("Status"),
    )
    region = forms.CharField(required=False, label=gettext_lazy("Region code"))
    election = forms.ChoiceField(required=False, label=gettext_lazy("Election"))
    category = forms.ChoiceField(required=False, label=gettext_lazy("Category"))
    evidence_kind = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Evidence"),
        choices=[
            ("", "—"),
            ("photo", gettext_lazy("Photo")),
            ("video", gettext_lazy("Video")),
            ("document", gettext_lazy("Document")),
            ("link", gettext_lazy("Link")),
        ],
    )
    late = forms.BooleanField(required=False, label=gettext_lazy("Late"))
    overdue = forms.BooleanField(required=False, label=gettext_lazy("Overdue"))
    mine = forms.BooleanField(required=False, label=gettext_lazy("Assigned to me"))
    sort = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Order"),
        choices=[
            ("oldest", gettext_lazy("Oldest first")),
            ("priority", gettext_lazy("Priority")),
            ("due", gettext_lazy("Deadline")),
            ("newest", gettext_lazy("Newest first")),
        ],
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
        self.fields["election"].choices = [("", "—")] + [(e.slug, e.name) for e in selectors.election_list()]
        self.fields["category"].choices = [("", "—")] + [(c.slug, c.name) for c in selectors.category_list()]


@login_required
def case_queue_view(request):
    _staff_or_404(request)
    form = QueueForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = case_selectors.QueueFilters(
        **{k: v for k, v in data.items() if k != "page" and v not in (None,)}
    )
    page = case_selectors.queue_page(case_selectors.case_queue(request.user, filters), data.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/staff/queue.html",
        {
            "form": form,
            **page,
            "query": query.urlencode(),
            "assignees": User.objects.filter(posko__isnull=False, is_active=True).order_by("username"),
            "role": access.role_of(request.user),
        },
    )


@login_required
@require_POST
def case_bulk(request):
    """Bulk actions on the selected reports: claim, assign, start triage, reject as spam."""
    _staff_or_404(request)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:200]
    action = request.POST.get("action", "")
    reports = list(access.reports_for_user(request.user).filter(pk__in=ids))
    done, failed = 0, []
    for report in reports:
        try:
            if action == "claim":
                workflow.case_assign(report=report, user=request.user, assignee=request.user)
            elif action == "assign":
                assignee = User.objects.filter(pk=request.POST.get("assignee") or 0).first()
                workflow.case_assign(report=report, user=request.user, assignee=assignee)
            elif action == "triage":
                workflow.case_transition(report=report, user=request.user, to_status=S.TRIAGE)
            elif action == "reject":
                workflow.case_transition(
                    report=report,
                    user=request.user,
                    to_status=S.REJECTED,
                    note=request.POST.get("note") or _("Spam or out of scope (bulk)."),
                )
            else:
                raise ValidationError(_("Unknown action."))
            done += 1
        except (PermissionDenied, ValidationError, workflow.Conflict):
            failed.append(report.tracking_code)
    if done:
        messages.success(request, _("%(n)d report(s) updated.") % {"n": done})
    if failed:
        messages.warning(
            request,
            _("Not changed (not allowed now, or changed by someone else): %(codes)s")
            % {"codes": ", ".join(failed)},
        )
    return redirect(request.POST.get("next") or reverse("staff:home"))


@login_required
def case_detail(request, pk: int):
    report = _get_case_for_user(request, pk)
    user = request.user
    moves = workflow.allowed_moves(report, user)
    clock = deadlines.case_clock(report)
    checklist = [
        (
            _("Reporter identified (name, address, contact)"),
            not report.anonymous and bool(report.reporter_name),
        ),
        (_("Reporter entitled (voter, participant, monitor)"), bool(report.reporter_type)),
        (_("Terlapor named"), any(a.name for a in report.accused.all())),
        (_("Filed within the filing window"), not report.late),
        (_("Time and place of the incident"), bool(report.incident_date and report.incident_place)),
        (_("What happened is described"), len(report.chronology) >= 20),
        (_("Evidence present"), bool(report.evidence.all())),
        (
            _("Evidence processed"),
            all(e.status == "ready" for e in report.evidence.all()) and bool(report.evidence.all()),
        ),
    ]
    return render(
        request,
        "complaints/staff/case.html",
        {
            "report": report,
            "moves": moves,
            "clock": clock,
            "checklist": checklist,
            "status_labels": dict(S.choices),
            "suggestions": case_selectors.duplicate_suggestions(user, report) if report.is_open else [],
            "items": list(report.evidence.all()),
            "region_path": selectors.region_path(report.incident_region),
            "can_open_originals": can_open_originals(user),
            "can_reveal": access.can_reveal_identity(user),
            "role": access.role_of(user),
            "categories": selectors.category_list(),
            "criminal_suggested": workflow.criminal_element_suggested(report),
            "agency_today": workflow.referral_agency_for(report, timezone.localdate()),
            # Loaded with the case (select_related); a missing one-to-one raises instead of answering None.
            "assessment": _related_or_none(report, "assessment"),
            "referral": _related_or_none(report, "referral"),
            "assignees": User.objects.filter(posko__isnull=False, is_active=True).order_by("username"),
            "decisions": Assessment.Decision.choices,
            "sanctions": ViolationCategory.Sanction.choices,
            "sanction_details": SanctionDetail.grouped(),
            "outcomes": Referral.Outcome.choices,
            "revealed": request.session.pop(f"revealed-{report.pk}", None),
        },
    )


def _related_or_none(report: Report, name: str):
    try:
        return getattr(report, name)
    except (Assessment.DoesNotExist, Referral.DoesNotExist):
        return None


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None


def _datetime(value: str) -> dt.datetime:
    try:
        return timezone.make_aware(dt.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a date and time.")) from None


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """Every action on a case posts here; the outcome comes back as a message on the case page."""
    report = _get_case_for_user(request, pk)
    user, post = request.user, request.POST
    expected = post.get("expected_status") or None
    try:
        if action == "transition":
            workflow.case_transition(
                report=report,
                user=user,
                to_status=post.get("to_status", ""),
                note=post.get("note", ""),
                expected_status=expected,
            )
        elif action == "note":
            workflow.case_note(report=report, user=user, body=post.get("body", ""))
        elif action == "message":
            workflow.message_send(
                report=report,
                user=user,
                body=post.get("body", ""),
                question=post.get("question") == "1",
                expected_status=expected,
            )
        elif action == "assign":
            assignee = (
                User.objects.filter(pk=post.get("assignee") or 0).first()
                if post.get("assignee") != "me"
                else user
            )
            workflow.case_assign(report=report, user=user, assignee=assignee)
        elif action == "priority":
            workflow.case_set_priority(report=report, user=user, priority=int(post.get("priority") or 0))
        elif action == "reveal":
            request.session[f"revealed-{report.pk}"] = workflow.identity_reveal(
                report=report, user=user, reason=post.get("reason", "")
            )
        elif action == "merge":
            into = _get_case_for_user(request, int(post.get("into") or 0))
            workflow.case_merge(duplicate=report, into=into, user=user, note=post.get("note", ""))
            messages.success(
                request, _("Merged into %(code)s.") % {"code": into.case_number or into.tracking_code}
            )
            return redirect("staff:case", pk=into.pk)
        elif action == "absorb":
            duplicate = _get_case_for_user(request, int(post.get("duplicate") or 0))
            workflow.case_merge(duplicate=duplicate, into=report, user=user, note=post.get("note", ""))
        elif action == "clarification":
            workflow.clarification_schedule(
                report=report,
                user=user,
                scheduled_for=_datetime(post.get("scheduled_for")),
                place=post.get("place", ""),
                invite_terlapor=bool(post.get("invite_terlapor")),
                invite_reporter=bool(post.get("invite_reporter")),
                witnesses=post.get("witnesses", ""),
            )
        elif action == "minutes":
            clarification = get_object_or_404(Clarification, pk=post.get("clarification"), report=report)
            workflow.clarification_minutes(
                clarification=clarification,
                user=user,
                minutes=post.get("minutes", ""),
                files=request.FILES.getlist("files"),
            )
        elif action == "skip_clarification":
            workflow.clarification_skip(report=report, user=user, reason=post.get("reason", ""))
        elif action == "assessment":
            workflow.assessment_record(
                report=report,
                user=user,
                findings=post.get("findings", ""),
                categories=ViolationCategory.objects.filter(slug__in=post.getlist("categories")),
                legal_basis=post.get("legal_basis", ""),
                recommended_sanction=post.get("recommended_sanction", ""),
                recommended_sanction_detail=post.get("recommended_sanction_detail", ""),
                criminal_element=bool(post.get("criminal_element")),
                decision=post.get("decision", ""),
            )
        elif action == "referral":
            workflow.referral_record(
                report=report,
                user=user,
                letter_number=post.get("letter_number", ""),
                sent_on=_date(post.get("sent_on")),
                remind_every_days=int(post.get("remind_every_days") or 14),
            )
        elif action == "outcome":
            workflow.referral_outcome(
                report=report,
                user=user,
                outcome=post.get("outcome", ""),
                sanction=post.get("sanction", ""),
                sanction_detail=post.get("sanction_detail", ""),
                note=post.get("note", ""),
            )
        elif action == "extend":
            workflow.decision_extend(report=report, user=user, reason=post.get("reason", ""))
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except workflow.Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (ValueError, TypeError):
        messages.error(request, _("Some of the values were not understood; nothing was changed."))
    return redirect(reverse("staff:case", args=[report.pk]) + f"#{action}")


@login_required
def person_detail(request, pk: int):
    _staff_or_404(request)
    person = get_object_or_404(Person, pk=pk)
    cases = list(case_selectors.person_cases(request.user, person))
    if not cases:
        raise Http404  # nothing of theirs in this user's jurisdiction
    return render(request, "complaints/staff/person.html", {"person": person, "cases": cases})


@login_required
def staff_report_evidence(request, pk: int):
    """The evidence of one report, with previews, metadata and duplicates (also part of the case page)."""
    report = _get_case_for_user(request, pk)
    return render(
        request,
        "complaints/staff_report_evidence.html",
        {
            "report": report,
            "items": list(report.evidence.all()),
            "region_path": selectors.region_path(report.incident_region),
            "can_open_originals": can_open_originals(request.user),
        },
    )
