"""What an export leaves behind: the alarm when stored evidence changed, the record of each download, and
the sweep that removes expired files and takes up builds nobody finished."""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.models import Report, ReportEvent, StaffProfile
from complaints.services import access
from complaints.services.history import event_record
from exports.models import Export

log = logging.getLogger(__name__)
ST = Export.Status


def coordinators_of(report: Report):
    """Active coordinators with an e-mail address whose jurisdiction covers the case."""
    candidates = User.objects.filter(is_active=True, posko__role=StaffProfile.Role.KOORDINATOR).exclude(
        email=""
    )
    return [u for u in candidates if access.reports_for_user(u).filter(pk=report.pk).exists()]


def evidence_alarm(export: Export, exc) -> ReportEvent:
    """Stored evidence no longer has its intake hash: an alarm on the case and an e-mail to its coordinators."""
    report = export.report
    assert report is not None, "only a case's bundle reads stored evidence"
    entry = exc.entry
    with translation.override("id"):
        event = event_record(
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
    event_record(
        report_id=export.report_id,
        kind=ReportEvent.Kind.EXPORT,
        actor=user,
        note=_("Export downloaded"),
        data=data,
    )
    if export.include_identity and user.pk != export.requested_by_id:
        event_record(
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
        if export.file.name:
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
    from exports.services.requests import export_enqueue

    for pk in waiting:
        export_enqueue(pk)
    return expired
