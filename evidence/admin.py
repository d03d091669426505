from django.contrib import admin

from evidence.models import Evidence, StagedUpload


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "report",
        "kind",
        "original_name",
        "url",
        "size",
        "status",
        "created_at",
        "processed_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["id", "original_name", "url", "sha256", "caption", "report__tracking_code"]
    raw_id_fields = ["report"]
    list_select_related = ["report"]
    # Originals are never linked from the admin: access to them goes through the custody-logging view (issue 3).
    exclude = ["file"]
    readonly_fields = ["sha256", "size", "declared_type", "original_name", "attempts", "processed_at"]


@admin.register(StagedUpload)
class StagedUploadAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "size", "created_at"]
    search_fields = ["id", "original_name"]
    exclude = ["file"]
    # A draft's staged file may carry where it was taken and belongs to a reporter's unsent draft: shown,
    # never edited here. Drafts themselves have no admin page (they hold identity data).
    readonly_fields = [
        "original_name",
        "declared_type",
        "size",
        "created_at",
        "draft",
        "location",
        "location_confirmed",
    ]
