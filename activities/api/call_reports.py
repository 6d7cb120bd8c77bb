"""/api/call-reports/: the weekly call report. Lists and retrieves are scoped by
call_reports_visible_to (404 outside scope); every transition goes through the services,
which decide who may act (403) and which transitions are allowed (400 with a message).

POST /api/call-reports/ {week} returns the caller's report for that week, created as a draft
on first use; POST .../{id}/submit/ (the rep), .../approve/ and .../return/ (the rep's
manager or an admin; returning needs a comment)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from activities import services
from activities.filters import CallReportFilter
from activities.models import WeeklyCallReport
from activities.selectors import (
    call_report_is_frozen,
    call_reports_visible_to,
    current_week,
    with_live_figures,
)
from crm.api.fields import ModelSerializer
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin


class CallReportSerializer(ModelSerializer):
    figures_frozen = serializers.SerializerMethodField(
        help_text="True once submitted: the figures no longer follow the activities."
    )
    late_entries = serializers.IntegerField(
        read_only=True,
        default=0,
        help_text="Activities logged for the week after the report was submitted.",
    )

    class Meta:
        model = WeeklyCallReport
        fields = [
            "id",
            "rep",
            "week",
            "status",
            "comments",
            "calls",
            "meetings",
            "visits",
            "emails",
            "referrals",
            "prospecting",
            "new_prospects",
            "figures_frozen",
            "late_entries",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "reminder_sent_at",
        ]
        read_only_fields = fields

    def get_figures_frozen(self, obj: WeeklyCallReport) -> bool:
        return call_report_is_frozen(obj)


class CallReportOpenSerializer(serializers.Serializer):
    week = serializers.CharField(
        required=False, help_text="ISO week, e.g. 2026-W47; defaults to the current week."
    )


class CallReportSubmitSerializer(serializers.Serializer):
    comments = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class CallReportReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5_000)


REPORT_EXAMPLE = {
    "id": 12,
    "rep": 7,
    "week": "2026-W47",
    "status": "submitted",
    "comments": "Two new prospects from the trade fair.",
    "calls": 96,
    "meetings": 5,
    "visits": 3,
    "emails": 40,
    "referrals": 2,
    "prospecting": 61,
    "new_prospects": 2,
    "figures_frozen": True,
    "late_entries": 1,
    "submitted_at": "2026-11-20T15:02:11+01:00",
    "reviewed_by": None,
    "reviewed_at": None,
    "review_comment": "",
    "reminder_sent_at": None,
}


def _error(name: str, field: str, message: str) -> OpenApiExample:
    return OpenApiExample(name, value={field: [message]}, response_only=True, status_codes=["400"])


@extend_schema_view(
    list=extend_schema(
        summary="Call reports visible to the caller",
        description="Filters: ?rep=7&week=2026-W47&status=submitted. Drafts show live figures.",
        examples=[
            OpenApiExample(
                "A page of reports",
                value={"count": 1, "next": None, "previous": None, "results": [REPORT_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One call report (404 outside the caller's scope)"),
)
class CallReportViewSet(
    ScopedQuerysetMixin,
    ServiceCallMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CallReportSerializer
    filterset_class = CallReportFilter
    scoped_model = WeeklyCallReport

    def scoped_queryset(self, *, user):
        return call_reports_visible_to(user=user)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = with_live_figures(list(self.paginate_queryset(queryset)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _respond(self, report: WeeklyCallReport, code: int = status.HTTP_200_OK) -> Response:
        report = with_live_figures([self.get_queryset().get(pk=report.pk)])[0]
        return Response(self.get_serializer(report).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(
        summary="Open the caller's report for a week (created as a draft on first use)",
        request=CallReportOpenSerializer,
        responses={200: CallReportSerializer, 201: CallReportSerializer, 403: None},
        examples=[
            OpenApiExample("This week", value={"week": "2026-W47"}, request_only=True),
            _error("A week not started", "week", "2026-W52 has not started yet; …"),
        ],
    )
    def create(self, request, *args, **kwargs):
        if not request.user.is_rep:
            raise PermissionDenied(_("Only reps file weekly call reports."))
        body = CallReportOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        week = body.validated_data.get("week") or current_week(user=request.user)
        existed = WeeklyCallReport.objects.filter(rep=request.user, week=week).exists()
        report = self.call_service(services.call_report_get_or_create, rep=request.user, week=week)
        return self._respond(report, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="Submit the report (the rep): freezes the figures and locks the week",
        request=CallReportSubmitSerializer,
        responses={200: CallReportSerializer, 400: OpenApiResponse(), 403: None, 404: None},
        examples=[
            OpenApiExample("Submit", value={"comments": "Good week."}, request_only=True),
            _error(
                "Already submitted",
                "non_field_errors",
                "This report is submitted; it can no longer be changed.",
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        body = CallReportSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self.call_service(
            services.call_report_submit,
            report=report,
            by=request.user,
            comments=body.validated_data.get("comments"),
        )
        return self._respond(report)

    def _review(self, request, service):
        if request.user.is_rep:
            raise PermissionDenied(_("Only managers and admins review call reports."))
        report = self.get_object()
        body = CallReportReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self.call_service(
            service, report=report, by=request.user, comment=body.validated_data.get("comment", "")
        )
        return self._respond(report)

    @extend_schema(
        summary="Approve a submitted report (the rep's manager or an admin)",
        request=CallReportReviewSerializer,
        responses={200: CallReportSerializer, 400: OpenApiResponse(), 403: None, 404: None},
        examples=[OpenApiExample("Approve", value={"comment": "Thanks!"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, services.call_report_approve)

    @extend_schema(
        summary="Return a submitted report with a comment (the rep may edit and resubmit)",
        request=CallReportReviewSerializer,
        responses={200: CallReportSerializer, 400: OpenApiResponse(), 403: None, 404: None},
        examples=[
            OpenApiExample("Return", value={"comment": "Add the Acme visit."}, request_only=True),
            _error(
                "No comment",
                "comment",
                "Say what needs to change: a returned report needs a comment.",
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._review(request, services.call_report_return)
