"""Asking for an export: who may, with which reason and filters. A refusal records and changes nothing; an
accepted request is a row, queued for a worker after the transaction commits, and an identity-bearing one is
logged as a reveal at once."""

import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Election, Report, ReportEvent, ViolationCategory
from complaints.selectors.cases import QueueFilters
from complaints.services import access
from complaints.services.history import event_record
from evidence.custody import MIN_REASON
from evidence.models import Evidence
from exports import bundle
from exports.models import Export

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
            event_record(
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
