"""Steps 1-3 of the report form: about you, terlapor, what happened."""

from django.db import transaction
from django.shortcuts import redirect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from complaints import report_steps as steps
from complaints.links import site_url
from complaints.report_views.common import (
    formset_errors,
    hide_formset_errors,
    language_code,
    next_url,
    render_step,
    saved_values,
    session_draft,
    session_draft_or_new,
)
from complaints.services import drafts
from complaints.tasks import draft_resume_email_task
from posko.numbers import small_int

# --- Step 1: about you --------------------------------------------------------------------------------------


# Error reports (500 e-mails, logs) never show what a reporter typed: identity, chronology (issue 9).
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    """Step 1, at /lapor/: anonymous or identified, and how to reach the reporter."""
    draft = session_draft(request)
    if request.method in ("GET", "HEAD"):
        values = saved_values(draft, "about")
        form = steps.AboutForm(steps.as_querydict(values)) if values is not None else steps.AboutForm()
        return render_step(request, "about", draft, {"form": form, "errors": []})
    values = steps.values_of("about", request.POST)
    form = steps.AboutForm(steps.as_querydict(values))
    valid = form.is_valid()
    draft = session_draft_or_new(request)
    drafts.draft_save_step(draft=draft, step="about", values=values, valid=valid)
    if not valid:
        errors = steps.summary({k: v for k, v in form.errors.items()})
        return render_step(request, "about", draft, {"form": form, "errors": errors}, status=400)
    email = form.cleaned_data.get("reporter_email") or ""
    if not form.cleaned_data.get("anonymous") and drafts.draft_email_wanted(draft=draft, email=email):
        base_url = site_url(request)
        draft_id = str(draft.pk)
        transaction.on_commit(lambda: draft_resume_email_task.delay(draft_id, base_url))
    return redirect(next_url(request, "about"))


# --- Step 2: terlapor ---------------------------------------------------------------------------------------


# Error reports (500 e-mails, logs) never show what a reporter typed: identity, chronology (issue 9).
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "HEAD", "POST"])
def report_accused(request):
    draft = session_draft(request)
    if request.method in ("GET", "HEAD"):
        formset = steps.accused_formset(saved_values(draft, "accused"))
        return render_step(request, "accused", draft, {"formset": formset, "errors": []})
    values = steps.values_of("accused", request.POST)
    action = request.POST.get("_action", "continue")
    if action == "add-accused":
        steps.rows_add(values, "accused")
    elif action.startswith("remove-accused-") and (row := small_int(action.rsplit("-", 1)[1])) is not None:
        steps.rows_remove(values, "accused", row)
    formset = steps.accused_formset(values)
    valid = formset.is_valid()
    draft = session_draft_or_new(request)
    drafts.draft_save_step(draft=draft, step="accused", values=values, valid=valid)
    if action == "continue" and valid:
        return redirect(next_url(request, "accused"))
    context = {"formset": formset, "errors": []}
    if action == "continue":
        context["errors"] = steps.summary(formset_errors(formset, "accused"))
        return render_step(request, "accused", draft, context, status=400)
    hide_formset_errors(formset)
    return render_step(request, "accused", draft, context)


# --- Step 3: what happened ----------------------------------------------------------------------------------


# Error reports (500 e-mails, logs) never show what a reporter typed: identity, chronology (issue 9).
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "HEAD", "POST"])
def report_incident(request):
    draft = session_draft(request)
    if request.method in ("GET", "HEAD"):
        values = saved_values(draft, "incident")
        form = steps.IncidentForm(steps.as_querydict(values)) if values is not None else steps.IncidentForm()
        if values is not None:
            form.is_valid()
            form._errors = {}
        return _render_incident(request, draft, form, [])
    values = steps.values_of("incident", request.POST)
    action = request.POST.get("_action", "continue")
    form = steps.IncidentForm(steps.as_querydict(values))
    valid = form.is_valid()
    draft = session_draft_or_new(request)
    drafts.draft_save_step(draft=draft, step="incident", values=values, valid=valid)
    if action == "continue" and valid:
        filing = form.filing_status()
        # A late report is still accepted, but the reporter reads the warning here, on the step with the
        # dates, before going on (pressing "continue" again goes on).
        if (
            not (filing and filing["late"])
            or request.POST.get("_late_seen") == filing["deadline"].isoformat()
        ):
            return redirect(next_url(request, "incident"))
        return _render_incident(request, draft, form, [])
    if action != "continue":
        form._errors = {}  # "load the next level" of the region picker: re-show without judging
        return _render_incident(request, draft, form, [])
    errors = steps.summary({k: v for k, v in form.errors.items()})
    return _render_incident(request, draft, form, errors, status=400)


def _render_incident(request, draft, form, errors, *, status=200):
    # The late-filing warning shows on this step, as soon as the election and the dates are known.
    filing = form.filing_status() if form.is_bound and hasattr(form, "cleaned_data") else None
    context = {
        "form": form,
        "errors": errors,
        "filing": filing,
        "category_groups": steps.category_groups(form, language_code()),
    }
    return render_step(request, "incident", draft, context, status=status)
