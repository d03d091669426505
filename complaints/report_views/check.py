"""Check your answers and send; resuming a draft by its link; the PIN for the receipt PDF."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
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
from complaints.services import drafts

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
    if request.method == "POST" and valid and not missing:
        try:
            receipt = drafts.draft_submit(draft=draft, submission=submission, language=get_language() or "id")
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
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/report/check.html", context, status=status)


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
