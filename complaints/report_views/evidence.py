"""Step 4 of the report form: files (kept as staged uploads of the draft), links, the location warning."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from complaints import report_steps as steps
from complaints.report_views.common import (
    formset_errors,
    hide_formset_errors,
    next_url,
    render_step,
    saved_values,
    session_draft,
    session_draft_or_new,
)
from complaints.services import drafts
from evidence import resumable
from evidence.uploadhandlers import skipped_uploads
from posko.numbers import small_int

# --- Step 4: evidence ---------------------------------------------------------------------------------------


# Error reports (500 e-mails, logs) never show what a reporter typed: identity, chronology (issue 9).
@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "HEAD", "POST"])
def report_evidence(request):
    draft = session_draft(request)
    if request.method in ("GET", "HEAD"):
        links = steps.links_formset(saved_values(draft, "evidence"))
        return _render_evidence(request, draft, links, {})
    action = request.POST.get("_action", "continue")
    draft = session_draft_or_new(request)
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
    elif action.startswith("remove-link-") and (row := small_int(action.rsplit("-", 1)[1])) is not None:
        steps.rows_remove(values, "links", row)
    elif action.startswith("remove-file-"):
        drafts.draft_remove_file(draft=draft, staged_id=_uuid(action[len("remove-file-") :]))
    elif action.startswith("keep-location-"):
        drafts.draft_confirm_location(draft=draft, staged_id=_uuid(action[len("keep-location-") :]))
    values = {k: v for k, v in values.items() if not k.startswith("caption-")}
    links = steps.links_formset(values)
    valid = links.is_valid()
    errors.update(formset_errors(links, "links") if not valid else {})
    errors.update(_evidence_limits(draft, links if valid else None))
    valid = valid and not errors
    drafts.draft_save_step(draft=draft, step="evidence", values=values, valid=valid)
    if action == "continue" and valid:
        return redirect(next_url(request, "evidence"))
    if action != "continue":
        # Files that did not fit are still reported; the rest waits until the reporter continues.
        errors = {k: v for k, v in errors.items() if k == "evidence"}
        hide_formset_errors(links)
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
    return render_step(request, "evidence", draft, context, status=status)
