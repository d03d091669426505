"""Building an export (the Celery task's body): claimed by a conditional update so two deliveries never build
it twice, written to private storage as a stream, finished by recording it on the case's timeline and, for
each evidence file in a bundle, in the chain of custody. A failure leaves status failed and no partial file."""

import datetime as dt
import logging
import tempfile
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.models import ReportEvent
from complaints.services.history import event_record
from evidence.models import CustodyEvent
from exports import bundle, casefile, keys, recaps
from exports.models import Export, export_path
from exports.services.records import evidence_alarm
from exports.streams import CHUNK, StreamedFile

log = logging.getLogger(__name__)
K = Export.Kind
ST = Export.Status


class _Progress:
    """Saves progress (and the heartbeat that tells the sweep the build is alive) at most every `every`
    seconds, not on every chunk."""

    def __init__(self, export_id, every: float = 0.5):
        self.export_id, self.every, self.last = export_id, every, 0.0
        self.items = self.bytes = 0

    def __call__(self, items: int, nbytes: int, force: bool = False) -> None:
        self.items, self.bytes = items, nbytes
        now = time.monotonic()
        if force or now - self.last >= self.every:
            Export.objects.filter(pk=self.export_id).update(
                items_done=items, bytes_done=nbytes, heartbeat_at=timezone.now()
            )
            self.last = now


def _claim(export_id) -> bool:
    """Take the export up: pending, or running with no sign of life for POSKO_EXPORT_STALE_SECONDS (its worker
    died). A conditional update, so two deliveries of the same task never build it twice at once."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.POSKO_EXPORT_STALE_SECONDS)
    return bool(
        Export.objects.filter(pk=export_id)
        .filter(Q(status=ST.PENDING) | Q(status=ST.RUNNING, heartbeat_at__lt=stale))
        .update(status=ST.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, error="")
    )


def export_build(export_id) -> Export | None:
    """Build an export (the Celery task's body). Safe to run twice: a finished, failed or running one is left
    alone. A failure leaves status failed with the reason, and no partial file."""
    try:
        if not _claim(export_id):
            return None
    except ValidationError:  # not a UUID
        return None
    export = Export.objects.select_related("report", "requested_by").get(pk=export_id)
    if export.attempts > settings.POSKO_EXPORT_MAX_ATTEMPTS:
        _fail(export, _("Stopped after %(n)d attempts.") % {"n": export.attempts - 1})
        return export
    builders: dict[str, Callable[[Export], None]] = {
        K.BUNDLE: _build_bundle,
        K.PDF: _build_pdf,
        K.CSV: _build_csv,
        K.XLSX: _build_xlsx,
    }
    with translation.override(export.language):
        try:
            builders[export.kind](export)
        except bundle.EvidenceChanged as exc:
            _discard(export)
            _fail(
                export,
                _("Stopped: a stored file no longer matches its intake hash (%(path)s).")
                % {"path": exc.entry.path},
            )
            evidence_alarm(export, exc)
        except Exception as exc:
            log.exception("export %s failed", export.pk)
            _discard(export)
            _fail(export, _("The export could not be built: %(error)s") % {"error": type(exc).__name__})
    export.refresh_from_db()
    return export


def _name(export: Export) -> str:
    return export_path(export, export.filename)


def _storage(export: Export) -> Storage:
    return export.file.storage


def _discard(export: Export) -> None:
    storage = _storage(export)
    try:
        if storage.exists(_name(export)):
            storage.delete(_name(export))
    except OSError:
        log.warning("could not remove the partial export %s", export.pk, exc_info=True)


def _fail(export: Export, error: str) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=ST.FAILED, error=error, finished_at=timezone.now(), file=""
    )


def _save_stream(export: Export, chunks, on_bytes=None) -> StreamedFile:
    """Write the stream to private storage under exports/<id>/, through the storage API."""
    _discard(export)  # a second run after a crash starts from nothing
    stream = StreamedFile(chunks, _name(export), on_bytes=on_bytes)
    try:
        saved = _storage(export).save(_name(export), stream)
    finally:
        stream.close()
    stream.saved_name = saved
    return stream


def _done(export: Export, stream: StreamedFile, progress: _Progress, **fields) -> None:
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status=ST.DONE,
        file=stream.saved_name,
        size=stream.written,
        sha256=stream.sha256,
        finished_at=now,
        heartbeat_at=now,
        expires_at=now + dt.timedelta(hours=settings.POSKO_EXPORT_TTL_HOURS),
        items_done=progress.items,
        bytes_done=progress.bytes,
        **fields,
    )


def _timeline(export: Export, stream: StreamedFile, **data) -> None:
    assert export.report is not None, "only exports of one case go on its timeline"
    event_record(
        report=export.report,
        kind=ReportEvent.Kind.EXPORT,
        actor=export.requested_by,
        note=export.reason,
        data={
            "export": str(export.pk),
            "export_kind": export.kind,
            "filename": export.filename,
            "size": stream.written,
            "sha256": stream.sha256,
            "include_identity": export.include_identity,
            **data,
        },
    )


def _build_bundle(export: Export) -> None:
    report = export.report
    key = keys.signing_key()
    key_row = keys.key_record(key)
    entries, withheld = bundle.plan(export, report, key)
    total = sum(len(e.data) if e.data is not None else e.size for e in entries)
    Export.objects.filter(pk=export.pk).update(items_total=len(entries) + 2, bytes_total=total, key=key_row)
    progress = _Progress(export.pk)
    stream = _save_stream(export, bundle.bundle_stream(export, report, key, entries, withheld, progress))
    keys.key_mark_used(key_row)
    with transaction.atomic():
        _done(export, stream, progress, items_total=len(entries), bytes_total=progress.bytes)
        _timeline(export, stream, key_sha256=key.fingerprint, files=len(entries))
        CustodyEvent.objects.bulk_create(
            CustodyEvent(
                evidence_id=e.evidence_id,
                actor=export.requested_by,
                action=CustodyEvent.Action.EXPORT,
                reason=export.reason,
                client_address=export.client_address,
                user_agent=export.user_agent,
                sha256=e.sha256,
            )
            for e in entries
            if e.evidence_id
        )


def _build_pdf(export: Export) -> None:
    pdf = casefile.casefile_pdf(
        export.report,
        include_identity=export.include_identity,
        language=export.language,
        signing_fingerprint="",
    )
    Export.objects.filter(pk=export.pk).update(items_total=1, bytes_total=len(pdf))
    progress = _Progress(export.pk)
    stream = _save_stream(export, [pdf])
    progress.items, progress.bytes = 1, len(pdf)
    with transaction.atomic():
        _done(export, stream, progress)
        _timeline(export, stream)


def _recap_source(export: Export):
    qs = recaps.recap_queryset(export.requested_by, recaps.filters_from(export.filters))
    total = qs.count()
    Export.objects.filter(pk=export.pk).update(items_total=total)
    progress = _Progress(export.pk)
    rows = recaps.recap_rows(qs, on_chunk=lambda n: progress(n, progress.bytes))
    return qs, rows, progress


def _build_csv(export: Export) -> None:
    _qs, rows, progress = _recap_source(export)
    stream = _save_stream(export, recaps.csv_stream(rows), on_bytes=lambda n: setattr(progress, "bytes", n))
    progress(progress.items, stream.written, force=True)
    _done(export, stream, progress)


def _build_xlsx(export: Export) -> None:
    qs, rows, progress = _recap_source(export)
    # xlsxwriter assembles the workbook (a ZIP) on a scratch file; it is then streamed to storage.
    with (
        tempfile.TemporaryDirectory(prefix="posko-xlsx-", dir=settings.FILE_UPLOAD_TEMP_DIR) as tmpdir,
        tempfile.TemporaryFile(dir=tmpdir) as scratch,
    ):
        recaps.xlsx_write(scratch, rows, lambda: recaps.counts_by_region(qs), tmpdir=tmpdir)
        scratch.seek(0)
        stream = _save_stream(export, iter(lambda: scratch.read(CHUNK), b""))
    progress(progress.items, stream.written, force=True)
    _done(export, stream, progress)
