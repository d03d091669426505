"""The public REST API (/api/v1/). Report submission feeds the very forms the web page uses, so both apply
one validation; errors come back keyed by the API's field names."""

import re

from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import selectors
from complaints.forms import ReportSubmission
from complaints.models import Accused, Report
from complaints.parsers import StrictJSONParser
from complaints.services import botcheck, intake, limits
from complaints.services.tracking import TrackingThrottled, client_address, report_track, throttled_message
from complaints.status_text import status_meaning


class ElectionSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.CharField()
    voting_day = serializers.DateField()
    campaign_start = serializers.DateField()
    campaign_end = serializers.DateField()
    filing_days = serializers.IntegerField()
    filing_working_days = serializers.BooleanField()


class CategorySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    group = serializers.CharField()
    legal_basis = serializers.CharField()
    sanction = serializers.CharField()


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    level = serializers.IntegerField()
    kind = serializers.CharField()
    parent = serializers.CharField(source="parent_id", allow_null=True)


class PublicAPIView(APIView):
    authentication_classes: list = []
    permission_classes: list = []


class ElectionList(PublicAPIView):
    @extend_schema(responses=ElectionSerializer(many=True), summary="Elections that accept reports")
    def get(self, request):
        return Response(ElectionSerializer(selectors.election_list(), many=True).data)


class CategoryList(PublicAPIView):
    @extend_schema(responses=CategorySerializer(many=True), summary="Violation categories")
    def get(self, request):
        return Response(CategorySerializer(selectors.category_list(), many=True).data)


class RegionList(PublicAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "parent", str, description="Dotted Kemendagri code; its direct children are listed"
            ),
            OpenApiParameter("q", str, description="Part of a name to search for (within parent when given)"),
        ],
        responses={200: RegionSerializer(many=True), 400: dict},
        summary="Kemendagri regions",
    )
    def get(self, request):
        parent = (request.query_params.get("parent") or "").strip()[:13]
        q = (request.query_params.get("q") or "").strip()[:60]
        if parent and not re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", parent):
            return Response(
                {"parent": [_("Region codes look like 35, 35.74, 35.74.01 or 35.74.01.1001.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(RegionSerializer(selectors.region_list(parent=parent or None, q=q), many=True).data)


# API field → (formset prefix, form field) for the terlapor; the main form's fields keep their names.
ACCUSED_FIELDS = {
    "accused_name": "name",
    "accused_nip": "nip",
    "accused_asn_type": "asn_type",
    "accused_position": "position",
    "accused_agency": "agency",
    "accused_region": "region",
}
MAIN_FIELDS = [
    "election",
    "anonymous",
    "reporter_name",
    "reporter_address",
    "reporter_phone",
    "reporter_email",
    "reporter_nik",
    "reporter_type",
    "incident_date",
    "known_date",
    "incident_region",
    "incident_place",
    "chronology",
    "witnesses",
]


def _management(data: QueryDict, prefix: str, total: int) -> None:
    data[f"{prefix}-TOTAL_FORMS"] = str(total)
    data[f"{prefix}-INITIAL_FORMS"] = "0"


def api_to_form_data(data, files) -> tuple[QueryDict, MultiValueDict]:
    """Translate the API's flat fields into the web form's fields and formsets."""
    out = QueryDict(mutable=True)
    getlist = data.getlist  # multipart or form data: always a QueryDict (ReportCreate.parser_classes)
    for name in MAIN_FIELDS:
        values = getlist(name)
        if values:
            out[name] = str(values[0])
    out.setlist("categories", [str(v) for v in getlist("categories")])
    accused_lists = {api: getlist(api) for api in ACCUSED_FIELDS}
    count = max([len(v) for v in accused_lists.values()] + [1])
    for api, field in ACCUSED_FIELDS.items():
        for index, value in enumerate(accused_lists[api]):
            out[f"accused-{index}-{field}"] = str(value)
    _management(out, "accused", count)
    links, link_captions = getlist("links"), getlist("link_captions")
    for index, url in enumerate(links):
        out[f"links-{index}-url"] = str(url)
        if index < len(link_captions):
            out[f"links-{index}-caption"] = str(link_captions[index])
    _management(out, "links", len(links))
    uploads = files.getlist("files") if files else []
    file_captions = getlist("file_captions")
    form_files = MultiValueDict()
    for index, upload in enumerate(uploads):
        form_files[f"evidence-{index}-file"] = upload
        if index < len(file_captions):
            out[f"evidence-{index}-caption"] = str(file_captions[index])
    _management(out, "evidence", len(uploads))
    return out, form_files


def form_errors_to_api(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Map the form's error keys back to the API's field names."""
    reverse_accused = {field: api for api, field in ACCUSED_FIELDS.items()}
    out: dict[str, list[str]] = {}
    for key, messages in errors.items():
        match = re.fullmatch(r"(accused|evidence|links)-(\d+)-(\w+)", key)
        if match is None:
            api_key = {"evidence": "files", "accused": "accused_name", "__all__": "non_field_errors"}.get(
                key, key
            )
            out.setdefault(api_key, []).extend(messages)
            continue
        prefix, index, field = match.group(1), int(match.group(2)), match.group(3)
        if prefix == "accused":
            api_key = reverse_accused.get(field, f"accused_{field}")
        elif prefix == "links":
            api_key = "link_captions" if field == "caption" else "links"
        else:
            api_key = "file_captions" if field == "caption" else "files"
        # With several terlapor, links or files, say which one the message is about.
        label = f"[{index + 1}] " if prefix != "accused" or index else ""
        out.setdefault(api_key, []).extend(f"{label}{m}" for m in messages)
    return out


ReportCreateRequest = inline_serializer(
    "ReportCreateRequest",
    fields={
        "election": serializers.SlugField(help_text="Election slug, from /api/v1/elections/"),
        "anonymous": serializers.BooleanField(),
        "reporter_name": serializers.CharField(required=False),
        "reporter_address": serializers.CharField(required=False),
        "reporter_phone": serializers.CharField(required=False),
        "reporter_email": serializers.EmailField(required=False),
        "reporter_nik": serializers.CharField(required=False, help_text="16 digits, checked for structure"),
        "reporter_type": serializers.ChoiceField(choices=Report.ReporterType.choices, required=False),
        "accused_name": serializers.ListField(child=serializers.CharField()),
        "accused_nip": serializers.ListField(child=serializers.CharField(), required=False),
        "accused_asn_type": serializers.ListField(
            child=serializers.ChoiceField(choices=Accused.AsnType.choices), required=False
        ),
        "accused_position": serializers.ListField(child=serializers.CharField(), required=False),
        "accused_agency": serializers.ListField(child=serializers.CharField(), required=False),
        "accused_region": serializers.ListField(child=serializers.CharField(), required=False),
        "incident_date": serializers.DateField(),
        "known_date": serializers.DateField(),
        "incident_region": serializers.CharField(help_text="Region code, at least kab/kota"),
        "incident_place": serializers.CharField(),
        "categories": serializers.ListField(child=serializers.SlugField()),
        "chronology": serializers.CharField(),
        "witnesses": serializers.CharField(required=False),
        "links": serializers.ListField(child=serializers.URLField(), required=False),
        "link_captions": serializers.ListField(child=serializers.CharField(), required=False),
        "files": serializers.ListField(child=serializers.FileField(), required=False),
        "file_captions": serializers.ListField(child=serializers.CharField(), required=False),
        "altcha": serializers.CharField(
            required=False,
            help_text="Optional ALTCHA payload for a challenge from /lapor/tantangan/. Without a valid one the "
            "report is filed all the same, marked as not verified by the bot check.",
        ),
    },
)

ReportCreateResponse = inline_serializer(
    "ReportCreateResponse",
    fields={
        "tracking_code": serializers.CharField(),
        "pin": serializers.CharField(help_text="Shown once; keep it to track the report"),
        "status": serializers.CharField(),
        "status_label": serializers.CharField(),
        "kind": serializers.CharField(),
        "late": serializers.BooleanField(),
        "filing_deadline": serializers.DateField(),
    },
)


# Error reports (500 e-mails, logs) never show what a reporter sent: identity, chronology, PIN (issue 9).
@method_decorator(sensitive_post_parameters(), name="dispatch")
class ReportCreate(PublicAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ReportCreateRequest},
        responses={201: ReportCreateResponse, 400: dict, 429: dict},
        summary="File a report with evidence",
    )
    @sensitive_variables()
    def post(self, request):
        data, files = api_to_form_data(request.data, request.FILES)
        submission = ReportSubmission(data, files, request=request._request)
        if not submission.is_valid():
            return Response(form_errors_to_api(submission.errors), status=status.HTTP_400_BAD_REQUEST)
        # The web form's limit, counted together with it: POSKO_REPORT_LIMIT per client address and window.
        try:
            limits.submission_slot_take(client=client_address(request._request))
        except limits.SubmissionLimited as exc:
            return Response(
                {"detail": exc.message, "retry_after": exc.until},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        # An API client rarely solves the bot check; its report is filed and marked unverified.
        payload = request.data.get(botcheck.FIELD, "")
        verdict = botcheck.bot_check_verify(payload=payload if isinstance(payload, str) else "")
        receipt = intake.report_submit(
            data=submission.form.cleaned_data,
            accused=submission.accused_items(),
            files=submission.evidence_items(),
            links=submission.link_items(),
            language=get_language() or "id",
            bot_check=verdict,
        )
        report = receipt.report
        return Response(
            {
                "tracking_code": report.tracking_code,
                "pin": receipt.pin,
                "status": report.status,
                "status_label": str(report.get_status_display()),
                "kind": report.kind,
                "late": report.late,
                "filing_deadline": report.filing_deadline,
            },
            status=status.HTTP_201_CREATED,
        )


class TrackRequest(serializers.Serializer):
    tracking_code = serializers.CharField(max_length=40)
    pin = serializers.CharField(max_length=12)


class TrackEvidence(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    caption = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    received_at = serializers.DateTimeField(source="created_at")
    processed_at = serializers.DateTimeField(allow_null=True)


class TrackResponse(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    status_meaning = serializers.SerializerMethodField()
    status_changed_at = serializers.DateTimeField()
    kind = serializers.CharField()
    late = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(source="created_at")
    evidence = TrackEvidence(many=True)

    def get_status_meaning(self, obj) -> str:
        return status_meaning(obj.status)


@method_decorator(sensitive_post_parameters(), name="dispatch")
class ReportTrack(PublicAPIView):
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=TrackRequest,
        responses={200: TrackResponse, 400: dict, 404: dict, 429: dict},
        summary="Status of a report, by tracking code and PIN",
    )
    @sensitive_variables()
    def post(self, request):
        incoming = TrackRequest(data=request.data)
        if not incoming.is_valid():
            return Response(incoming.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            result = report_track(
                tracking_code=incoming.validated_data["tracking_code"],
                pin=incoming.validated_data["pin"],
                client=client_address(request._request),
            )
        except TrackingThrottled as exc:
            return Response(
                {"detail": throttled_message(exc.until), "retry_after": exc.until},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        if result.report is None:
            return Response(
                {"detail": _("No report matches this tracking code and PIN.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        report = result.report
        case = report.merged_into if report.merged_into_id else report
        data = TrackResponse(report).data
        # A merged report follows the case it joined.
        data.update(
            status=case.status,
            status_label=str(case.get_status_display()),
            status_meaning=status_meaning(case.status),
            status_changed_at=case.status_changed_at,
            merged=case.pk != report.pk,
        )
        data["messages"] = [
            {"from": m.direction, "body": m.body, "at": m.created_at, "question": m.is_question}
            for m in report.messages.all()
        ]
        return Response(data)
