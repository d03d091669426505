"""Filing a report: one transaction for the report, its terlapor and its evidence; processing after commit."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from complaints import deadlines
from complaints.models import Accused, Report, ReportCategory
from complaints.services import codes, history, registry
from complaints.services.botcheck import BotCheckResult
from complaints.timezones import today_in, zone_for_region
from evidence import services as evidence_services


@dataclass(frozen=True)
class Receipt:
    report: Report
    pin: str


def report_kind(*, anonymous: bool, late: bool) -> str:
    # PRODUCT.md sections 2 and 4: only an identified, entitled reporter filing in time makes a laporan;
    # anonymous or late reports are informasi awal, which supervisors may still investigate.
    return Report.Kind.INFORMASI_AWAL if anonymous or late else Report.Kind.LAPORAN


# Tracebacks in error reports leave out these frames' variables: they hold the reporter's identity and PIN.
@sensitive_variables()
def report_submit(
    *,
    data: dict,
    accused: list[dict],
    files: list[dict],
    links: list[dict],
    language: str = "id",
    bot_check: BotCheckResult | None = None,
    received_at=None,
) -> Receipt:
    """Create a report with its terlapor and evidence from validated input (see ReportSubmission), and queue
    each evidence item for processing once the transaction has committed. `bot_check` is the door's verdict
    (services/botcheck.py); without one the report counts as unverified. `received_at` back-dates the
    receipt, for demo data only (complaints.services.demo): its first event is written with that time,
    because the history cannot be edited afterwards."""
    if bot_check is None:
        bot_check = BotCheckResult(Report.BotCheck.UNVERIFIED, "missing")
    election = data["election"]
    # The filing window counts days where the violation happened (Keppres 41/1987: WIB, WITA or WIT).
    today = today_in(zone_for_region(data["incident_region"].code))
    deadline = deadlines.filing_deadline(election, data["known_date"])
    late = today > deadline
    pin, salt = codes.pin_new(), codes.pin_salt_new()
    for attempt in range(1, _CODE_ATTEMPTS + 1):
        try:
            # A failure anywhere (a full disk mid-file, the object store or the database gone, the commit
            # refused) rolls the rows back and removes every file written for them, partial ones included:
            # each file is registered for removal before its first byte is written.
            with evidence_services.written_files_removed_on_failure(), transaction.atomic():
                code = _tracking_code_new()
                report = _create(
                    data=data,
                    accused=accused,
                    files=files,
                    links=links,
                    language=language,
                    late=late,
                    deadline=deadline,
                    tracking_code=code,
                    pin=pin,
                    salt=salt,
                    bot_check=bot_check,
                    received_at=received_at,
                )
        except IntegrityError:
            # 60 random bits make a taken code vanishingly rare, so it is not looked up before every report
            # (a query on the hot path): the unique index refuses it, the report's row is the first thing
            # written (no file yet), and the report is filed again under a new code.
            if attempt < _CODE_ATTEMPTS and Report.objects.filter(tracking_code=code).exists():
                continue
            raise
        return Receipt(report=report, pin=pin)
    raise AssertionError("unreachable")  # the last attempt returns or raises


_CODE_ATTEMPTS = 3


def _tracking_code_new() -> str:
    return codes.tracking_code_new()


@sensitive_variables()
def _create(
    *, data, accused, files, links, language, late, deadline, tracking_code, pin, salt, bot_check, received_at
) -> Report:
    report = Report(
        **({"created_at": received_at} if received_at else {}),
        tracking_code=tracking_code,
        pin_salt=salt,
        pin_key=codes.pin_key_current(),
        pin_hash=codes.pin_hash(pin, salt),
        election=data["election"],
        kind=report_kind(anonymous=data["anonymous"], late=late),
        late=late,
        filing_deadline=deadline,
        anonymous=data["anonymous"],
        reporter_name=data.get("reporter_name", ""),
        reporter_address=data.get("reporter_address", ""),
        reporter_phone=data.get("reporter_phone", ""),
        reporter_email=data.get("reporter_email", ""),
        reporter_nik=data.get("reporter_nik", ""),
        reporter_type=data.get("reporter_type", ""),
        incident_date=data["incident_date"],
        known_date=data["known_date"],
        incident_region=data["incident_region"],
        province_code=data["incident_region"].code[:2],
        regency_code=data["incident_region"].code[:5],
        incident_place=data["incident_place"],
        chronology=data["chronology"],
        witnesses=data.get("witnesses", ""),
        language=language[:8],
        bot_check=bot_check.verdict,
    )
    rows = [
        Accused(
            seq=index,
            name=item["name"],
            nip=item.get("nip", ""),
            asn_type=item.get("asn_type") or Accused.AsnType.UNKNOWN,
            position=item.get("position", ""),
            agency=item.get("agency", ""),
            region=item.get("region"),
        )
        for index, item in enumerate(accused)
    ]
    # Everything the row needs is known now, so it is written once: the search words and the first deadline.
    report.search_text = registry.search_text_for(report, rows)
    report.due_on = deadlines.case_clock(report)["initial_assessment"]
    # The foreign keys are instances the form already loaded, and the tracking code's uniqueness is enforced
    # by the database (report_submit files again under a new code): skip the per-field existence queries on
    # this hot path.
    report.full_clean(exclude=["categories", "election", "incident_region"], validate_unique=False)
    report.save()
    # The links written at once: a new report has none to read first (categories.add() would, through the
    # ReportCategory model). The database copies the report's region, election and receipt into each row.
    ReportCategory.objects.bulk_create(
        [ReportCategory(report=report, violationcategory=category) for category in data["categories"]]
    )
    for row in rows:
        row.report = report
        row.person = registry.person_for(nip=row.nip, name=row.name, agency=row.agency)
    Accused.objects.bulk_create(rows)
    # Why the report is (not) verified stays in its history: "missing" (no JavaScript, or an API client),
    # "invalid", "expired", "reused", "honeypot" or "solved".
    history.event_record_first(
        report=report,
        to_status=Report.Status.SUBMITTED,
        at=report.created_at,
        data={"bot_check": bot_check.reason},
    )
    items = []
    position = 0
    for item in files:
        if "staged" in item:
            ev = evidence_services.evidence_attach_staged(
                report=report, staged=item["staged"], caption=item.get("caption", ""), position=position
            )
        else:
            ev = evidence_services.evidence_attach_file(
                report=report, upload=item["file"], caption=item.get("caption", ""), position=position
            )
        items.append(ev)
        position += 1
    for item in links:
        ev = evidence_services.evidence_attach_link(
            report=report, url=item["url"], caption=item.get("caption", ""), position=position
        )
        items.append(ev)
        position += 1
    evidence_services.evidence_enqueue(items)
    return report
