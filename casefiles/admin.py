"""Admin: offices and letter texts are edited here (placeholders checked when saved); letters, scans and the
number counters are history and can only be looked at."""

from django.contrib import admin

from casefiles.models import FormModel, Letter, LetterCounter, LetterTemplate, Office, SignedScan


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["short_name", "region", "code", "city", "signatory_name", "active"]
    list_filter = ["active"]
    search_fields = ["name", "name_line2", "short_name", "code", "city"]
    raw_id_fields = ["region"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "office", "subject", "form_model", "type_code", "updated_at"]
    list_filter = ["kind", "office"]
    search_fields = ["subject", "body"]


@admin.register(FormModel)
class FormModelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "regulation", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name", "code", "regulation"]
    prepopulated_fields = {"slug": ["code", "name"]}


class HistoryAdmin(admin.ModelAdmin):
    """Read-only: what was issued or kept stays as it was."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(HistoryAdmin):
    list_display = [
        "number",
        "version",
        "kind",
        "report",
        "office",
        "recipient_role",
        "issued_at",
        "issued_by",
    ]
    list_filter = ["kind", "office", "recipient_role"]
    search_fields = ["number", "report__case_number", "sha256"]
    list_select_related = ["report", "office", "issued_by"]
    # The recipient's name and address can be the reporter's: not shown in the admin.
    exclude = ["recipient_name", "recipient_detail", "values", "file"]


@admin.register(SignedScan)
class SignedScanAdmin(HistoryAdmin):
    list_display = ["report", "form_model", "title", "content_type", "size", "uploaded_at", "uploaded_by"]
    list_filter = ["form_model"]
    search_fields = ["report__case_number", "sha256", "title"]
    list_select_related = ["report", "form_model", "uploaded_by"]
    exclude = ["file"]


@admin.register(LetterCounter)
class LetterCounterAdmin(HistoryAdmin):
    list_display = ["office", "year", "last"]
    list_filter = ["year"]
