"""Serving evidence to staff: viewing copies and thumbnails inline, originals and archives as attachments
after a stated reason, each access recorded. Every response is sandboxed: nothing in it can run."""

import contextlib
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from evidence import services
from evidence.access import can_open_originals, capture_for_user, evidence_for_user
from evidence.custody import MIN_REASON, REASON_HELP, custody_record
from evidence.models import CustodyEvent
from evidence.storage import open_stream, presigned_url

# Served files never run: no scripts, no plugins, no frames, and the browser must not guess their type.
SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _safe_name(name: str, fallback: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "").strip("._")[:120]
    return cleaned or fallback


def _file_response(
    field_file,
    *,
    content_type: str,
    attachment: bool,
    filename: str,
    private_cache: bool,
    size: int | None = None,
    hand_over: bool = True,
):
    """The file streamed from the storage in blocks (never read whole), or, for downloads when
    POSKO_EVIDENCE_DOWNLOADS is "presigned" and the storage is S3, a redirect to a presigned URL valid for
    POSKO_PRESIGNED_SECONDS that makes the object store hand it over as an attachment. Callers check access
    and write the custody record first. `hand_over=False` (a HEAD) never makes a presigned URL: the answer
    carries the file's headers, not a way to fetch it, so that nothing leaves unrecorded."""
    if not field_file:
        raise Http404
    if attachment and hand_over and settings.POSKO_EVIDENCE_DOWNLOADS == "presigned":
        url = presigned_url(
            field_file.storage,
            field_file.name,
            filename=filename,
            content_type=content_type,
            seconds=settings.POSKO_PRESIGNED_SECONDS,
        )
        if url:
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = "no-store"
            response["Referrer-Policy"] = "no-referrer"
            return response
    stream = contextlib.ExitStack()
    try:
        handle = stream.enter_context(open_stream(field_file.storage, field_file.name))
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=filename)
    response._resource_closers.append(stream.close)
    if "Content-Length" not in response:
        length = size if size is not None else field_file.storage.size(field_file.name)
        response["Content-Length"] = str(length)
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600" if private_cache else "no-store"
    return response


@login_required
@require_safe
def evidence_copy(request, pk, which: str):
    item = evidence_for_user(request, pk)
    field_file = {"view": item.viewing_copy, "thumb": item.thumbnail}[which]
    if item.quarantined:
        raise Http404
    return _file_response(
        field_file,
        content_type="image/jpeg",
        attachment=False,
        filename=f"{item.pk}-{which}.jpg",
        private_cache=True,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=MIN_REASON,
        max_length=500,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def evidence_original(request, pk):
    """GET asks for a reason; POST with a reason records the custody event, then sends the original as an
    attachment of unspecified type, so no browser renders it."""
    item = evidence_for_user(request, pk, original=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        custody_record(
            request=request,
            item=item,
            action=CustodyEvent.Action.DOWNLOAD_ORIGINAL,
            reason=form.cleaned_data["reason"],
            sha256=item.sha256,
        )
        return _file_response(
            item.file,
            content_type="application/octet-stream",
            attachment=True,
            filename=_safe_name(item.original_name, str(item.pk)),
            private_cache=False,
        )
    return render(
        request,
        "evidence/original_reason.html",
        {"item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def capture_screenshot(request, pk):
    capture = capture_for_user(request, pk)
    return _file_response(
        capture.screenshot,
        content_type="image/png",
        attachment=False,
        filename=f"{capture.pk}.png",
        private_cache=True,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def capture_warc(request, pk):
    capture = capture_for_user(request, pk)  # already checked the user may see this report
    if not can_open_originals(request.user):
        raise PermissionDenied
    item = capture.evidence
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        custody_record(
            request=request,
            item=item,
            action=CustodyEvent.Action.DOWNLOAD_ARCHIVE,
            reason=form.cleaned_data["reason"],
            sha256=capture.warc_sha256,
        )
        return _file_response(
            capture.warc,
            content_type="application/octet-stream",
            attachment=True,
            filename=f"{capture.pk}.warc.gz",
            private_cache=False,
        )
    return render(
        request,
        "evidence/original_reason.html",
        {"item": item, "form": form, "capture": capture},
        status=400 if request.method == "POST" else 200,
    )


class ReprocessForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        min_length=MIN_REASON,
        max_length=500,
        help_text=_("Why process it again? For example: the storage was unavailable when it failed."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def evidence_reprocess(request, pk):
    """GET asks for a reason; POST with a reason processes a failed item again (for staff with
    `evidence.reprocess_evidence`: staf and koordinator), recorded in the chain of custody."""
    item = evidence_for_user(request, pk)
    if not request.user.has_perm("evidence.reprocess_evidence"):
        raise PermissionDenied
    form = ReprocessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = services.evidence_reprocess(
            evidence_id=item.pk, reason=form.cleaned_data["reason"], actor=request.user, request=request
        )
        if done:
            messages.success(request, gettext("The item will be processed again."))
        else:
            messages.info(request, gettext("The item has not failed (any more): nothing was changed."))
        return redirect(reverse("staff:case", args=[item.report_id]) + f"#ev-{item.pk}")
    return render(
        request,
        "evidence/reprocess.html",
        {"item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )
