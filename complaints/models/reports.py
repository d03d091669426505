"""Citizen reports (which become cases), their terlapor and their history."""

import pgtrigger
from django.core.validators import EmailValidator
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.fields import (
    EncryptedTextField,
    KeyedHashField,
    normalize_email,
    normalize_nik,
    normalize_phone,
)
from complaints.models.reference import Election, Region, ViolationCategory

# The columns the statistics read from a report (stats/selectors/staff.py and public.py).
STATS_COLUMNS = [
    "id",
    "election",
    "created_at",
    "due_on",
    "triaged_at",
    "registered_at",
    "decided_at",
    "referral_sent_on",
    "agency_outcome_at",
    "decision_extended",
    "assigned_to",
]


# Reports nobody has triaged yet: where the bot check's mark orders the staff queue (issue 9 item 4).
UNTRIAGED_STATUSES = ("submitted", "triage", "needs_info")


def queue_mark():
    """The staff queue's first sort key: in triage, 0 for reports that passed the bot check (or came before it
    existed), 1 unverified, 2 likely spam; 0 for every report past triage. One expression for the queue's
    ORDER BY and for the indexes below, so that PostgreSQL reads a page from an index instead of sorting the
    jurisdiction (bench/staff_queue.py: 280 ms for the first page at 1,000,000 reports without it, 1 ms with)."""
    return Case(When(status__in=UNTRIAGED_STATUSES, then=Coalesce("bot_check", Value(0))), default=Value(0))


class Report(models.Model):
    """A citizen's report. A report from an identified voter, participant or monitor filed in time is a
    *laporan*; an anonymous or late one can only be handled as *informasi awal* (PRODUCT.md section 2)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Received")
        TRIAGE = "triage", _("Triage")
        NEEDS_INFO = "needs_info", _("Needs correction")
        INVESTIGATION = "investigation", _("Investigation")
        CLARIFICATION = "clarification", _("Clarification")
        ASSESSMENT = "assessment", _("Assessment")
        REFERRED = "referred", _("Forwarded")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        MERGED = "merged", _("Merged")
        STOPPED = "stopped", _("Stopped")

    class ReporterType(models.TextChoices):
        VOTER = "voter", _("Voter")
        PARTICIPANT = "participant", _("Election participant")
        MONITOR = "monitor", _("Accredited election monitor")

    class BotCheck(models.IntegerChoices):
        # The value orders the triage queue: verified reports first, likely spam last (selectors/cases.py).
        VERIFIED = 0, _("Verified by the bot check")
        UNVERIFIED = 1, _("Not verified by the bot check")
        SPAM = 2, _("Likely spam: a field hidden from people was filled")

    class Kind(models.TextChoices):
        LAPORAN = "laporan", _("Report (laporan)")
        INFORMASI_AWAL = "informasi_awal", _("Initial information (informasi awal)")

    tracking_code = models.CharField(max_length=20, unique=True)
    # HMAC of the PIN with a per-report salt, keyed with the POSKO_PIN_KEYS key whose id is in pin_key ("": a
    # report filed before issue 9, keyed with SECRET_KEY); the PIN itself is shown once and not kept.
    pin_hash = models.CharField(max_length=64)
    pin_salt = models.CharField(max_length=32)
    pin_key = models.CharField(max_length=16, blank=True, db_default="")
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    late = models.BooleanField(default=False, help_text="Filed after the election's filing window")
    filing_deadline = models.DateField(null=True, blank=True)

    anonymous = models.BooleanField(default=False)
    # The reporter's identity, encrypted at rest (complaints/fields.py; issue 9). The database holds only
    # Fernet tokens; the same NIK, e-mail or phone across reports is found through the keyed hashes below.
    reporter_name = EncryptedTextField(max_length=120, blank=True)
    reporter_address = EncryptedTextField(max_length=300, blank=True)
    reporter_phone = EncryptedTextField(max_length=20, blank=True)
    reporter_email = EncryptedTextField(max_length=254, blank=True, validators=[EmailValidator()])
    reporter_nik = EncryptedTextField(max_length=16, blank=True)
    reporter_nik_hash = KeyedHashField(source="reporter_nik", purpose="nik", normalizer=normalize_nik)
    reporter_email_hash = KeyedHashField(source="reporter_email", purpose="email", normalizer=normalize_email)
    reporter_phone_hash = KeyedHashField(source="reporter_phone", purpose="phone", normalizer=normalize_phone)
    reporter_type = models.CharField(max_length=12, choices=ReporterType.choices, blank=True)

    incident_date = models.DateField()
    known_date = models.DateField()
    incident_region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    incident_place = models.CharField(max_length=300)
    categories = models.ManyToManyField(ViolationCategory, related_name="reports", through="ReportCategory")
    chronology = models.TextField()
    witnesses = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="id")
    # How the report passed the public doors' bot check (issue 9 item 4; complaints/services/botcheck.py):
    # nobody is turned away, an unverified or likely-spam report is only sorted later in the triage queue.
    # NULL: filed before the check existed, sorted with the verified ones.
    bot_check = models.PositiveSmallIntegerField(choices=BotCheck.choices, null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # --- The case: triage and handling (issue 4) ---
    # Bawaslu-style number given at registration, e.g. 002/LP/PL/Kab/35.74/III/2024.
    case_number = models.CharField(max_length=60, null=True, blank=True, unique=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    # The report's first move out of "received" (a volunteer starts triage, asks for correction or rejects): the
    # time to triage of the statistics. Set once, by history.event_record when it writes that transition, so
    # the figures read it from the report's stats index instead of joining the timeline (bench/stats.py).
    triaged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The steps after the kajian, kept on the report as triaged_at is: the decision (Assessment.decided_at), the
    # day the recommendation was sent (Referral.sent_on) and when the agency's outcome was recorded
    # (Referral.outcome_recorded_at). Copied by workflow.case_assess, referral_record and referral_outcome beside
    # the rows they write, so that the statistics' medians and the decisions-within-deadline table read them
    # from the report's stats index instead of joining two more tables (bench/stats.py).
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    referral_sent_on = models.DateField(null=True, blank=True, editable=False)
    agency_outcome_at = models.DateTimeField(null=True, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_reports"
    )
    priority = models.SmallIntegerField(default=0, help_text="Higher first in the queue")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supporting_reports"
    )
    decision_extended = models.BooleanField(default=False, help_text="Decision deadline extended")
    clarification_skip_reason = models.TextField(blank=True)
    outcome = models.TextField(blank=True, help_text="How the case ended (closed, rejected, stopped)")
    closed_at = models.DateTimeField(null=True, blank=True)
    # The clock that pauses while the reporter is asked for more: the initial assessment restarts from here.
    clock_restarted_at = models.DateTimeField(null=True, blank=True)
    # The pending deadline (initial assessment, then decision), kept up to date by the workflow services so
    # the queue can filter and sort on it; and the incident's province and kab/kota, for jurisdictions.
    due_on = models.DateField(null=True, blank=True, db_index=True)
    province_code = models.CharField(max_length=2, blank=True, db_index=True)
    regency_code = models.CharField(max_length=5, blank=True, db_index=True)
    # When the reporter last answered on /lacak/ and no one handling the case has read it yet: the "new answer"
    # mark of the queue and the case page (issue 10). Cleared when the assignee opens the case or staff reply.
    new_answer_at = models.DateTimeField(null=True, blank=True)
    # Words for full-text search: chronology, terlapor names and agencies, places. PostgreSQL indexes a
    # generated tsvector over it (migration 0004); elsewhere it is searched with LIKE.
    search_text = models.TextField(blank=True, editable=False)
    # Set when the retention rule archived the case: reporter identity erased, case read-only (issue 9).
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [
            ("reveal_reporter", "Can reveal a reporter's identity (logged)"),
            ("register_case", "Can register a report as a case"),
            ("approve_referral", "Can approve decisions and referrals"),
        ]
        # The queue counts and pages a jurisdiction's open cases: these let PostgreSQL answer the count from
        # the index alone (bench/staff_queue.py: the count was 100 of 120 ms at 200,000 reports).
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["province_code", "status"]),
            models.Index(fields=["regency_code", "status"]),
            # The queue's pages in its default order (oldest first) and by legal deadline (the overdue view).
            models.Index(queue_mark(), F("created_at"), F("id"), name="report_queue_oldest"),
            models.Index(queue_mark(), F("due_on"), F("created_at"), F("id"), name="report_queue_due"),
            # The overdue view's count: a jurisdiction's open cases past their deadline, read as one range of
            # the index per status (bench/staff_queue.py at 1,000,000 reports: 36-44 ms, against 114-147 ms
            # through the statistics index, whose wide entries held the deadline only as an included column).
            models.Index(fields=["province_code", "status", "due_on"], name="report_overdue_province"),
            models.Index(fields=["regency_code", "status", "due_on"], name="report_overdue_regency"),
            # Statistics (issue 8, stats/): every column the figures group or count by, so PostgreSQL answers
            # a jurisdiction's figures from the index alone, without reading the wide rows (bench/stats.py).
            models.Index(
                name="report_stats_province",
                fields=["province_code", "status"],
                include=[*STATS_COLUMNS, "regency_code"],
            ),
            models.Index(
                name="report_stats_regency",
                fields=["regency_code", "status"],
                include=[*STATS_COLUMNS, "incident_region"],
            ),
        ]

    def __str__(self):
        return self.case_number or self.tracking_code

    OPEN = frozenset(
        {
            Status.SUBMITTED,
            Status.TRIAGE,
            Status.NEEDS_INFO,
            Status.INVESTIGATION,
            Status.CLARIFICATION,
            Status.ASSESSMENT,
            Status.REFERRED,
        }
    )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


def report_copy_trigger(name: str, copies: dict[str, str]) -> pgtrigger.Trigger:
    """A PostgreSQL trigger that copies columns of a row's report into the row as it is inserted ({report's
    column: row's column}), whatever writes it. The row keeps what it was given when its report is not there
    yet (a load whose foreign keys are checked at commit, the report's row coming later)."""
    source = ", ".join(copies)
    target = ", ".join(f"NEW.{column}" for column in copies.values())
    # Column names of the models here, never input.
    copy = f"SELECT {source} INTO {target} FROM complaints_report WHERE id = NEW.report_id;"  # noqa: S608
    found = "EXISTS (SELECT 1 FROM complaints_report WHERE id = NEW.report_id)"
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Insert,
        func=f"IF {found} THEN {copy} END IF; RETURN NEW;",
    )


def region_copy_indexes(
    name: str, *, include: list[str], then: tuple | list = (), condition: models.Q | None = None
) -> list[models.Index]:
    """`name`_province and `name`_regency: a row's copy of its report's province or kab/kota (then the `then`
    fields), with `include` so that counting a jurisdiction's rows reads the index alone."""
    return [
        models.Index(
            fields=[f"{level}_code", *then], include=include, condition=condition, name=f"{name}_{level}"
        )
        for level in ("province", "regency")
    ]


class ReportCategory(models.Model):
    """A category a report names: the table of Report.categories (complaints_report_categories, the one Django
    made for it before), with copies of the report's province, kab/kota, election and time of receipt that
    PostgreSQL writes as the row is inserted (the trigger report_category_copy below, whatever writes it; a
    report's region, election and receipt are set at intake and never change). The statistics count a
    jurisdiction's categories from this table's own index with them, instead of joining every category row
    in the country to the jurisdiction's reports (stats/selectors). Empty on other databases."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE)
    violationcategory = models.ForeignKey(ViolationCategory, on_delete=models.CASCADE)
    province_code = models.CharField(max_length=2, blank=True, default="", editable=False)
    regency_code = models.CharField(max_length=5, blank=True, default="", editable=False)
    report_election = models.BigIntegerField(null=True, blank=True, editable=False)
    report_created_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "complaints_report_categories"
        unique_together = [("report", "violationcategory")]
        triggers = [
            report_copy_trigger(
                "report_category_copy",
                {
                    "province_code": "province_code",
                    "regency_code": "regency_code",
                    "election_id": "report_election",
                    "created_at": "report_created_at",
                },
            ),
        ]
        indexes = region_copy_indexes(
            "report_category", include=["violationcategory", "report_election", "report_created_at"]
        )

    def __str__(self):
        return f"{self.report_id}: {self.violationcategory_id}"


class Accused(models.Model):
    """A terlapor: the civil servant (ASN) a report is about."""

    class AsnType(models.TextChoices):
        PNS = "pns", _("PNS (permanent civil servant)")
        PPPK = "pppk", _("PPPK (contract civil servant)")
        UNKNOWN = "unknown", _("Not known")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="accused")
    seq = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    nip = models.CharField(max_length=18, blank=True, db_index=True)
    asn_type = models.CharField(max_length=8, choices=AsnType.choices, default=AsnType.UNKNOWN)
    position = models.CharField(max_length=160, blank=True, help_text="Jabatan")
    agency = models.CharField(max_length=200, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "complaints.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )

    class Meta:
        ordering = ["report", "seq"]
        verbose_name = _("terlapor")
        verbose_name_plural = _("terlapor")

    def __str__(self):
        return self.name


class ReportEvent(models.Model):
    """Append-only history of a report: every transition, assignment, merge, note, message, reveal and
    export, with who did it, when and why."""

    # Not a column: the services that write this row set it False when a repeated request (a double click, a
    # form saved unchanged) changed nothing, and the pages say so (complaints/staff_views.py).
    changed: bool = True

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Status change")
        ASSIGN = "assign", _("Assignment")
        MERGE = "merge", _("Merge")
        NOTE = "note", _("Internal note")
        MESSAGE = "message", _("Message to the reporter")
        ANSWER = "answer", _("Answer from the reporter")
        REVEAL = "reveal", _("Identity revealed")
        EXPORT = "export", _("Export")
        CLARIFICATION = "clarification", _("Clarification")
        ASSESSMENT = "assessment", _("Assessment")
        REFERRAL = "referral", _("Referral")
        REMINDER = "reminder", _("Reminder")
        EXTENSION = "extension", _("Deadline extended")
        PRIORITY = "priority", _("Priority")
        # Something is wrong with the case's stored evidence (an export found a file changed since intake).
        ALARM = "alarm", _("Alarm")
        ARCHIVE = "archive", _("Archived")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TRANSITION)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain (issue 9, docs/integrity.md): the event's place on its case (1, 2, 3, ...) and the SHA-256
    # of the previous event's chain_hash followed by this event's fields, written by
    # complaints.services.history.event_record. `manage.py chain_verify` recomputes every case's chain.
    seq = models.PositiveIntegerField(default=0, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The report's province and kab/kota, copied into every event as it is inserted, by PostgreSQL (the trigger
    # event_region_copy below, whatever writes the row): a report's region is set at intake and never changes.
    # The per-person statistics count a jurisdiction's events from the events' own index with them, instead of
    # joining every event in the country to the jurisdiction's reports (stats/selectors/staff.py people_work).
    # Not part of the hash chain (they repeat the report's own fields). Empty on other databases.
    province_code = models.CharField(max_length=2, blank=True, default="", editable=False)
    regency_code = models.CharField(max_length=5, blank=True, default="", editable=False)

    class Meta:
        ordering = ["report", "at", "id"]
        constraints = [
            # Two writers that read the same head would give two events the same place: refused here, so the
            # chain can never fork even if the lock in event_record were bypassed.
            models.UniqueConstraint(fields=["report", "seq"], name="event_unique_seq"),
        ]
        # History nobody can edit (issue 9): PostgreSQL refuses UPDATE and DELETE on events. Only the
        # retention purge of rejected reports removes them (complaints.services.retention, under
        # pgtrigger.ignore), and it writes a RetentionRecord of what it removed.
        triggers = [
            pgtrigger.Protect(name="event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            report_copy_trigger(
                "event_region_copy", {"province_code": "province_code", "regency_code": "regency_code"}
            ),
        ]
        # The per-person statistics: a jurisdiction's events by the people who recorded them, read from the
        # index alone (bench/stats.py).
        indexes = region_copy_indexes(
            "event_people",
            then=["kind"],
            include=["actor", "from_status", "to_status", "at"],
            condition=models.Q(actor__isnull=False),
        )
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        permissions = [("view_audit", "Can read the audit trail: reveals, original downloads, exports")]

    def __str__(self):
        return f"{self.report_id}: {self.from_status or '-'} → {self.to_status}"


class ReportChain(models.Model):
    """The head of a case's event chain: how many events it has and the chain_hash of the last one. Kept apart
    from Report, so a save of a stale Report instance can never move it back; its row is also the lock that
    serialises writers of one case's events (complaints.services.history). A deleted last event, which the
    chain alone would not show, shows here: the head no longer matches."""

    report = models.OneToOneField(Report, primary_key=True, on_delete=models.CASCADE, related_name="chain")
    seq = models.PositiveIntegerField(default=0)
    head = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("event chain")
        verbose_name_plural = _("event chains")
        # The head only moves forward, one event at a time, and is removed only with its case by the purge.
        triggers = [
            pgtrigger.Protect(
                name="chain_forward_only",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "NEW.seq IS DISTINCT FROM OLD.seq + 1 OR NEW.report_id IS DISTINCT FROM OLD.report_id"
                ),
            ),
            pgtrigger.Protect(name="chain_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.report_id}: {self.seq} {self.head[:12]}"
