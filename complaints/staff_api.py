"""The staff API (/api/v1/cases/): the same permissions and jurisdictions as the staff pages, with session or
token authentication (django-rest-knox tokens, `Authorization: Token …`: stored hashed, with expiry, made and
revoked by their owner on the account page). Thin doors into the same selectors and services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import deadlines
from complaints.models import Report
from complaints.selectors import cases as case_selectors
from complaints.services import access, workflow
from evidence.access import can_see_location, metadata_masked


class CaseListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    case_number = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    election = serializers.SlugField(source="election.slug")
    incident_region = serializers.CharField(source="incident_region_id")
    incident_date = serializers.DateField()
    created_at = serializers.DateTimeField()
    late = serializers.BooleanField()
    due_on = serializers.DateField(allow_null=True)
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True, default=None)
    terlapor = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    bot_check = serializers.SerializerMethodField(
        help_text="verified, unverified or spam (services/botcheck.py); null: filed before the check existed"
    )

    def get_bot_check(self, obj) -> str | None:
        return {0: "verified", 1: "unverified", 2: "spam"}.get(obj.bot_check)

    # A queue row carries its terlapor and categories prefetched into lists (selectors.cases.queue_page); one
    # case (the detail) has them in its related managers.
    def get_terlapor(self, obj) -> list[str]:
        accused = getattr(obj, "queue_accused", None)
        return [a.name for a in (obj.accused.all() if accused is None else accused)]

    def get_categories(self, obj) -> list[str]:
        categories = getattr(obj, "queue_categories", None)
        return [c.slug for c in (obj.categories.all() if categories is None else categories)]


class CaseEvidenceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    status_reason = serializers.CharField()
    original_name = serializers.CharField()
    url = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    metadata = serializers.SerializerMethodField()

    def get_metadata(self, obj) -> dict:
        """Recorded coordinates only for those who may see them; others get {"recorded": true}."""
        request = self.context.get("request")
        if request is not None and can_see_location(request.user):
            return obj.metadata or {}
        return metadata_masked(obj.metadata)


class CaseEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()


class CaseDetailSerializer(CaseListSerializer):
    chronology = serializers.CharField()
    incident_place = serializers.CharField()
    anonymous = serializers.BooleanField()
    evidence = CaseEvidenceSerializer(many=True)  # nested: shares this serializer's context (the request)
    timeline = CaseEventSerializer(many=True, source="events.all")
    deadlines = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()

    def get_deadlines(self, obj) -> dict:
        clock = deadlines.case_clock(obj)
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in clock.items()}

    def get_allowed_moves(self, obj) -> list[str]:
        return workflow.allowed_moves(obj, self.context["request"].user)


# What every staff endpoint may answer besides its success (documented so clients, and the schema fuzzing in
# tests/api/, can rely on it): 401 without a valid token, 404 for a case outside the user's jurisdiction (or a
# user without a staff role), 400 for a body that does not parse.
DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})
STAFF_ERRORS = {400: dict, 401: DETAIL, 404: DETAIL}


class StaffAPIView(APIView):
    # The token scheme first: a request without credentials, or with a revoked or expired token, gets 401
    # with a WWW-Authenticate header (DRF asks the first scheme), not 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.role_of(request.user):
            raise Http404

    def case(self, request, pk) -> Report:
        report = case_selectors.case_for_user(request.user, pk)
        if report is None:
            raise Http404
        return report

    def act(self, fn):
        try:
            fn()
        except workflow.Conflict as exc:
            return Response({"detail": exc.message, "status": exc.current}, status=status.HTTP_409_CONFLICT)
        except PermissionDenied as exc:
            return Response(
                {"detail": str(exc) or _("You may not do this.")}, status=status.HTTP_403_FORBIDDEN
            )
        except ValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        return None


class CaseList(StaffAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(n, str)
            for n in ("q", "status", "region", "election", "category", "evidence_kind", "sort", "page")
        ]
        + [OpenApiParameter(n, bool) for n in ("late", "overdue", "mine")],
        responses={
            200: inline_serializer(
                "CaseListPage",
                {
                    "count": serializers.IntegerField(),
                    "page": serializers.IntegerField(),
                    "pages": serializers.IntegerField(),
                    "results": CaseListSerializer(many=True),
                },
            ),
            **STAFF_ERRORS,
        },
        summary="Cases in your jurisdiction (staff)",
        operation_id="v1_cases_list",  # not derived: the detail's GET would take the same name
    )
    def get(self, request):
        p = request.query_params
        truthy = ("1", "true", "on", "yes")
        filters = case_selectors.QueueFilters(
            status=p.get("status", ""),
            region=p.get("region", ""),
            election=p.get("election", ""),
            category=p.get("category", ""),
            evidence_kind=p.get("evidence_kind", ""),
            late=p.get("late", "") in truthy,
            overdue=p.get("overdue", "") in truthy,
            mine=p.get("mine", "") in truthy,
            q=p.get("q", ""),
            sort=p.get("sort", "oldest"),
        )
        try:
            page_no = max(1, int(p.get("page", "1")))
        except ValueError:
            return Response({"page": [_("A page is a whole number.")]}, status=status.HTTP_400_BAD_REQUEST)
        page = case_selectors.queue_page(case_selectors.case_queue(request.user, filters), page_no)
        return Response(
            {
                "count": page["total"],
                "page": page["page"],
                "pages": page["pages"],
                "results": CaseListSerializer(page["rows"], many=True).data,
            }
        )


class CaseDetail(StaffAPIView):
    @extend_schema(
        responses={200: CaseDetailSerializer, **STAFF_ERRORS},
        summary="One case with its evidence and timeline (staff)",
    )
    def get(self, request, pk: int):
        return Response(CaseDetailSerializer(self.case(request, pk), context={"request": request}).data)


class CaseTransition(StaffAPIView):
    @extend_schema(
        request=inline_serializer(
            "CaseTransitionRequest",
            {
                "to_status": serializers.ChoiceField(choices=Report.Status.choices),
                "note": serializers.CharField(required=False),
                "expected_status": serializers.CharField(required=False),
            },
        ),
        responses={200: CaseDetailSerializer, **STAFF_ERRORS, 403: DETAIL, 409: dict},
        summary="Change a case's status",
    )
    def post(self, request, pk: int):
        report = self.case(request, pk)
        data = request.data
        error = self.act(
            lambda: workflow.case_transition(
                report=report,
                user=request.user,
                to_status=str(data.get("to_status", "")),
                note=str(data.get("note", "")),
                expected_status=data.get("expected_status") or None,
            )
        )
        return error or Response(
            CaseDetailSerializer(self.case(request, pk), context={"request": request}).data
        )


class CaseNote(StaffAPIView):
    @extend_schema(
        request=inline_serializer("CaseNoteRequest", {"body": serializers.CharField()}),
        responses={201: dict, **STAFF_ERRORS, 403: DETAIL, 409: dict},
        summary="Add an internal note",
    )
    def post(self, request, pk: int):
        report = self.case(request, pk)
        error = self.act(
            lambda: workflow.case_note(
                report=report, user=request.user, body=str(request.data.get("body", ""))
            )
        )
        return error or Response({"ok": True}, status=status.HTTP_201_CREATED)


class CaseMessage(StaffAPIView):
    @extend_schema(
        request=inline_serializer(
            "CaseMessageRequest",
            {"body": serializers.CharField(), "question": serializers.BooleanField(required=False)},
        ),
        responses={201: dict, **STAFF_ERRORS, 403: DETAIL, 409: dict},
        summary="Send a message to the reporter",
    )
    def post(self, request, pk: int):
        report = self.case(request, pk)
        question = str(request.data.get("question", "")).lower() in ("1", "true", "on", "yes")
        error = self.act(
            lambda: workflow.message_send(
                report=report, user=request.user, body=str(request.data.get("body", "")), question=question
            )
        )
        return error or Response({"ok": True}, status=status.HTTP_201_CREATED)
