"""Check your answers and send; resuming a draft by its link; the PIN for the receipt PDF."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from complaints import report_steps as steps
from complaints.forms import ReportSubmission
from complaints.models import Report
from complaints.report_views.common import (
    DRAFT_KEY,
    RECEIPT_PINS_KEY,
    RECEIPTS_KEY,
    form_limits,
    language_code,
    resume_link,
    session_draft,
)
from complaints.services import botcheck, drafts, limits
from complaints.services.tracking import client_address

# --- Check your answers, and send ---------------------------------------------------------------------------


# Error reports (500 e-mails, logs) never show what a reporter typed: identity, chronology (issue 9).
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "HEAD", "POST"])
def report_check(request):
    draft = session_draft(request)
    if draft is None:
        return redirect("complaints:report_create")
    submission = ReportSubmission(drafts.draft_form_data(draft), None)
    valid = submission.is_valid()
    missing = [s for s in steps.STEP_NAMES if s not in draft.done]
    limited = None
    if request.method == "POST" and valid and not missing:
        # Over the per-address limit the page answers 429 and the draft stays as it is: the reporter sends it
        # again later, nothing typed is lost (issue 9 item 4).
        try:
            limits.submission_slot_take(client=client_address(request))
        except limits.SubmissionLimited as exc:
            limited = exc
    if request.method == "POST" and valid and not missing and limited is None:
        verdict = botcheck.bot_check_verify(
            payload=request.POST.get(botcheck.FIELD, ""),
            honeypot=request.POST.get(botcheck.HONEYPOT_FIELD, ""),
        )
        try:
            receipt = drafts.draft_submit(
                draft=draft, submission=submission, language=get_language() or "id", bot_check=verdict
            )
        except drafts.DraftGone:
            # Sent already (a second press of the button, or another tab): nothing is filed twice.
            request.session.pop(DRAFT_KEY, None)
            return redirect("complaints:report_create")
        request.session.pop(DRAFT_KEY, None)
        code = receipt.report.tracking_code
        receipts = request.session.get(RECEIPTS_KEY, {})
        receipts[code] = receipt.pin
        request.session[RECEIPTS_KEY] = receipts
        _keep_pin_for_pdf(request, code, receipt.pin)
        return redirect("complaints:receipt", code=code)
    errors = []
    if request.method == "POST" or missing:
        for step in missing:
            url = reverse(dict((n, u) for n, u, _t in steps.STEPS)[step])
            title = dict((n, t) for n, _u, t in steps.STEPS)[step]
            errors.append({"href": url, "message": _("Complete this step: %(step)s") % {"step": title}})
        if not valid:
            urls = {n: reverse(u) for n, u, _t in steps.STEPS}
            for key, messages in submission.errors.items():
                target = urls[steps.step_of_field(key)] + "#" + steps.field_anchor(key)
                errors.extend({"href": target, "message": m} for m in messages)
    if limited is not None:
        errors.insert(0, {"href": "#send-form", "message": limited.message})
    context = {
        "draft": draft,
        "sub": submission,
        "valid": valid and not missing,
        "errors": errors,
        "answers": _answers(draft, submission),
        "resume_link": resume_link(request),
        "limits": form_limits(),
        "filing": submission.form.filing_status() if hasattr(submission.form, "cleaned_data") else None,
    }
    context["honeypot_field"] = botcheck.HONEYPOT_FIELD
    status = 400 if request.method == "POST" else 200
    if limited is not None:
        response = render(request, "complaints/report/check.html", context, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return render(request, "complaints/report/check.html", context, status=status)


@never_cache
@require_safe
def report_bot_challenge(request):
    """A fresh ALTCHA challenge for the widget on the check page (services/botcheck.py)."""
    return JsonResponse(botcheck.bot_challenge_new())


def _answers(draft, submission) -> dict:
    """What the check page lists, from the validated data where it validated and the raw values elsewhere."""
    form = submission.form
    data = getattr(form, "cleaned_data", {}) or {}
    language = language_code()
    return {
        "data": data,
        "categories": [c.label(language) for c in data.get("categories") or []],
        "accused": submission.accused_items(),
        "files": drafts.draft_uploads(draft),
        "links": submission.link_items(),
        "anonymous_label": dict(form.fields["anonymous"].choices).get(
            "true" if data.get("anonymous") else "false", ""
        ),
        "reporter_type_label": dict(Report.ReporterType.choices).get(data.get("reporter_type") or "", ""),
    }


def _keep_pin_for_pdf(request, code: str, pin: str) -> None:
    import time

    pins = request.session.get(RECEIPT_PINS_KEY, {})
    pins[code] = {"pin": pin, "until": time.time() + settings.POSKO_RECEIPT_PIN_MINUTES * 60}
    request.session[RECEIPT_PINS_KEY] = pins


def receipt_pin_for_pdf(request, code: str) -> str:
    """The PIN, for the receipt PDF downloaded soon after sending (POSKO_RECEIPT_PIN_MINUTES), else ''."""
    import time

    entry = (request.session.get(RECEIPT_PINS_KEY) or {}).get(code) or {}
    return entry.get("pin", "") if entry.get("until", 0) > time.time() else ""


# --- Resume -------------------------------------------------------------------------------------------------


# The resume code is a secret: error reports never show it (issue 9).
@sensitive_variables()
@require_safe
def report_resume(request):
    """Open a draft by its resume link (kept on the device, or e-mailed) in this browser. An unknown or
    expired code answers 404 and says nothing more."""
    code = request.GET.get("kode", "")[:64]
    draft = drafts.draft_get(code)
    if draft is None:
        return render(request, "complaints/report/resume_missing.html", status=404)
    request.session[DRAFT_KEY] = code
    request.session.cycle_key()
    for name, url, _title in steps.STEPS:
        if name not in draft.done:
            return redirect(url)
    return redirect("complaints:report_check")
