"""Resumable uploads of the evidence step (tus 1.0.0, evidence/resumable.py), for this browser's draft."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from complaints.report_views.common import (
    form_limits,
    session_draft,
)
from evidence import resumable
from evidence.models import ResumableUpload

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
    text = str(text) % form_limits() if text else message
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
    draft = session_draft(request)
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
    draft = session_draft(request)
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
