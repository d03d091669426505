from django.contrib import admin

from complaints.models import Accused, Election, Region, Report, ReportEvent, ViolationCategory
from evidence.models import Evidence


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


class AccusedInline(admin.TabularInline):
    model = Accused
    extra = 0
    raw_id_fields = ["region"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
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
    readonly_fields = ["kind", "original_name", "url", "size", "sha256", "status", "status_reason"]
    can_delete = False
    show_change_link = True


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    readonly_fields = ["at", "actor", "from_status", "to_status", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "tracking_code",
        "election",
        "status",
        "kind",
        "late",
        "anonymous",
        "incident_region",
        "incident_date",
        "created_at",
    ]
    list_filter = ["status", "kind", "late", "anonymous", "election", "reporter_type", "categories"]
    search_fields = [
        "tracking_code",
        "chronology",
        "incident_place",
        "accused__name",
        "accused__nip",
        "accused__agency",
        "reporter_name",
    ]
    date_hierarchy = "created_at"
    raw_id_fields = ["incident_region"]
    readonly_fields = [
        "tracking_code",
        "pin_hash",
        "pin_salt",
        "created_at",
        "updated_at",
        "status_changed_at",
    ]
    filter_horizontal = ["categories"]
    inlines = [AccusedInline, EvidenceInline, ReportEventInline]
    list_select_related = ["election", "incident_region"]


@admin.register(Accused)
class AccusedAdmin(admin.ModelAdmin):
    list_display = ["name", "nip", "asn_type", "position", "agency", "region", "report"]
    list_filter = ["asn_type"]
    search_fields = ["name", "nip", "agency", "position", "report__tracking_code"]
    raw_id_fields = ["report", "region"]
    list_select_related = ["report", "region"]


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ["report", "at", "from_status", "to_status", "actor"]
    list_filter = ["to_status"]
    search_fields = ["report__tracking_code", "note"]
    raw_id_fields = ["report"]

    def has_change_permission(self, request, obj=None):
        return False  # append-only

    def has_delete_permission(self, request, obj=None):
        return False
