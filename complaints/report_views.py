"""The report form, step by step, with a draft kept on the server (complaints.services.drafts): about you →
terlapor → what happened → evidence → check your answers → send. Every step is a plain form post that works
without JavaScript; "add another" and "remove" are submit buttons. The tus endpoint for resumable uploads of
the evidence step is here too, because it belongs to the reporter's draft."""

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaints import report_steps as steps
from complaints.forms import ReportSubmission
from complaints.models import Report
from complaints.services import drafts
from complaints.tasks import draft_resume_email_task
from evidence import resumable
from evidence.models import ResumableUpload
from evidence.uploadhandlers import skipped_uploads

DRAFT_KEY = "posko_draft"
RECEIPTS_KEY = "posko_receipts"
RECEIPT_PINS_KEY = "posko_receipt_pins"


def _draft(request):
    """The draft this browser is writing (its code is kept in the session), or None."""
    code = request.session.get(DRAFT_KEY)
    return drafts.draft_get(code) if code else None


def _draft_or_new(request):
    draft = _draft(request)
    if draft is None:
        draft, code = drafts.draft_create(language=get_language() or "id")
        request.session[DRAFT_KEY] = code
    return draft


def _language() -> str:
    return (get_language() or "id")[:2]


def _limits() -> dict:
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


def _next_url(request, step: str) -> str:
    if request.GET.get("kembali") == "periksa":
        return reverse("complaints:report_check")
    index = steps.STEP_NAMES.index(step)
    if index + 1 < len(steps.STEPS):
        return reverse(steps.STEPS[index + 1][1])
    return reverse("complaints:report_check")


def _render_step(request, step: str, draft, context: dict, *, status: int = 200):
    number = steps.STEP_NAMES.index(step) + 1
    base = {
        "step": step,
        "step_number": number,
        "step_count": len(steps.STEPS),
        "step_title": steps.STEPS[number - 1][2],
        "back_url": reverse(steps.STEPS[number - 2][1]) if number > 1 else reverse("complaints:home"),
        "returning": request.GET.get("kembali") == "periksa",
        "limits": _limits(),
        "draft": draft,
        "resume_link": _resume_link(request),
    }
    return render(request, f"complaints/report/{step}.html", {**base, **context}, status=status)


def resume_path(code: str) -> str:
    # The code travels in the query string, which the access log leaves out (see the Dockerfile's
    # --access-logformat): a resume code must never end up in a log.
    return reverse("complaints:report_resume") + "?" + urlencode({"kode": code})


def _resume_link(request) -> str:
    code = request.session.get(DRAFT_KEY)
    return request.build_absolute_uri(resume_path(code)) if code else ""


def _saved_values(draft, step: str) -> dict | None:
    if draft is None or step not in draft.data:
        return None
    return {key: list(items) for key, items in draft.data[step].items()}


# --- Step 1: about you --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_create(request):
    """Step 1, at /lapor/: anonymous or identified, and how to reach the reporter."""
    draft = _draft(request)
    if request.method == "GET":
        values = _saved_values(draft, "about")
        form = steps.AboutForm(steps.as_querydict(values)) if values is not None else steps.AboutForm()
        return _render_step(request, "about", draft, {"form": form, "errors": []})
    values = steps.values_of("about", request.POST)
    form = steps.AboutForm(steps.as_querydict(values))
    valid = form.is_valid()
    draft = _draft_or_new(request)
    drafts.draft_save_step(draft=draft, step="about", values=values, valid=valid)
    if not valid:
        errors = steps.summary({k: v for k, v in form.errors.items()})
        return _render_step(request, "about", draft, {"form": form, "errors": errors}, status=400)
    email = form.cleaned_data.get("reporter_email") or ""
    if not form.cleaned_data.get("anonymous") and drafts.draft_email_wanted(draft=draft, email=email):
        base_url = settings.POSKO_PUBLIC_URL or request.build_absolute_uri("/")
        draft_id = str(draft.pk)
        transaction.on_commit(lambda: draft_resume_email_task.delay(draft_id, base_url))
    return redirect(_next_url(request, "about"))


# --- Step 2: terlapor ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_accused(request):
    draft = _draft(request)
    if request.method == "GET":
        formset = steps.accused_formset(_saved_values(draft, "accused"))
        return _render_step(request, "accused", draft, {"formset": formset, "errors": []})
    values = steps.values_of("accused", request.POST)
    action = request.POST.get("_action", "continue")
    if action == "add-accused":
        steps.rows_add(values, "accused")
    elif action.startswith("remove-accused-") and action.rsplit("-", 1)[1].isdigit():
        steps.rows_remove(values, "accused", int(action.rsplit("-", 1)[1]))
    formset = steps.accused_formset(values)
    valid = formset.is_valid()
    draft = _draft_or_new(request)
    drafts.draft_save_step(draft=draft, step="accused", values=values, valid=valid)
    if action == "continue" and valid:
        return redirect(_next_url(request, "accused"))
    context = {"formset": formset, "errors": []}
    if action == "continue":
        context["errors"] = steps.summary(_formset_errors(formset, "accused"))
        return _render_step(request, "accused", draft, context, status=400)
    _hide_formset_errors(formset)
    return _render_step(request, "accused", draft, context)


def _formset_errors(formset, prefix: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for index, form in enumerate(formset.forms):
        for name, messages in form.errors.items():
            out[f"{prefix}-{index}-{name}"] = [str(m) for m in messages]
    if formset.non_form_errors():
        out[prefix] = [str(m) for m in formset.non_form_errors()]
    return out


def _hide_formset_errors(formset) -> None:
    # "Add another" and "remove" re-show the step without judging it yet.
    from django.forms.utils import ErrorDict, ErrorList

    formset._non_form_errors = ErrorList()
    for form in formset.forms:
        form._errors = ErrorDict()


# --- Step 3: what happened ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_incident(request):
    draft = _draft(request)
    if request.method == "GET":
        values = _saved_values(draft, "incident")
        form = steps.IncidentForm(steps.as_querydict(values)) if values is not None else steps.IncidentForm()
        if values is not None:
            form.is_valid()
            form._errors = {}
        return _render_incident(request, draft, form, [])
    values = steps.values_of("incident", request.POST)
    action = request.POST.get("_action", "continue")
    form = steps.IncidentForm(steps.as_querydict(values))
    valid = form.is_valid()
    draft = _draft_or_new(request)
    drafts.draft_save_step(draft=draft, step="incident", values=values, valid=valid)
    if action == "continue" and valid:
        filing = form.filing_status()
        # A late report is still accepted, but the reporter reads the warning here, on the step with the
        # dates, before going on (pressing "continue" again goes on).
        if (
            not (filing and filing["late"])
            or request.POST.get("_late_seen") == filing["deadline"].isoformat()
        ):
            return redirect(_next_url(request, "incident"))
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
        "category_groups": steps.category_groups(form, _language()),
    }
    return _render_step(request, "incident", draft, context, status=status)


# --- Step 4: evidence ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_evidence(request):
    draft = _draft(request)
    if request.method == "GET":
        links = steps.links_formset(_saved_values(draft, "evidence"))
        return _render_evidence(request, draft, links, {})
    action = request.POST.get("_action", "continue")
    draft = _draft_or_new(request)
    values = steps.values_of("evidence", request.POST)
    errors: dict[str, list[str]] = {}
    _stage_uploads(request, draft, errors)
    drafts.draft_set_captions(
        draft=draft,
        captions={
            k[len("caption-") :]: (v or [""])[0] for k, v in values.items() if k.startswith("caption-")
        },
    )
    if action == "add-link":
        steps.rows_add(values, "links")
    elif action.startswith("remove-link-") and action.rsplit("-", 1)[1].isdigit():
        steps.rows_remove(values, "links", int(action.rsplit("-", 1)[1]))
    elif action.startswith("remove-file-"):
        drafts.draft_remove_file(draft=draft, staged_id=_uuid(action[len("remove-file-") :]))
    elif action.startswith("keep-location-"):
        drafts.draft_confirm_location(draft=draft, staged_id=_uuid(action[len("keep-location-") :]))
    values = {k: v for k, v in values.items() if not k.startswith("caption-")}
    links = steps.links_formset(values)
    valid = links.is_valid()
    errors.update(_formset_errors(links, "links") if not valid else {})
    errors.update(_evidence_limits(draft, links if valid else None))
    valid = valid and not errors
    drafts.draft_save_step(draft=draft, step="evidence", values=values, valid=valid)
    if action == "continue" and valid:
        return redirect(_next_url(request, "evidence"))
    if action != "continue":
        # Files that did not fit are still reported; the rest waits until the reporter continues.
        errors = {k: v for k, v in errors.items() if k == "evidence"}
        _hide_formset_errors(links)
    status = 400 if errors and action == "continue" else 200
    return _render_evidence(request, draft, links, errors, status=status)


def _uuid(text: str):
    import uuid

    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _stage_uploads(request, draft, errors: dict) -> None:
    """Keep every file that came with this post (the no-JavaScript path); name the ones that did not fit."""
    for _field, name, reason in skipped_uploads(request):
        limit = (
            settings.POSKO_MAX_FILE_BYTES if reason == "file_too_large" else settings.POSKO_MAX_REPORT_BYTES
        ) // (1024 * 1024)
        message = (
            _("“%(name)s” is larger than %(limit)s MB and was not accepted.")
            if reason == "file_too_large"
            else _("“%(name)s” was not accepted: all files of a report together may not exceed %(limit)s MB.")
        )
        errors.setdefault("evidence", []).append(message % {"name": name, "limit": limit})
    kept = drafts.draft_uploads(draft)
    count, total = len(kept), sum(s.size for s in kept)
    caption = (request.POST.get("new_caption") or "")[:300]
    for upload in request.FILES.getlist("files"):
        if count >= settings.POSKO_MAX_FILES or total + upload.size > settings.POSKO_MAX_REPORT_BYTES:
            errors.setdefault("evidence", []).append(
                _("“%(name)s” was not kept: a report may carry at most %(max)d files and %(limit)s MB.")
                % {
                    "name": upload.name,
                    "max": settings.POSKO_MAX_FILES,
                    "limit": settings.POSKO_MAX_REPORT_BYTES // (1024 * 1024),
                }
            )
            continue
        drafts.draft_stage_file(draft=draft, upload=upload, caption=caption)
        count, total = count + 1, total + upload.size


def _evidence_limits(draft, links) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    kept = drafts.draft_uploads(draft)
    if len(kept) > settings.POSKO_MAX_FILES:
        errors["evidence"] = [
            ngettext(
                "A report may carry at most %(max)d file.",
                "A report may carry at most %(max)d files.",
                settings.POSKO_MAX_FILES,
            )
            % {"max": settings.POSKO_MAX_FILES}
        ]
    for staged in kept:
        if staged.location and not staged.location_confirmed:
            errors[f"file-{staged.pk}"] = [
                _("“%(name)s” records where it was taken: choose to send it anyway or to remove it.")
                % {"name": staged.original_name}
            ]
    if links is not None:
        count = sum(1 for form in links.forms if (form.cleaned_data or {}).get("url"))
        if count > settings.POSKO_MAX_LINKS:
            errors["links"] = [
                ngettext(
                    "A report may carry at most %(max)d link.",
                    "A report may carry at most %(max)d links.",
                    settings.POSKO_MAX_LINKS,
                )
                % {"max": settings.POSKO_MAX_LINKS}
            ]
    return errors


def _render_evidence(request, draft, links, errors: dict, *, status: int = 200):
    kept = drafts.draft_uploads(draft) if draft else []
    for staged in kept:
        staged.errors = errors.get(f"file-{staged.pk}", [])
    anchors = {f"file-{s.pk}": f"file-{s.pk}" for s in kept}
    context = {
        "links": links,
        "kept": kept,
        "errors": steps.summary(errors, anchors),
        "field_errors": errors,
        "accept": ",".join(["." + ext for ext in resumable.ACCEPTED_EXTENSIONS] + resumable.ACCEPTED_TYPES),
        "upload_url": reverse("complaints:report_upload"),
        "chunk_bytes": settings.POSKO_UPLOAD_CHUNK_BYTES,
        "kept_bytes": sum(s.size for s in kept),
    }
    return _render_step(request, "evidence", draft, context, status=status)


# --- Check your answers, and send ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_check(request):
    draft = _draft(request)
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
        "resume_link": _resume_link(request),
        "limits": _limits(),
        "filing": submission.form.filing_status() if hasattr(submission.form, "cleaned_data") else None,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/report/check.html", context, status=status)


def _answers(draft, submission) -> dict:
    """What the check page lists, from the validated data where it validated and the raw values elsewhere."""
    form = submission.form
    data = getattr(form, "cleaned_data", {}) or {}
    language = _language()
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


@require_http_methods(["GET"])
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


# --- Resumable uploads (tus 1.0.0) ---------------------------------------------------------------------------

_TUS_MESSAGES = {
    "file_too_large": gettext_lazy("This file is larger than %(file_mb)s MB."),
    "type_not_accepted": gettext_lazy(
        "This kind of file is not accepted: send photos, videos, audio or PDF."
    ),
    "too_many_files": gettext_lazy("A report may carry at most %(files)s files."),
    "report_too_large": gettext_lazy("All files of a report together may not exceed %(report_mb)s MB."),
}


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = resumable.TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _tus_error(status: int, message: str) -> HttpResponse:
    text = _TUS_MESSAGES.get(message)
    text = str(text) % _limits() if text else message
    return _tus(HttpResponse(text, status=status, content_type="text/plain; charset=utf-8"))


@require_http_methods(["POST", "OPTIONS"])
def report_upload(request):
    """tus creation: POST with Upload-Length and Upload-Metadata (filename, filetype) starts an upload for
    this browser's draft; OPTIONS tells what the server supports."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Tus-Version"] = resumable.TUS_VERSION
        response["Tus-Extension"] = resumable.TUS_EXTENSIONS
        response["Tus-Max-Size"] = str(settings.POSKO_MAX_FILE_BYTES)
        return _tus(response)
    if request.headers.get("Tus-Resumable") != resumable.TUS_VERSION:
        return _tus_error(412, "Tus-Resumable 1.0.0 is required.")
    draft = _draft(request)
    if draft is None:
        return _tus_error(403, _("Start the report first: this upload has no report to belong to."))
    try:
        length = int(request.headers.get("Upload-Length", ""))
        meta = resumable.metadata_parse(request.headers.get("Upload-Metadata", ""))
        upload = resumable.upload_create(
            draft=draft,
            length=length,
            name=meta.get("filename", "") or "upload",
            declared_type=meta.get("filetype", ""),
        )
    except ValueError:
        return _tus_error(400, "Upload-Length must be a whole number of bytes.")
    except resumable.TusError as exc:
        return _tus_error(exc.status, exc.message)
    response = HttpResponse(status=201)
    response["Location"] = reverse("complaints:report_upload_part", args=[upload.pk])
    response["Upload-Offset"] = "0"
    return _tus(response)


@require_http_methods(["HEAD", "PATCH", "DELETE", "OPTIONS"])
def report_upload_part(request, pk):
    """tus core: HEAD tells the offset, PATCH appends at it, DELETE drops the upload (termination). Only
    the browser whose draft started the upload may touch it; anyone else gets 404."""
    if request.method == "OPTIONS":
        return report_upload(request)
    if request.headers.get("Tus-Resumable") != resumable.TUS_VERSION:
        return _tus_error(412, "Tus-Resumable 1.0.0 is required.")
    draft = _draft(request)
    upload = ResumableUpload.objects.filter(pk=pk, draft=draft).first() if draft else None
    if upload is None:
        raise Http404
    if request.method == "DELETE":
        resumable.upload_terminate(upload)
        return _tus(HttpResponse(status=204))
    if request.method == "PATCH":
        if request.content_type != resumable.OFFSET_TYPE:
            return _tus_error(415, f"Content-Type must be {resumable.OFFSET_TYPE}.")
        try:
            offset = int(request.headers.get("Upload-Offset", ""))
            length = request.META.get("CONTENT_LENGTH")
            upload = resumable.upload_append(
                upload=upload, offset=offset, stream=request, content_length=int(length) if length else None
            )
        except ValueError:
            return _tus_error(400, "Upload-Offset must be a whole number of bytes.")
        except resumable.TusError as exc:
            return _tus_error(exc.status, exc.message)
        response = HttpResponse(status=204)
    else:
        response = HttpResponse(status=200)
        response["Upload-Length"] = str(upload.length)
    response["Upload-Offset"] = str(upload.offset)
    if upload.staged_id:
        response["Posko-Staged"] = str(upload.staged_id)
    return _tus(response)
