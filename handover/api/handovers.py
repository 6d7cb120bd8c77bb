"""/api/handovers/: start, list and read handovers; read and change the plan; write notes.

Scoped by handovers_visible_to (another team's handover is a 404). Only admins and the
departing rep's own manager start or change one (403 otherwise); the departing rep reads
their own handover (without the exit reason) and writes notes, but never sees the plan."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
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

from accounts.models import User
from accounts.selectors import users_visible_to
from crm.api.fields import ModelSerializer, ScopedRelatedField
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin
from crm.models import Customer
from handover import services
from handover.api.execution import HandoverExecutionActions
from handover.choices import HandoverReason
from handover.models import Handover, HandoverAssignment, ItemOverride, KnowledgeNote
from handover.selectors import (
    can_manage_handover,
    handover_missing_items,
    handovers_visible_to,
    plan_overrides,
    receiver_summary,
)


def _count_sq(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(handover_id=OuterRef("pk"), **filters)
            .order_by()
            .values("handover_id")
            .annotate(n=Count("id"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


class DepartingRepField(ScopedRelatedField):
    """Reps the caller can see (another team's rep reads like one that does not exist)."""

    model = User

    def scope(self, user):
        return users_visible_to(user=user)


class HandoverSerializer(ModelSerializer):
    departing_rep = DepartingRepField()
    reason = serializers.ChoiceField(choices=HandoverReason.choices)
    customers_count = serializers.IntegerField(read_only=True, default=0)
    proposed_count = serializers.IntegerField(read_only=True, default=0)
    notes_count = serializers.IntegerField(read_only=True, default=0)
    overrides_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Handover
        fields = [
            "id",
            "departing_rep",
            "last_day",
            "reason",
            "reason_detail",
            "status",
            "created_by",
            "created_at",
            "scheduled_for",
            "executed_at",
            "locked_at",
            "customers_count",
            "proposed_count",
            "notes_count",
            "overrides_count",
        ]
        read_only_fields = [
            "status",
            "created_by",
            "created_at",
            "scheduled_for",
            "executed_at",
            "locked_at",
        ]

    def to_representation(self, instance):
        """The exit reason is for managers and admins only, not for the rep who leaves."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and request.user.pk == instance.departing_rep_id:
            data.pop("reason", None)
            data.pop("reason_detail", None)
        return data


class AssignmentInSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1)
    receiver = serializers.IntegerField(min_value=1)


class OverrideInSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=10, help_text="“deal” or “task”.")
    object_id = serializers.IntegerField(min_value=1)
    receiver = serializers.IntegerField(
        min_value=1, allow_null=True, help_text="null removes the override."
    )


class PlanUpdateSerializer(serializers.Serializer):
    assignments = AssignmentInSerializer(many=True, required=False, default=list)
    overrides = OverrideInSerializer(many=True, required=False, default=list)


class NoteInSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1)
    text = serializers.CharField(max_length=20000, trim_whitespace=True)


class NoteSerializer(ModelSerializer):
    class Meta:
        model = KnowledgeNote
        fields = ["id", "handover", "customer", "text", "written_by", "updated_at"]


HANDOVER_EXAMPLE = {
    "id": 5,
    "departing_rep": 7,
    "last_day": "2026-12-18",
    "reason": "no_growth",
    "reason_detail": "Wants to lead a team; no opening here.",
    "status": "draft",
    "created_by": 2,
    "created_at": "2026-11-30T10:00:00+01:00",
    "scheduled_for": None,
    "executed_at": None,
    "customers_count": 120,
    "proposed_count": 118,
    "notes_count": 9,
    "overrides_count": 1,
}
PLAN_EXAMPLE = {
    "handover": 5,
    "status": "draft",
    "assignments": [
        {"customer": 42, "customer_name": "Acme", "is_key": True, "receiver": 9, "proposed": False}
    ],
    "overrides": [{"kind": "deal", "object_id": 311, "receiver": 11}],
    "receivers": [{"receiver": 9, "customers": 60, "key_customers": 4, "open_deal_value": "1.00"}],
    "missing": {
        "key_without_note": [42],
        "key_without_note_count": 1,
        "stale_deals": [311],
        "stale_deals_count": 1,
        "unassigned": [],
        "unassigned_count": 0,
    },
}
PLAN_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="The plan: receiver per customer, item overrides, receivers, missing items.",
    examples=[OpenApiExample("Plan", value=PLAN_EXAMPLE, response_only=True)],
)


@extend_schema_view(
    list=extend_schema(summary="Handovers visible to the caller"),
    create=extend_schema(
        summary="Start a handover (admins, the rep's manager); drafts the plan",
        examples=[
            OpenApiExample(
                "Start",
                value={
                    "departing_rep": 7,
                    "last_day": "2026-12-18",
                    "reason": "no_growth",
                    "reason_detail": "Wants to lead a team.",
                },
                request_only=True,
            ),
            OpenApiExample("Started", value=HANDOVER_EXAMPLE, response_only=True),
        ],
    ),
)
class HandoverViewSet(
    HandoverExecutionActions,  # execute / undo / report (area 6B)
    ScopedQuerysetMixin,
    ServiceCallMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = HandoverSerializer
    scoped_model = Handover

    def scoped_queryset(self, *, user):
        return handovers_visible_to(user=user).annotate(
            customers_count=_count_sq(HandoverAssignment),
            proposed_count=_count_sq(HandoverAssignment, proposed=True),
            notes_count=_count_sq(KnowledgeNote),
            overrides_count=_count_sq(ItemOverride),
        )

    def create(self, request, *args, **kwargs):
        if not (request.user.is_admin or request.user.is_manager):
            raise PermissionDenied(_("Only an admin or the rep's manager may start a handover."))
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        handover = self.call_service(
            services.handover_start, by=self.request.user, **serializer.validated_data
        )
        serializer.instance = self.get_queryset().get(pk=handover.pk)

    def _managed(self) -> Handover:
        """The handover (404 outside scope), for admins and the rep's manager only (403)."""
        handover = self.get_object()
        if not can_manage_handover(user=self.request.user, handover=handover):
            raise PermissionDenied(
                _("Only an admin or the rep's manager may see or change the plan.")
            )
        return handover

    @extend_schema(
        methods=["GET"],
        summary="The plan (admins and the rep's manager; the departing rep gets 403)",
        responses={200: PLAN_RESPONSE},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change receivers and per-item overrides (all or nothing)",
        request=PlanUpdateSerializer,
        examples=[
            OpenApiExample(
                "Reassign one customer and one deal",
                value={
                    "assignments": [{"customer": 42, "receiver": 9}],
                    "overrides": [{"kind": "deal", "object_id": 311, "receiver": 11}],
                },
                request_only=True,
            )
        ],
        responses={200: PLAN_RESPONSE, 400: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get", "patch"])
    def plan(self, request, pk=None):
        handover = self._managed()
        if request.method == "PATCH":
            body = PlanUpdateSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            self.call_service(
                services.handover_plan_update,
                handover=handover,
                by=request.user,
                assignments=body.validated_data["assignments"],
                overrides=body.validated_data["overrides"],
            )
        return Response(_plan_payload(handover))

    @extend_schema(
        summary="Write or replace the knowledge-transfer note on a customer",
        request=NoteInSerializer,
        responses={
            201: NoteSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiResponse(description="Not the departing rep nor their manager."),
        },
    )
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        handover = self.get_object()
        body = NoteInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = Customer.objects.filter(pk=body.validated_data["customer"]).first()
        note = self.call_service(
            services.knowledge_note_save,
            handover=handover,
            customer=customer,
            text=body.validated_data["text"],
            by=request.user,
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Lock the departing rep out now: every session and API token revoked (admins)",
        request=None,
        responses={
            200: HandoverSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiResponse(description="Not an admin."),
        },
    )
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None):
        handover = self.call_service(
            services.handover_lock_now, handover=self.get_object(), by=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=handover.pk)).data)


def _plan_payload(handover: Handover) -> dict:
    """The plan in a fixed number of queries, whatever the portfolio size."""
    assignments = list(
        HandoverAssignment.objects.filter(handover=handover)
        .order_by("customer__name", "customer_id")
        .values("customer", "customer__name", "customer__is_key", "receiver", "proposed")
    )
    missing = handover_missing_items(handover=handover)
    return {
        "handover": handover.pk,
        "status": handover.status,
        "assignments": [
            {
                "customer": a["customer"],
                "customer_name": a["customer__name"],
                "is_key": a["customer__is_key"],
                "receiver": a["receiver"],
                "proposed": a["proposed"],
            }
            for a in assignments
        ],
        "overrides": list(
            plan_overrides(handover=handover).values("kind", "object_id", "receiver")
        ),
        "receivers": [
            {
                "receiver": s.receiver.pk,
                "customers": s.customers,
                "key_customers": s.key_customers,
                "open_deal_value": str(s.open_deal_value),
            }
            for s in receiver_summary(handover=handover)
        ],
        "missing": {
            "key_without_note": [c.pk for c in missing.key_without_note],
            "key_without_note_count": missing.key_without_note_count,
            "stale_deals": [d.pk for d in missing.stale_deals],
            "stale_deals_count": missing.stale_deals_count,
            "unassigned": [c.pk for c in missing.unassigned],
            "unassigned_count": missing.unassigned_count,
        },
    }
