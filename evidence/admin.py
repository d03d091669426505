"""Evidence in the admin: read only. Evidence, its hashes and metadata and its chain of custody belong to the
pipeline and the workflow; the admin may look, never add, change or delete (issue 9). Originals are never
linked from here: access to them goes through the custody-logging staff view."""

import json

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.access import metadata_masked
from evidence.models import CustodyEvent, Evidence, StagedUpload


class ReadOnlyAdminMixin:
    """No add, change or delete, whoever asks (permissions included): the admin shows these rows only.
    Django's admin then renders every field read-only, offers no Save, Add or Delete and answers such
    requests with 403."""

    # The (never submitted) forms behind the read-only rows still build their fields: links are https unless
    # they say otherwise, Django 6's default, chosen now instead of warned about.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    list_select_related = ["report"]
    fields = [
        "id",
        "report",
        "position",
        "kind",
        "caption",
        "original_name",
        "declared_type",
        "detected_type",
        "url",
        "normalized_url",
        "platform",
        "account",
        "post_id",
        "size",
        "sha256",
        "status",
        "status_reason",
        "quarantined",
        "metadata_shown",
        "created_at",
        "processed_at",
        "attempts",
    ]
    readonly_fields = fields

    @admin.display(description=_("metadata"))
    def metadata_shown(self, obj):
        # Where a photo was taken is often where the reporter stood: the admin sees that it was recorded.
        return json.dumps(metadata_masked(obj.metadata), ensure_ascii=False, indent=1, default=str)


@admin.register(CustodyEvent)
class CustodyEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "evidence", "action", "actor", "client_address"]
    list_filter = ["action"]
    search_fields = ["evidence__id", "actor__username", "reason"]
    list_select_related = ["evidence", "actor"]


@admin.register(StagedUpload)
class StagedUploadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "original_name", "size", "created_at"]
    search_fields = ["id", "original_name"]
    # A draft's staged file belongs to a reporter's unsent draft and may carry where the reporter stood: the
    # admin sees neither (drafts hold identity data and have no admin page).
    exclude = ["file", "draft", "location", "location_confirmed"]
