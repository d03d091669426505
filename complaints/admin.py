"""The admin (the Admin role only, issue 9): configuration is edited here (regions, elections, categories,
referral agencies; users in accounts.admin); what the workflow owns is shown read-only (reports and their
status, case number and chronology, terlapor, events, clarification minutes, assessments, referrals), because
it changes only through the services, which write the events. The reporter's identity is not shown here at all,
nor can it be searched or filtered on: revealing it is a logged act on the case page."""

from django.contrib import admin

from complaints.models import (
    Accused,
    Assessment,
    Clarification,
    ClarificationAttachment,
    Election,
    Person,
    Referral,
    ReferralAgency,
    Region,
    Report,
    ReportEvent,
    RetentionRecord,
    ViolationCategory,
)
from evidence.admin import ReadOnlyAdminMixin, ReadOnlyInline
from evidence.models import Evidence

# Never shown, searched, filtered or sorted on in the admin.
HIDDEN_REPORT_FIELDS = (
    "reporter_name",
    "reporter_address",
    "reporter_phone",
    "reporter_email",
    "reporter_nik",
    "pin_hash",
    "pin_salt",
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    list_per_page = 50


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "kind",
        "voting_day",
        "campaign_start",
        "campaign_end",
        "filing_days",
        "filing_working_days",
        "decision_days",
        "decision_extension_days",
        "accepting_reports",
    ]
    list_filter = ["kind", "accepting_reports"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ViolationCategory)
class ViolationCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "topic",
        "group",
        "sanction",
        "legal_basis",
        "position",
        "active",
        "merged_into",
    ]
    list_filter = ["topic", "group", "sanction", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name", "name_en", "slug", "legal_basis"]


@admin.register(ReferralAgency)
class ReferralAgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "valid_from", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


class AccusedInline(ReadOnlyInline):
    model = Accused
    fields = ["name", "nip", "asn_type", "position", "agency", "region"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = [
        "position",
        "kind",
        "original_name",
        "url",
        "caption",
        "size",
        "sha256",
        "status",
        "status_reason",
    ]
    show_change_link = True


class ReportEventInline(ReadOnlyInline):
    model = ReportEvent
    fields = ["at", "kind", "actor", "from_status", "to_status", "note"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "tracking_code",
        "case_number",
        "election",
        "status",
        "kind",
        "late",
        "anonymous",
        "incident_region",
        "incident_date",
        "created_at",
    ]
    list_filter = ["status", "kind", "late", "anonymous", "election", "categories"]
    search_fields = [
        "tracking_code",
        "case_number",
        "chronology",
        "incident_place",
        "accused__name",
        "accused__nip",
        "accused__agency",
        # No identity field: they are encrypted and cannot be searched (issue 9).
    ]
    date_hierarchy = "created_at"
    fields = [
        "tracking_code",
        "case_number",
        "election",
        "kind",
        "status",
        "status_changed_at",
        "late",
        "filing_deadline",
        "anonymous",
        "reporter_type",
        "incident_date",
        "known_date",
        "incident_region",
        "incident_place",
        "categories",
        "chronology",
        "witnesses",
        "registered_at",
        "assigned_to",
        "priority",
        "merged_into",
        "decision_extended",
        "clarification_skip_reason",
        "outcome",
        "closed_at",
        "due_on",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [AccusedInline, EvidenceInline, ReportEventInline]
    list_select_related = ["election", "incident_region"]

    def lookup_allowed(self, lookup, value, request=None):
        """Django's admin lets a URL filter on any field of the model (`?reporter_phone__startswith=08`):
        counting the results would then tell who reported. Not on these fields."""
        if lookup.split("__")[0] in HIDDEN_REPORT_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Accused)
class AccusedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "nip", "asn_type", "position", "agency", "region", "report"]
    list_filter = ["asn_type"]
    search_fields = ["name", "nip", "agency", "position", "report__tracking_code"]
    list_select_related = ["report", "region"]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["report", "at", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind", "to_status"]
    search_fields = ["report__tracking_code", "note"]
    list_select_related = ["report", "actor"]


class ClarificationAttachmentInline(ReadOnlyInline):
    model = ClarificationAttachment
    fields = ["original_name", "sha256", "size", "uploaded_by", "uploaded_at"]


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["report", "scheduled_for", "place", "minutes_recorded_at"]
    search_fields = ["report__tracking_code", "report__case_number", "place"]
    list_select_related = ["report"]
    inlines = [ClarificationAttachmentInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["report", "decision", "criminal_element", "recommended_sanction", "decided_at", "author"]
    list_filter = ["decision", "criminal_element"]
    search_fields = ["report__tracking_code", "report__case_number"]
    list_select_related = ["report", "author"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["report", "agency", "letter_number", "sent_on", "outcome", "outcome_recorded_at"]
    list_filter = ["agency", "outcome"]
    search_fields = ["report__tracking_code", "report__case_number", "letter_number"]
    list_select_related = ["report", "agency"]


@admin.register(Person)
class PersonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "nip", "agency", "created_at"]
    search_fields = ["name", "nip", "agency"]


# --- Retention records (issue 9): read-only, the audit trail of what the retention rules removed ---
@admin.register(RetentionRecord)
class RetentionRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "rule", "report_id", "period_days", "ended_at"]
    list_filter = ["rule"]
    search_fields = ["=report_id", "=tracking_code_sha256"]
    readonly_fields = [
        "at",
        "rule",
        "period_days",
        "report_id",
        "tracking_code_sha256",
        "ended_at",
        "removed",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
