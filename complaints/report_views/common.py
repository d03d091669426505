"""What every step of the report form shares: the draft of this browser, limits, rendering, errors."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from complaints import report_steps as steps
from complaints.services import drafts

DRAFT_KEY = "posko_draft"
RECEIPTS_KEY = "posko_receipts"
RECEIPT_PINS_KEY = "posko_receipt_pins"


def session_draft(request):
    """The draft this browser is writing (its code is kept in the session), or None."""
    code = request.session.get(DRAFT_KEY)
    return drafts.draft_get(code) if code else None


def session_draft_or_new(request):
    draft = session_draft(request)
    if draft is None:
        draft, code = drafts.draft_create(language=get_language() or "id")
        request.session[DRAFT_KEY] = code
    return draft


def language_code() -> str:
    return (get_language() or "id")[:2]


def form_limits() -> dict:
    return {
        "file_mb": settings.POSKO_MAX_FILE_BYTES // (1024 * 1024),
        "file_bytes": settings.POSKO_MAX_FILE_BYTES,
        "report_mb": settings.POSKO_MAX_REPORT_BYTES // (1024 * 1024),
        "report_bytes": settings.POSKO_MAX_REPORT_BYTES,
        "files": settings.POSKO_MAX_FILES,
        "links": settings.POSKO_MAX_LINKS,
        "accused": settings.POSKO_MAX_ACCUSED,
        "draft_days": settings.POSKO_DRAFT_DAYS,
    }


def next_url(request, step: str) -> str:
    if request.GET.get("kembali") == "periksa":
        return reverse("complaints:report_check")
    index = steps.STEP_NAMES.index(step)
    if index + 1 < len(steps.STEPS):
        return reverse(steps.STEPS[index + 1][1])
    return reverse("complaints:report_check")


def render_step(request, step: str, draft, context: dict, *, status: int = 200):
    number = steps.STEP_NAMES.index(step) + 1
    base = {
        "step": step,
        "step_number": number,
        "step_count": len(steps.STEPS),
        "step_title": steps.STEPS[number - 1][2],
        "back_url": reverse(steps.STEPS[number - 2][1]) if number > 1 else reverse("complaints:home"),
        "returning": request.GET.get("kembali") == "periksa",
        "limits": form_limits(),
        "draft": draft,
        "resume_link": resume_link(request),
    }
    return render(request, f"complaints/report/{step}.html", {**base, **context}, status=status)


def resume_path(code: str) -> str:
    # The code travels in the query string, which the access log leaves out (see the Dockerfile's
    # --access-logformat): a resume code must never end up in a log.
    return reverse("complaints:report_resume") + "?" + urlencode({"kode": code})


def resume_link(request) -> str:
    code = request.session.get(DRAFT_KEY)
    return request.build_absolute_uri(resume_path(code)) if code else ""


def saved_values(draft, step: str) -> dict | None:
    if draft is None or step not in draft.data:
        return None
    return {key: list(items) for key, items in draft.data[step].items()}


def formset_errors(formset, prefix: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for index, form in enumerate(formset.forms):
        for name, messages in form.errors.items():
            out[f"{prefix}-{index}-{name}"] = [str(m) for m in messages]
    if formset.non_form_errors():
        out[prefix] = [str(m) for m in formset.non_form_errors()]
    return out


def hide_formset_errors(formset) -> None:
    # "Add another" and "remove" re-show the step without judging it yet.
    from django.forms.utils import ErrorDict, ErrorList

    formset._non_form_errors = ErrorList()
    for form in formset.forms:
        form._errors = ErrorDict()
