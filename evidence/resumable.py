"""Resumable uploads with the tus protocol, version 1.0.0: the core protocol (HEAD, PATCH, OPTIONS) with the
creation and termination extensions (https://tus.io/protocols/resumable-upload). The browser side is
tus-js-client (static/vendor/tus/), which resumes a file from the offset the server reports after a dropped
connection instead of sending it again.

Why a module of our own rather than drf-tus or django-tus from PyPI: both write the pieces to a temporary
file on the local disk of the web server that received them (so a second web process, or object storage,
breaks them), django-tus is unmaintained since 2020, and drf-tus pins django-fsm 2.8.1 (archived) and the
deprecated jsonfield. Here every received piece is stored through Django's storage API (the private
`evidence` storage, local or S3-compatible) under `resumable/<upload id>/<offset>`, and the finished file
becomes a staged upload of the reporter's draft, like a file sent with the form. The size limits of the
form (POSKO_MAX_FILE_MB, POSKO_MAX_REPORT_MB, POSKO_MAX_FILES) are checked when the upload is created, and no
PATCH may carry more bytes than the declared length."""

import base64
import binascii
import contextlib
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Sum

from evidence import location as evidence_location
from evidence.models import ResumableUpload, StagedUpload
from evidence.pipeline import identify

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
OFFSET_TYPE = "application/offset+octet-stream"
_READ = 64 * 1024
# Types the form accepts, by the name's extension or the declared type (the pipeline decides from the bytes).
ACCEPTED_EXTENSIONS = sorted(identify.EXTENSION_FAMILY)
ACCEPTED_TYPES = ["image/", "video/", "audio/", "application/pdf"]


class TusError(Exception):
    """A request the protocol or the limits refuse: `status` is the HTTP status, `message` says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _storage():
    return storages["evidence"]


def metadata_parse(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs (tus 1.0.0, creation extension)."""
    out: dict[str, str] = {}
    for pair in (header or "").split(","):
        parts = pair.strip().split(" ")
        if not parts[0]:
            continue
        value = ""
        if len(parts) > 1:
            try:
                value = base64.b64decode(parts[1], validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise TusError(400, "Upload-Metadata is not valid base64.") from None
        out[parts[0]] = value
    return out


def type_accepted(name: str, declared: str) -> bool:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext in identify.EXTENSION_FAMILY or any(declared.startswith(t) for t in ACCEPTED_TYPES)


def upload_create(*, draft, length: int, name: str, declared_type: str) -> ResumableUpload:
    """Start an upload of `length` bytes for a draft, within the form's limits."""
    if length < 0:
        raise TusError(400, "Upload-Length must be a whole number of bytes.")
    if length > settings.POSKO_MAX_FILE_BYTES:
        raise TusError(413, "file_too_large")
    if not type_accepted(name, declared_type):
        raise TusError(415, "type_not_accepted")
    kept = StagedUpload.objects.filter(draft=draft)
    arriving = ResumableUpload.objects.filter(draft=draft, staged__isnull=True)
    if kept.count() + arriving.count() >= settings.POSKO_MAX_FILES:
        raise TusError(413, "too_many_files")
    total = (kept.aggregate(n=Sum("size"))["n"] or 0) + (arriving.aggregate(n=Sum("length"))["n"] or 0)
    if total + length > settings.POSKO_MAX_REPORT_BYTES:
        raise TusError(413, "report_too_large")
    upload = ResumableUpload(
        draft=draft, length=length, original_name=name[-255:], declared_type=declared_type[:100]
    )
    upload.full_clean(exclude=["draft", "staged"])
    upload.save(force_insert=True)
    return upload


def upload_append(
    *, upload: ResumableUpload, offset: int, stream, content_length: int | None
) -> ResumableUpload:
    """Store the bytes of one PATCH at `offset`. When the connection drops mid-way, what arrived is kept
    (tus 1.0.0: the server should store as much as it received), so the client resumes from there."""
    if upload.staged_id or upload.offset >= upload.length:
        raise TusError(409, "The upload is already complete.")
    if offset != upload.offset:
        raise TusError(409, "Upload-Offset does not match the stored offset.")
    remaining = upload.length - offset
    if content_length is not None and content_length > remaining:
        raise TusError(413, "The request carries more bytes than the upload declared.")
    wanted = remaining if content_length is None else content_length
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (closed below)
    received = 0
    try:
        try:
            while received < wanted:
                piece = stream.read(min(_READ, wanted - received))
                if not piece:
                    break
                spool.write(piece)
                received += len(piece)
        except OSError:
            pass  # the client went away: keep what arrived
        if received == 0:
            return upload
        spool.seek(0)
        name = _storage().save(f"resumable/{upload.pk}/{offset:015d}", File(spool, name="part"))
    finally:
        spool.close()
    parts = [*upload.parts, [offset, name, received]]
    # A conditional update: two requests appending at the same offset cannot both win.
    if not ResumableUpload.objects.filter(pk=upload.pk, offset=offset, staged__isnull=True).update(
        offset=offset + received, parts=parts
    ):
        _storage().delete(name)
        raise TusError(409, "Another request changed this upload first.")
    upload.offset, upload.parts = offset + received, parts
    if upload.offset == upload.length:
        _finish(upload)
    return upload


def _finish(upload: ResumableUpload) -> StagedUpload:
    """Join the pieces into one staged upload of the draft (streamed through a temporary file, never whole
    in memory) and remove the pieces."""
    storage = _storage()
    with tempfile.TemporaryFile() as joined:
        for _offset, name, _size in upload.parts:
            with storage.open(name, "rb") as part:
                for chunk in iter(lambda part=part: part.read(1024 * 1024), b""):
                    joined.write(chunk)
        joined.seek(0)
        found = evidence_location.location_find(joined)
        joined.seek(0)
        with transaction.atomic():
            staged = StagedUpload(
                original_name=upload.original_name,
                declared_type=upload.declared_type,
                size=upload.length,
                draft_id=upload.draft_id,
                location=found,
            )
            staged.file.save("staged", File(joined, name=upload.original_name or "upload"), save=False)
            staged.save()
            ResumableUpload.objects.filter(pk=upload.pk).update(staged=staged, parts=[])
    for _offset, name, _size in upload.parts:
        with contextlib.suppress(OSError):
            storage.delete(name)
    upload.staged, upload.parts = staged, []
    return staged


def upload_parts(upload: ResumableUpload) -> list:
    """(storage, name) of every stored piece, for removal."""
    storage = _storage()
    return [(storage, name) for _offset, name, _size in upload.parts]


def upload_terminate(upload: ResumableUpload) -> None:
    """Termination extension: drop an unfinished upload and its pieces."""
    parts = upload_parts(upload)
    upload.delete()
    for storage, name in parts:
        with contextlib.suppress(OSError):
            storage.delete(name)
