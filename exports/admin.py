from django.contrib import admin

from exports.models import Export, ExportKey


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """Read-only: exports are made by the staff pages and the API, never edited. The file is not linked."""

    list_display = ["requested_at", "kind", "report", "requested_by", "status", "include_identity", "size"]
    list_filter = ["kind", "status", "include_identity"]
    search_fields = ["reason", "requested_by__username", "report__case_number", "report__tracking_code"]
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExportKey)
class ExportKeyAdmin(admin.ModelAdmin):
    list_display = ["fingerprint", "created_at", "first_used_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
