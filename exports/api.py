"""The exports API: ask for a case export or a recap (202 with the export's id and url), follow it, download
it. The same services and checks as the staff pages; session or token authentication (StaffAPIView)."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from complaints.staff_api import StaffAPIView
from exports import selectors, services
from exports.models import Export
from exports.views import _client, export_file_response

TRUE_WORDS = {"1", "true", "on", "yes"}
FALSE_WORDS = {"0", "false", "off", "no", ""}


class ExportProgressSerializer(serializers.Serializer):
    items_done = serializers.IntegerField()
    items_total = serializers.IntegerField()
    bytes_done = serializers.IntegerField()
    bytes_total = serializers.IntegerField()
    percent = serializers.IntegerField()


class ExportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.SerializerMethodField()
    kind = serializers.CharField()
    status = serializers.CharField()
    case = serializers.IntegerField(source="report_id", allow_null=True)
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()
    include_identity = serializers.BooleanField()
    filters = serializers.JSONField()
    progress = serializers.SerializerMethodField()
    error = serializers.CharField()
    download_url = serializers.SerializerMethodField()
    filename = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField()
    sha256 = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField()

    def _done(self, obj) -> bool:
        return obj.status == Export.Status.DONE

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(reverse("exports_api:detail", args=[obj.pk]))

    @extend_schema_field(ExportProgressSerializer)
    def get_progress(self, obj) -> dict:
        return ExportProgressSerializer(
            {
                "items_done": obj.items_done,
                "items_total": obj.items_total,
                "bytes_done": obj.bytes_done,
                "bytes_total": obj.bytes_total,
                "percent": obj.percent,
            }
        ).data

    def get_download_url(self, obj) -> str | None:
        if not obj.downloadable:
            return None
        return self.context["request"].build_absolute_uri(reverse("exports_api:file", args=[obj.pk]))

    def get_filename(self, obj) -> str | None:
        return obj.filename if self._done(obj) else None

    def get_size(self, obj) -> int | None:
        return obj.size if self._done(obj) else None

    def get_sha256(self, obj) -> str | None:
        return obj.sha256 if self._done(obj) else None

    def get_expires_at(self, obj) -> str | None:
        return obj.expires_at.isoformat() if self._done(obj) and obj.expires_at else None


ACCEPTED = inline_serializer(
    "ExportAccepted",
    {"id": serializers.UUIDField(), "url": serializers.URLField(), "status": serializers.CharField()},
)
ERROR = inline_serializer("ExportError", {"detail": serializers.CharField()})


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(_("%(name)s is true or false.") % {"name": name})


def _accepted(request, export: Export) -> Response:
    url = request.build_absolute_uri(reverse("exports_api:detail", args=[export.pk]))
    return Response(
        {"id": str(export.pk), "url": url, "status": export.status},
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": url},
    )


def _refused(exc: Exception) -> Response:
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or _("You may not do this.")}, status=status.HTTP_403_FORBIDDEN)
    return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)


class CaseExportCreate(StaffAPIView):
    @extend_schema(
        request=inline_serializer(
            "CaseExportRequest",
            {
                "kind": serializers.ChoiceField(choices=["bundle", "pdf"]),
                "reason": serializers.CharField(min_length=10),
                "include_identity": serializers.BooleanField(required=False, default=False),
            },
        ),
        responses={202: ACCEPTED, 400: ERROR, 403: ERROR, 404: ERROR},
        summary="Export a case: the signed bundle (ZIP) or the case file (PDF)",
    )
    def post(self, request, pk: int):
        report = self.case(request, pk)
        data = request.data
        try:
            export = services.export_request_case(
                user=request.user,
                report=report,
                kind=str(data.get("kind", "")),
                reason=str(data.get("reason", "")),
                include_identity=_bool(data.get("include_identity", False), "include_identity"),
                **_client(request),
            )
        except (PermissionDenied, ValidationError) as exc:
            return _refused(exc)
        return _accepted(request, export)


class RecapExportCreate(StaffAPIView):
    @extend_schema(
        request=inline_serializer(
            "RecapExportRequest",
            {
                "kind": serializers.ChoiceField(choices=["csv", "xlsx"]),
                "reason": serializers.CharField(min_length=10),
                "filters": serializers.DictField(
                    required=False,
                    help_text="The queue's filters: q, status, region, election, category, evidence_kind, "
                    "late, overdue, mine, sort",
                ),
            },
        ),
        responses={202: ACCEPTED, 400: ERROR, 403: ERROR},
        summary="Export a recap of the queue with its filters (CSV or XLSX)",
    )
    def post(self, request):
        data = request.data
        filters = data.get("filters") or {}
        if isinstance(filters, str):  # a form post carries the object as JSON text
            try:
                filters = json.loads(filters)
            except ValueError:
                return Response(
                    {"detail": _("filters must be a JSON object.")}, status=status.HTTP_400_BAD_REQUEST
                )
        try:
            export = services.export_request_recap(
                user=request.user,
                kind=str(data.get("kind", "")),
                filters=filters,
                reason=str(data.get("reason", "")),
                **_client(request),
            )
        except (PermissionDenied, ValidationError) as exc:
            return _refused(exc)
        return _accepted(request, export)


class ExportDetail(StaffAPIView):
    @extend_schema(
        responses={200: ExportSerializer, 404: ERROR}, summary="An export: status, progress, download"
    )
    def get(self, request, pk):
        export = selectors.export_for_user(request.user, pk)
        if export is None:
            raise Http404
        return Response(ExportSerializer(export, context={"request": request}).data)


class ExportFile(StaffAPIView):
    @extend_schema(
        responses={(200, "application/octet-stream"): bytes, 404: ERROR}, summary="Download an export"
    )
    def get(self, request, pk):
        export = selectors.export_for_user(request.user, pk)
        if export is None or not export.downloadable:
            raise Http404
        return export_file_response(request, export)  # DRF answers HEAD with this method too
