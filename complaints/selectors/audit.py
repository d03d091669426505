"""Reading the audit trail (issue 9, docs/integrity.md): who revealed a reporter's identity, who opened or
downloaded an original file or a link archive, who asked for, took or was handed an export, with when and
why, for the coordinators who answer for a jurisdiction.

Three append-only sources are merged, newest first: the cases' events (reveals and exports, letters and
scans downloaded), the evidence's custody records, and the export requests. A case's entries are shown only
when the case lies in the reader's jurisdiction, exactly as the case page decides (reports_for_user); a
recap of the queue belongs to no case and is shown when the jurisdiction it was asked for lies within the
reader's (as exports.selectors decides who may see it)."""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Report, ReportEvent
from complaints.services import access
from evidence.models import CustodyEvent
from posko.numbers import small_int

LIMIT = 200
E = ReportEvent.Kind


@dataclass
class AuditFilters:
    person: str = ""  # a user name
    case: str = ""  # a case number, tracking code or report id
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive


@dataclass
class AuditEntry:
    at: dt.datetime
    source: str  # "event", "custody" or "export": the table the entry comes from
    what: str
    actor: User | None
    report: Report | None
    reason: str = ""
    details: list[str] = field(default_factory=list)


def _window(filters: AuditFilters, name: str) -> Q:
    """The dates are calendar days where the portal keeps time (TIME_ZONE, WIB)."""
    zone = timezone.get_current_timezone()
    q = Q()
    if filters.since:
        q &= Q(**{f"{name}__gte": dt.datetime.combine(filters.since, dt.time.min, zone)})
    if filters.until:
        q &= Q(
            **{f"{name}__lt": dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time.min, zone)}
        )
    return q


def _cases(user, filters: AuditFilters):
    """The reports the entries may belong to: the user's jurisdiction, narrowed to one case if asked."""
    reports = access.reports_for_user(user)
    if filters.case:
        term = filters.case.strip()
        match = Q(case_number__iexact=term) | Q(tracking_code__iexact=term)
        if (pk := small_int(term)) is not None:
            match |= Q(pk=pk)
        reports = reports.filter(match)
    return reports


def _event_details(event: ReportEvent) -> list[str]:
    data = event.data or {}
    keys = ("action", "export_kind", "filename", "number", "version", "include_identity")
    details = [f"{key}: {data[key]}" for key in keys if key in data and data[key] not in ("", None)]
    if data.get("sha256"):
        details.append(f"sha256: {data['sha256'][:16]}…")
    return details


def _events(user, filters: AuditFilters, cases, people) -> list[AuditEntry]:
    qs = ReportEvent.objects.filter(kind__in=[E.REVEAL, E.EXPORT], report__in=cases).filter(
        _window(filters, "at")
    )
    if people is not None:
        qs = qs.filter(actor__in=people)
    return [
        AuditEntry(
            at=e.at,
            source="event",
            what=e.get_kind_display(),
            actor=e.actor,
            report=e.report,
            reason=e.note,
            details=_event_details(e),
        )
        for e in qs.select_related("actor", "report").order_by("-at", "-id")[:LIMIT]
    ]


def _custody(user, filters: AuditFilters, cases, people) -> list[AuditEntry]:
    qs = CustodyEvent.objects.filter(evidence__report__in=cases).filter(_window(filters, "at"))
    if people is not None:
        qs = qs.filter(actor__in=people)
    rows = qs.select_related("actor", "evidence__report").order_by("-at", "-id")[:LIMIT]
    return [
        AuditEntry(
            at=c.at,
            source="custody",
            what=c.get_action_display(),
            actor=c.actor,
            report=c.evidence.report,
            reason=c.reason,
            details=[
                str(c.evidence),
                *([f"sha256: {c.sha256[:16]}…"] if c.sha256 else []),
                *([f"IP {c.client_address}"] if c.client_address else []),
            ],
        )
        for c in rows
    ]


def _covers(codes: list[str] | None, scope: list[str] | None) -> bool:
    if codes is None:
        return True
    if scope is None:
        return False
    return all(any(s == c or s.startswith(c + ".") for c in codes) for s in scope)


def _exports(user, filters: AuditFilters, cases, people) -> list[AuditEntry]:
    # Named by string: exports sits above complaints (STYLE.md layers) and is read here, never imported.
    Export = apps.get_model("exports", "Export")
    window = _window(filters, "requested_at")
    case_exports = Q(report__in=cases)
    wanted = case_exports if filters.case else case_exports | Q(report__isnull=True)
    qs = Export.objects.filter(wanted).filter(window)
    if people is not None:
        qs = qs.filter(requested_by__in=people)
    codes = access.jurisdiction_codes(user)
    rows = []
    # Recaps are checked one by one against the jurisdiction they were asked for; a bounded read.
    for export in qs.select_related("requested_by", "report").order_by("-requested_at")[: LIMIT * 5]:
        if export.report_id is None and not _covers(codes, export.scope):
            continue
        rows.append(
            AuditEntry(
                at=export.requested_at,
                source="export",
                what=str(_("Export asked for: %(kind)s") % {"kind": export.get_kind_display()}),
                actor=export.requested_by,
                report=export.report,
                reason=export.reason,
                details=[
                    export.get_status_display(),
                    *([str(_("with the reporter's identity"))] if export.include_identity else []),
                    *([f"IP {export.client_address}"] if export.client_address else []),
                ],
            )
        )
        if len(rows) == LIMIT:
            break
    return rows


def audit_people(user):
    """Staff whose jurisdiction overlaps the user's, for the person filter's suggestions: names from other
    jurisdictions are not shown either."""
    return access.case_workers_near(user).only("username", "first_name", "last_name")


def audit_trail(user, filters: AuditFilters) -> tuple[list[AuditEntry], bool]:
    """The newest entries (at most LIMIT) the user may read under the filters, and whether there were more."""
    cases = _cases(user, filters)
    people = User.objects.filter(username__iexact=filters.person.strip()) if filters.person.strip() else None
    entries = [
        *_events(user, filters, cases, people),
        *_custody(user, filters, cases, people),
        *_exports(user, filters, cases, people),
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:LIMIT], len(entries) > LIMIT
