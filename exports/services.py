"""Exports: asking for one (checked and recorded), building it in the background, handing it out, and
removing it when it expires.

Every export is a row (who, when, why, what, the filters), built by a Celery task on the heavy queue after
the request commits, safe to run twice. A case export is written on the case's timeline (a ReportEvent of
kind export with the hash of what was handed out) and, for each evidence file in it, in the chain of custody
(a CustodyEvent of action export with that file's hash). An export that carries the reporter's identity needs
complaints.reveal_reporter, an explicit choice and a reason, and is logged as a reveal as well.
"""

import datetime as dt
import logging
import re
import tempfile
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.models import Election, Report, ReportEvent, StaffProfile, ViolationCategory
from complaints.selectors.cases import QueueFilters
from complaints.services import access
from evidence.custody import MIN_REASON
from evidence.models import CustodyEvent, Evidence
from exports import bundle, casefile, keys, recaps
from exports.models import Export, export_path
from exports.streams import CHUNK, StreamedFile

log = logging.getLogger(__name__)
K = Export.Kind
ST = Export.Status

CASE_PERMISSION = "exports.export_case"
RECAP_PERMISSION = "exports.export_recap"
REVEAL_PERMISSION = "complaints.reveal_reporter"

BOOL_WORDS = {
    "1": True,
    "true": True,
    "on": True,
    "yes": True,
    "0": False,
    "false": False,
    "off": False,
    "": False,
}
SORTS = {"oldest", "newest", "priority", "due"}
REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def can_export_case(user) -> bool:
    return bool(access.role_of(user) and user.has_perm(CASE_PERMISSION))


def can_export_recap(user) -> bool:
    return bool(access.role_of(user) and user.has_perm(RECAP_PERMISSION))


def can_include_identity(user) -> bool:
    return bool(access.role_of(user) and user.has_perm(REVEAL_PERMISSION))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(
            _("Give a reason of at least %(n)d characters: it is recorded with the export.")
            % {"n": MIN_REASON},
            code="reason",
        )
    return reason[:500]


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def export_enqueue(export_id) -> None:
    """Queue the build after the surrounding transaction commits. A broker that is down loses nothing: the
    export stays pending and the sweep queues it again."""
    from exports.tasks import export_build_task

    def _send():
        try:
            export_build_task.delay(str(export_id))
        except Exception:
            log.warning("could not enqueue export %s; the sweep will retry", export_id, exc_info=True)

    transaction.on_commit(_send)


def export_request_case(
    *,
    user,
    report: Report,
    kind: str,
    reason: str,
    include_identity: bool = False,
    language: str = "id",
    client_address: str | None = None,
    user_agent: str = "",
) -> Export:
    """Ask for a case bundle or case file. Refused (PermissionDenied) without the export permission, for a
    case outside the user's jurisdiction, or with the reporter's identity but without the permission to
    reveal it; refused (ValidationError) without a reason. A refusal records and changes nothing."""
    if not can_export_case(user):
        raise PermissionDenied(_("You may not export case files."))
    if not access.reports_for_user(user).filter(pk=report.pk).exists():
        raise PermissionDenied(_("This case is outside your jurisdiction."))
    if kind not in Export.CASE_KINDS:
        raise ValidationError(_("Choose a bundle (ZIP) or a case file (PDF)."), code="kind")
    if include_identity and not can_include_identity(user):
        raise PermissionDenied(_("You may not include the reporter's identity."))
    reason = _reason(reason)
    name = bundle.bundle_root(report) + ("-identitas" if include_identity else "") + f"-{_stamp()}"
    with transaction.atomic():
        export = Export(
            kind=kind,
            report=report,
            requested_by=user,
            reason=reason,
            include_identity=bool(include_identity),
            language=language if language in ("id", "en") else "id",
            client_address=client_address or None,
            user_agent=(user_agent or "")[:300],
            filename=f"{name}.{'zip' if kind == K.BUNDLE else 'pdf'}",
        )
        export.full_clean(exclude=["file", "report", "requested_by"])
        export.save()
        if include_identity:
            # The identity leaves the portal in this file: that is a reveal, logged as one.
            ReportEvent.objects.create(
                report=report,
                kind=ReportEvent.Kind.REVEAL,
                actor=user,
                note=reason,
                data={"export": str(export.pk), "export_kind": kind},
            )
        export_enqueue(export.pk)
    return export


def recap_filters_clean(data) -> dict:
    """The queue's filters by their names (QueueFilters), checked: an unknown name or value is refused with a
    message saying which."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(_("Filters must be an object of the queue's filter names."), code="filters")
    fields = QueueFilters.__dataclass_fields__
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValidationError(
            _("Unknown filter: %(names)s. Known filters: %(known)s.")
            % {"names": ", ".join(map(str, unknown)), "known": ", ".join(fields)},
            code="filters",
        )
    clean: dict = {}
    for name, spec in fields.items():
        if name not in data:
            continue
        value = data[name]
        if spec.type in (bool, "bool"):
            if isinstance(value, bool):
                clean[name] = value
            elif str(value).strip().lower() in BOOL_WORDS:
                clean[name] = BOOL_WORDS[str(value).strip().lower()]
            else:
                raise ValidationError(
                    _("The filter %(name)s is true or false.") % {"name": name}, code="filters"
                )
            continue
        if value is None:
            value = ""
        if not isinstance(value, str | int):
            raise ValidationError(_("The filter %(name)s is text.") % {"name": name}, code="filters")
        clean[name] = str(value).strip()[:200]
    _check_filter_values(clean)
    return clean


def _check_filter_values(clean: dict) -> None:
    def bad(name):
        return ValidationError(
            _("The filter %(name)s has a value that is not known: %(value)s")
            % {"name": name, "value": clean[name]},
            code="filters",
        )

    if clean.get("status") and clean["status"] not in {"open", *Report.Status.values}:
        raise bad("status")
    if clean.get("sort") and clean["sort"] not in SORTS:
        raise bad("sort")
    if clean.get("evidence_kind") and clean["evidence_kind"] not in Evidence.Kind.values:
        raise bad("evidence_kind")
    if clean.get("region") and not REGION_CODE.match(clean["region"]):
        raise bad("region")
    if clean.get("election") and not Election.objects.filter(slug=clean["election"]).exists():
        raise bad("election")
    if clean.get("category") and not ViolationCategory.objects.filter(slug=clean["category"]).exists():
        raise bad("category")


def export_request_recap(
    *,
    user,
    kind: str,
    filters,
    reason: str,
    language: str = "id",
    client_address: str | None = None,
    user_agent: str = "",
) -> Export:
    """Ask for a recap of the queue with these filters (CSV or XLSX)."""
    if not can_export_recap(user):
        raise PermissionDenied(_("You may not export recaps."))
    if kind not in Export.RECAP_KINDS:
        raise ValidationError(_("Choose CSV or XLSX."), code="kind")
    clean = recap_filters_clean(filters)
    reason = _reason(reason)
    with transaction.atomic():
        export = Export(
            kind=kind,
            requested_by=user,
            reason=reason,
            filters=clean,
            scope=access.jurisdiction_codes(user),
            language=language if language in ("id", "en") else "id",
            client_address=client_address or None,
            user_agent=(user_agent or "")[:300],
            filename=f"rekap-posko-{_stamp()}.{kind}",
        )
        export.full_clean(exclude=["file", "requested_by"])
        export.save()
        export_enqueue(export.pk)
    return export


# --- Building ------------------------------------------------------------------------------------------------


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
    builders = {K.BUNDLE: _build_bundle, K.PDF: _build_pdf, K.CSV: _build_csv, K.XLSX: _build_xlsx}
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
    ReportEvent.objects.create(
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


# --- Evidence that changed ---------------------------------------------------------------------------------


def coordinators_of(report: Report):
    """Active coordinators with an e-mail address whose jurisdiction covers the case."""
    candidates = User.objects.filter(is_active=True, posko__role=StaffProfile.Role.KOORDINATOR).exclude(
        email=""
    )
    return [u for u in candidates if access.reports_for_user(u).filter(pk=report.pk).exists()]


def evidence_alarm(export: Export, exc: "bundle.EvidenceChanged") -> ReportEvent:
    """Stored evidence no longer has its intake hash: an alarm on the case and an e-mail to its coordinators."""
    report = export.report
    entry = exc.entry
    with translation.override("id"):
        event = ReportEvent.objects.create(
            report=report,
            kind=ReportEvent.Kind.ALARM,
            actor=None,
            note=_(
                "Stored evidence changed: %(path)s no longer has the hash recorded at intake. The export asked "
                "by %(user)s was stopped."
            )
            % {"path": entry.path, "user": export.requested_by.get_username()},
            data={
                "export": str(export.pk),
                "evidence_id": entry.evidence_id,
                "file_kind": entry.kind,
                "path": entry.path,
                "intake_sha256": entry.intake_sha256,
                "found_sha256": exc.actual,
            },
        )
        recipients = coordinators_of(report)
        context = {"report": report, "entry": entry, "found": exc.actual, "export": export}
        for user in recipients:
            send_mail(
                subject=render_to_string(
                    "exports/emails/alarm_subject.txt", {**context, "user": user}
                ).strip(),
                message=render_to_string("exports/emails/alarm.txt", {**context, "user": user}),
                from_email=None,
                recipient_list=[user.email],
            )
    return event


# --- Handing out and expiring --------------------------------------------------------------------------------


def export_downloaded(*, export: Export, user) -> None:
    """A case export handed out is on the case's timeline (and one with the reporter's identity, handed to
    someone other than who asked for it, is a reveal to them)."""
    if not export.report_id:
        return
    data = {
        "export": str(export.pk),
        "export_kind": export.kind,
        "action": "download",
        "sha256": export.sha256,
    }
    ReportEvent.objects.create(
        report_id=export.report_id,
        kind=ReportEvent.Kind.EXPORT,
        actor=user,
        note=_("Export downloaded"),
        data=data,
    )
    if export.include_identity and user.pk != export.requested_by_id:
        ReportEvent.objects.create(
            report_id=export.report_id,
            kind=ReportEvent.Kind.REVEAL,
            actor=user,
            note=export.reason,
            data=data,
        )


def export_sweep(*, now: dt.datetime | None = None) -> int:
    """Remove expired files (status expired); queue again exports left pending (the broker was down) or
    running with no sign of life (the worker died). Returns how many were expired."""
    now = now or timezone.now()
    expired = 0
    for export in Export.objects.filter(status=ST.DONE, expires_at__lte=now).only("id", "file", "filename"):
        if export.file:
            try:
                export.file.storage.delete(export.file.name)
            except OSError:
                log.warning("could not remove expired export %s", export.pk, exc_info=True)
                continue
        expired += Export.objects.filter(pk=export.pk, status=ST.DONE).update(status=ST.EXPIRED, file="")
    stale = now - dt.timedelta(seconds=settings.POSKO_EXPORT_STALE_SECONDS)
    waiting = Export.objects.filter(
        Q(status=ST.PENDING, requested_at__lt=now - dt.timedelta(seconds=60))
        | Q(status=ST.RUNNING, heartbeat_at__lt=stale)
    ).values_list("pk", flat=True)
    for pk in waiting:
        export_enqueue(pk)
    return expired
