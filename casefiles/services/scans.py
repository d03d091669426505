"""Keeping signed paper: staff attach a scan of a signed document (a letter, minutes, a form) to a case, typed
by its form model, stored privately with its SHA-256. Never changed afterwards."""

import hashlib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casefiles.models import FormModel, Letter, SignedScan
from complaints.models import Report, ReportEvent
from complaints.services.history import event_record

# Accepted scans, recognised from their first bytes (never from the client's name or declared type).
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]


def can_upload(user) -> bool:
    return bool(user and user.is_active and user.has_perm("casefiles.add_signedscan"))


def scan_type(head: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def scan_upload(
    *, report: Report, user, form_model: FormModel, upload, title: str = "", letter: Letter | None = None
) -> SignedScan:
    """Store a signed scan for the case. Raises PermissionDenied, or ValidationError saying what is wrong."""
    if not can_upload(user):
        raise PermissionDenied(_("You may not attach signed scans."))
    if upload is None:
        raise ValidationError(_("Choose the scanned file."))
    limit = settings.POSKO_SCAN_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The scan is larger than %(mb)d MB: scan it at a lower resolution or split it.")
            % {"mb": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    content_type = scan_type(upload.read(16))
    if content_type is None:
        raise ValidationError(_("Only PDF, JPEG or PNG scans are accepted."))
    if letter is not None and letter.report_id != report.pk:
        raise ValidationError(_("That letter belongs to another case."))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    scan = SignedScan(
        report=report,
        form_model=form_model,
        title=title.strip()[:200],
        letter=letter,
        original_name=(upload.name or "")[-255:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    with transaction.atomic():
        scan.file.save("scan", upload, save=False)  # named from ids: letters/scans/<report>/<scan uuid>
        try:
            scan.save(force_insert=True)
            event_record(
                report=report,
                actor=user,
                kind=ReportEvent.Kind.NOTE,
                note=_("Signed scan attached: %(form)s") % {"form": form_model},
                data={"action": "scan_uploaded", "scan": str(scan.pk), "sha256": scan.sha256},
            )
        except BaseException:
            if scan.file.name:  # unnamed: the save failed before anything was written
                scan.file.storage.delete(scan.file.name)
            raise
    return scan
