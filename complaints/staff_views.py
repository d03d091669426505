"""The staff area (/staf/): the triage queue, one case on one screen with the actions its state allows, the
registry of reported civil servants. Thin doors: forms validate, services act, selectors read."""

import functools
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from complaints import case_forms, deadlines, selectors
from complaints.models import Assessment, Person, Referral, Report, StaffProfile
from complaints.selectors import approvals, lookup
from complaints.selectors import cases as case_selectors
from complaints.services import access, workflow
from complaints.staff_render import queue_rows_html
from complaints.timezones import report_zone, today_in
from evidence.access import can_open_originals
from posko.numbers import small_int

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
        choices=[
            ("", gettext_lazy("Default")),
            ("open", gettext_lazy("All open")),
            ("all", gettext_lazy("All, closed included")),
        ]
        + list(S.choices),
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
        # The two columns a choice needs, not whole rows (a category carries its examples and legal basis).
        self.fields["election"].choices = [("", "—"), *selectors.election_list().values_list("slug", "name")]
        self.fields["category"].choices = [("", "—"), *selectors.category_list().values_list("slug", "name")]


@login_required
def case_queue_view(request):
    _staff_or_404(request)
    form = QueueForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = case_selectors.QueueFilters(
        **{k: v for k, v in data.items() if k != "page" and v not in (None,)}
    )
    page = case_selectors.queue_page(
        case_selectors.case_queue(request.user, filters),
        data.get("page") or 1,
        # A search's matches are counted up to a cap (the exact count read every match); the queue's own
        # count comes from an index and stays exact.
        count_cap=case_selectors.SEARCH_COUNT_CAP if filters.q.strip() else None,
    )
    _queue_rows_display(page["rows"])
    page["rows_html"] = queue_rows_html(page["rows"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/staff/queue.html",
        {
            "form": form,
            **page,
            "query": query.urlencode(),
            "assignees": access.case_workers_near(request.user),
            "role": access.role_of(request.user),
        },
    )


def _queue_rows_display(rows: list[Report]) -> None:
    """What each row of the queue shows, worked out in Python once per page: a status's label translated, a day
    formatted and a category's name shortened once however many rows share them; terlapor and categories joined
    here rather than by template loops over related managers. Rendering the rows cost more than the page's
    queries (a profile of /staf/ at 50,000 reports: 118 ms of CPU against the selector's 58, on a busy machine)."""
    label = functools.cache(lambda status: str(dict(S.choices).get(status, status)))
    day = functools.cache(lambda value: formats.date_format(value, "j M Y"))
    category_name = functools.cache(lambda name: Truncator(name).chars(50))
    for row in rows:
        row.status_label = label(row.status)
        # The calendar day in the report's own zone (as the zoned_date filter shows it).
        row.created_day = day(timezone.localtime(row.created_at, report_zone(row).tz).date())
        row.due_day = day(row.due_on) if row.due_on else ""
        row.url = reverse("staff:case", args=[row.pk])  # a {% url %} per row took twice as long
        row.category_text = "; ".join(category_name(c.name) for c in row.queue_categories)
        row.accused_text = "\n".join(
            f"{a.name}, {a.position}" if a.position else a.name for a in row.queue_accused
        )


def _next_or(request, fallback: str) -> str:
    """`next` from the form when it points into this site; otherwise the fallback (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def case_bulk(request):
    """Bulk actions on the selected reports: claim, assign, start triage, reject as spam."""
    _staff_or_404(request)
    # Anything but a number of a size a database id can have is no report (never a 500).
    ids = [pk for i in request.POST.getlist("ids") if (pk := small_int(i)) is not None][:200]
    action = request.POST.get("action", "")
    reports = list(access.reports_for_user(request.user).filter(pk__in=ids))
    done, failed, reasons = 0, [], []
    for report in reports:
        try:
            if action == "claim":
                workflow.case_assign(report=report, user=request.user, assignee=request.user)
            elif action == "assign":
                pk = small_int(request.POST.get("assignee") or "")
                assignee = User.objects.filter(pk=pk).first() if pk is not None else None
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
        except ValidationError as exc:  # says why (e.g. the assignee cannot see this case)
            failed.append(report.tracking_code)
            reasons.append(f"{report.tracking_code}: {' '.join(exc.messages)}")
        except (PermissionDenied, workflow.Conflict):
            failed.append(report.tracking_code)
    if done:
        messages.success(request, _("%(n)d report(s) updated.") % {"n": done})
    if failed:
        messages.warning(
            request,
            _("Not changed (not allowed now, or changed by someone else): %(codes)s")
            % {"codes": ", ".join(failed)},
        )
    for reason in reasons[:10]:
        messages.warning(request, reason)
    return redirect(_next_or(request, reverse("staff:home")))


def _checklist(report: Report) -> list:
    evidence = report.evidence.all()
    return [
        (
            _("Reporter identified (name, address, contact)"),
            not report.anonymous and bool(report.reporter_name),
        ),
        (_("Reporter entitled (voter, participant, monitor)"), bool(report.reporter_type)),
        (_("Terlapor named"), any(a.name for a in report.accused.all())),
        (_("Filed within the filing window"), not report.late),
        (_("Time and place of the incident"), bool(report.incident_date and report.incident_place)),
        (_("What happened is described"), len(report.chronology) >= 20),
        (_("Evidence present"), bool(evidence)),
        (_("Evidence processed"), all(e.status == "ready" for e in evidence) and bool(evidence)),
    ]


def _case_forms(report: Report, user, moves, assignees, bound=None) -> dict:
    """Every form of the case page, starting from what is saved; `bound` is the one just posted with an error."""
    extra = {"transition": {"moves": moves}, "assign": {"assignees": assignees}}
    forms_ = {
        action: form_class(report=report, user=user, **extra.get(action, {}))
        for action, form_class in case_forms.FORMS.items()
    }
    if bound is not None:
        forms_[bound.action] = bound
    # One minutes form per clarification still without minutes, each with its own one-time token.
    for clarification in report.clarifications.all():
        if (
            bound is not None
            and bound.action == "minutes"
            and bound.data.get("clarification") == str(clarification.pk)
        ):
            form = bound
        else:
            form = case_forms.MinutesForm(report=report, user=user)
            form.initial["clarification"] = clarification.pk
        form.auto_id = (
            f"id_minutes_{clarification.pk}_%s"  # unique ids when several sessions wait for minutes
        )
        clarification.minutes_form = form
    return forms_


def _case_page(request, report: Report, *, bound=None, status: int = 200, problem: str = ""):
    """The case page: everything on one screen, with the forms its state allows. Rendered in the case's time
    zone, so every time on it (and every date typed into it) is the region's own."""
    user = request.user
    zone = report_zone(report)
    moves = workflow.allowed_moves(report, user)
    assignees = list(access.case_workers_for(report))
    hints = case_selectors.duplicate_hints(user, report) if report.is_open else {"visible": [], "outside": 0}
    if report.new_answer_at and (report.assigned_to_id == user.pk or not report.assigned_to_id):
        # The person handling the case (or anyone, while nobody is assigned) has now seen the answer.
        Report.objects.filter(pk=report.pk, new_answer_at=report.new_answer_at).update(new_answer_at=None)
    with timezone.override(zone.tz):
        return render(
            request,
            "complaints/staff/case.html",
            {
                "report": report,
                "zone": zone,
                "moves": moves,
                "clock": deadlines.case_clock(report),
                "checklist": _checklist(report),
                "status_labels": dict(S.choices),
                "suggestions": hints["visible"],
                "duplicates_outside": hints["outside"],
                "items": case_selectors.evidence_for_display(user, list(report.evidence.all())),
                "region_path": selectors.region_path(report.incident_region),
                "can_open_originals": can_open_originals(user),
                "can_reveal": access.can_reveal_identity(user),
                "role": access.role_of(user),
                "criminal_suggested": workflow.criminal_element_suggested(report),
                "agency_today": workflow.referral_agency_for(report, today_in(zone)),
                # Loaded with the case (select_related); a missing one-to-one raises instead of answering None.
                "assessment": _related_or_none(report, "assessment"),
                "referral": _related_or_none(report, "referral"),
                "forms": _case_forms(report, user, moves, assignees, bound),
                "problem": problem,
                "problem_action": bound.action if bound is not None else "",
                "can_assess": report.status == S.ASSESSMENT or S.ASSESSMENT in moves,
                "revealed": request.session.pop(f"revealed-{report.pk}", None),
            },
            status=status,
        )


@login_required
def case_detail(request, pk: int):
    return _case_page(request, _get_case_for_user(request, pk))


def _related_or_none(report: Report, name: str):
    try:
        return getattr(report, name)
    except (Assessment.DoesNotExist, Referral.DoesNotExist):
        return None


def _act(action: str, report: Report, user, data: dict, files) -> object:
    """Call the service behind a case form with its cleaned data. Returns what the service returned; False or
    an object marked `changed = False` means it was saved unchanged."""
    if action == "transition":
        return workflow.case_transition(
            report=report,
            user=user,
            to_status=data["to_status"],
            note=data["note"],
            expected_status=data["expected_status"] or None,
        )
    if action == "note":
        return workflow.case_note(report=report, user=user, body=data["body"], token=data["token"])
    if action == "message":
        return workflow.message_send(
            report=report,
            user=user,
            body=data["body"],
            question=data["question"],
            expected_status=data["expected_status"] or None,
            token=data["token"],
        )
    if action == "assign":
        return workflow.case_assign(report=report, user=user, assignee=data["assignee"])
    if action == "priority":
        return workflow.case_set_priority(report=report, user=user, priority=data["priority"])
    if action == "clarification":
        return workflow.clarification_schedule(
            report=report,
            user=user,
            scheduled_for=data["scheduled_for"],
            place=data["place"],
            invite_terlapor=data["invite_terlapor"],
            invite_reporter=data["invite_reporter"],
            witnesses=data["witnesses"],
            token=data["token"],
        )
    if action == "minutes":
        return workflow.clarification_minutes(
            clarification=data["clarification"],
            user=user,
            minutes=data["minutes"],
            files=files.getlist("files"),
            token=data["token"],
        )
    if action == "skip_clarification":
        return workflow.clarification_skip(report=report, user=user, reason=data["reason"])
    if action == "assessment":
        return workflow.assessment_record(
            report=report,
            user=user,
            findings=data["findings"],
            categories=list(data["categories"]),
            legal_basis=data["legal_basis"],
            recommended_sanction=data["recommended_sanction"],
            recommended_sanction_detail=data["recommended_sanction_detail"],
            criminal_element=data["criminal_element"],
            decision=data["decision"],
        )
    if action == "referral":
        return workflow.referral_record(
            report=report,
            user=user,
            letter_number=data["letter_number"],
            sent_on=data["sent_on"],
            remind_every_days=data["remind_every_days"],
        )
    if action == "outcome":
        return workflow.referral_outcome(
            report=report,
            user=user,
            outcome=data["outcome"],
            sanction=data["sanction"],
            sanction_detail=data["sanction_detail"],
            note=data["note"],
        )
    if action == "extend":
        return workflow.decision_extend(report=report, user=user, reason=data["reason"])
    raise Http404


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _done(request, report: Report, anchor: str):
    """After a successful action: the page in place for htmx, else POST-redirect-GET to the case."""
    if _is_htmx(request):
        fresh = _get_case_for_user(request, report.pk)
        return _case_page(request, fresh)
    return redirect(reverse("staff:case", args=[report.pk]) + f"#{anchor}")


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """Every action on a case posts here. Success: the case page again (in place under htmx, else through a
    redirect). A problem: the case page with the form as it was sent and the reason beside it, answering 400
    (something to correct), 403 (not this user's to do, and why) or 409 (someone else acted first, with the
    case's state now)."""
    report = _get_case_for_user(request, pk)
    user, post = request.user, request.POST
    if action in ("reveal", "merge", "absorb"):
        return _identity_and_merge(request, report, action)
    form_class = case_forms.FORMS.get(action)
    if form_class is None:
        raise Http404
    extra = {}
    if action == "transition":
        extra = {"moves": workflow.allowed_moves(report, user)}
    elif action == "assign":
        extra = {"assignees": User.objects.filter(posko__isnull=False, is_active=True).order_by("username")}
    with timezone.override(report_zone(report).tz):  # a typed date and time is the case's local time
        form = form_class(post, request.FILES, report=report, user=user, **extra)
        if not form.is_valid():
            return _case_page(
                request,
                report,
                bound=form,
                status=400,
                problem=_("Nothing was saved: correct the marked fields and send again."),
            )
        try:
            result = _act(action, report, user, form.cleaned_data, request.FILES)
        except workflow.Conflict as exc:
            # What was typed is kept; the form now expects the state the case is in.
            fresh = _get_case_for_user(request, report.pk)
            data = post.copy()
            data["expected_status"] = fresh.status
            extra = {"moves": workflow.allowed_moves(fresh, user)} if action == "transition" else extra
            again = form_class(data, request.FILES, report=fresh, user=user, **extra)
            return _case_page(request, fresh, bound=again, status=409, problem=exc.message)
        except PermissionDenied as exc:
            return _case_page(request, report, bound=form, status=403, problem=_refusal_text(exc, user))
        except ValidationError as exc:
            form.add_error(None, exc)
            return _case_page(request, report, bound=form, status=400, problem=" ".join(exc.messages))
    unchanged = result is False or getattr(result, "changed", True) is False
    if unchanged:
        messages.info(request, _("Nothing had changed, so nothing new was recorded."))
    else:
        messages.success(request, _("Saved."))
    return _done(request, report, action)


def _refusal_text(exc: PermissionDenied, user) -> str:
    detail = str(exc).strip()
    role = dict(StaffProfile.Role.choices).get(access.role_of(user), "")
    return detail or _("This is not yours to do on this case (your role: %(role)s).") % {"role": role}


def _identity_and_merge(request, report: Report, action: str):
    """Revealing the reporter and merging duplicates (their rules are the accounts work's, issue 10)."""
    user, post = request.user, request.POST
    try:
        if action == "reveal":
            request.session[f"revealed-{report.pk}"] = workflow.identity_reveal(
                report=report, user=user, reason=post.get("reason", "")
            )
        elif action == "merge":
            into = _get_case_for_user(request, int(post.get("into") or 0))
            workflow.case_merge(duplicate=report, into=into, user=user, note=post.get("note", ""))
            messages.success(
                request, _("Merged into %(code)s.") % {"code": into.case_number or into.tracking_code}
            )
            target = reverse("staff:case", args=[into.pk])
            if _is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        else:
            duplicate = _get_case_for_user(request, int(post.get("duplicate") or 0))
            workflow.case_merge(duplicate=duplicate, into=report, user=user, note=post.get("note", ""))
        messages.success(request, _("Saved."))
    except workflow.Conflict as exc:
        return _case_page(request, _get_case_for_user(request, report.pk), status=409, problem=exc.message)
    except PermissionDenied as exc:
        return _case_page(request, report, status=403, problem=_refusal_text(exc, user))
    except ValidationError as exc:
        return _case_page(request, report, status=400, problem=" ".join(exc.messages))
    except (ValueError, TypeError):
        return _case_page(
            request,
            report,
            status=400,
            problem=_("Some of the values were not understood; nothing was changed."),
        )
    return _done(request, report, action)


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
            "items": case_selectors.evidence_for_display(request.user, list(report.evidence.all())),
            "region_path": selectors.region_path(report.incident_region),
            "can_open_originals": can_open_originals(request.user),
        },
    )


@login_required
def staff_search(request):
    """The search box of the staff navigation: an exact case number, tracking code or NIP opens the case (or the
    terlapor's page); anything else is the queue's full-text search over every case in the jurisdiction."""
    _staff_or_404(request)
    text = request.GET.get("q", "").strip()
    found = lookup.staff_lookup(request.user, text)
    if found.case is not None:
        return redirect("staff:case", pk=found.case.pk)
    if found.person is not None:
        return redirect("staff:person", pk=found.person.pk)
    if not text:
        return redirect("staff:home")
    return redirect(reverse("staff:home") + "?" + urlencode({"q": text, "status": "all"}))


@login_required
def approvals_inbox(request):
    """What waits for this coordinator: referrals to forward and decisions that close a case."""
    _staff_or_404(request)
    if not access.has_role(request.user, StaffProfile.Role.KOORDINATOR):
        raise PermissionDenied(
            _("The approvals inbox is for coordinators, who approve referrals and decisions that end a case.")
        )
    rows = approvals.approvals_for_user(request.user)
    return render(request, "complaints/staff/approvals.html", {"rows": rows})
