"""Execute, schedule, undo and read the report of a handover over the API (issue 6, area
6B). Mixed into HandoverViewSet (handover/api/handovers.py), so the handover comes from the
same scoped queryset: another team's handover is a 404; a role that may not act gets 403."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from handover.execution import (
    can_execute_handover,
    can_undo_handover,
    handover_execute_or_schedule,
    handover_undo,
)


class ExecuteInSerializer(serializers.Serializer):
    at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When to execute; absent or past: now (200); future: scheduled (202).",
    )
    waive_notes_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Execute although key customers lack a knowledge note, and why.",
    )


class UndoInSerializer(serializers.Serializer):
    reactivate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Confirm reactivating the departing rep (needed once they are deactivated).",
    )


REPORT_EXAMPLE = {
    "handover": 5,
    "status": "done",
    "executed_at": "2026-12-18T17:00:00+01:00",
    "report": {
        "receivers": [
            {
                "id": 9,
                "name": "Bea Baker",
                "customers": [{"id": 42, "name": "Acme", "is_key": True, "late": False}],
                "deals": [{"id": 311, "name": "Renewal", "customer_id": 42}],
                "tasks": [],
                "contacts": [{"id": 77, "name": "Ann Lee", "customer_id": 42}],
                "intro_tasks": [{"id": 901, "name": "Introduce yourself…", "customer_id": 42}],
            }
        ],
        "late_customers": [],
        "counts": {"customers": 1, "deals": 1, "tasks": 0, "contacts": 1, "intro_tasks": 1},
    },
}
REPORT_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="What moved where, per receiver; after an undo, what could not go back.",
    examples=[OpenApiExample("Report", value=REPORT_EXAMPLE, response_only=True)],
)


def _report_payload(handover) -> dict:
    return {
        "handover": handover.pk,
        "status": handover.status,
        "scheduled_for": handover.scheduled_for,
        "executed_at": handover.executed_at,
        "reversed_at": handover.reversed_at,
        "notes_waived_reason": handover.notes_waived_reason,
        "report": handover.report or {},
    }


class HandoverExecutionActions:
    """POST {id}/execute/, POST {id}/undo/, GET {id}/report/ for HandoverViewSet."""

    @extend_schema(
        summary="Execute now, or schedule for later (admins and the rep's manager)",
        request=ExecuteInSerializer,
        examples=[
            OpenApiExample("Now", value={}, request_only=True),
            OpenApiExample(
                "On the last day", value={"at": "2026-12-18T17:00:00+01:00"}, request_only=True
            ),
        ],
        responses={
            200: REPORT_RESPONSE,
            202: REPORT_RESPONSE,
            400: OpenApiTypes.OBJECT,
            403: OpenApiResponse(description="Not an admin nor the rep's manager."),
        },
    )
    @action(detail=True, methods=["post"])
    def execute(self, request, pk=None):
        handover = self.get_object()
        if not can_execute_handover(user=request.user, handover=handover):
            raise PermissionDenied(_("Only an admin or the rep's manager can execute a handover."))
        body = ExecuteInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handover, scheduled = self.call_service(
            handover_execute_or_schedule,
            handover=handover,
            by=request.user,
            at=body.validated_data.get("at"),
            waive_notes_reason=body.validated_data.get("waive_notes_reason", ""),
        )
        code = status.HTTP_202_ACCEPTED if scheduled else status.HTTP_200_OK
        return Response(_report_payload(handover), status=code)

    @extend_schema(
        summary="Undo a done handover within 30 days (admins only)",
        request=UndoInSerializer,
        responses={200: REPORT_RESPONSE, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        handover = self.get_object()
        if not can_undo_handover(user=request.user):
            raise PermissionDenied(_("Only an admin can undo a handover."))
        body = UndoInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        handover = self.call_service(
            handover_undo,
            handover=handover,
            by=request.user,
            reactivate=body.validated_data["reactivate"],
        )
        return Response(_report_payload(handover))

    @extend_schema(
        summary="What moved where (admins and the rep's manager)",
        responses={200: REPORT_RESPONSE, 403: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        handover = self.get_object()
        if not can_execute_handover(user=request.user, handover=handover):
            raise PermissionDenied(_("Only an admin or the rep's manager can read the report."))
        return Response(_report_payload(handover))
