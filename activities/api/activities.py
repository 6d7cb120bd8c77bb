"""/api/activities/: scoped by activities_visible_to, filtered by ActivityFilter, written
through the activity services.

POST takes one activity or a JSON list of up to 500 (phone and calendar integrations): a
list is all or nothing, validated in a fixed number of queries, and its errors are keyed by
item index ({"3": {"contact": ["…"]}}). Links are plain ids checked in the caller's scope by
the service, so an id outside it reads exactly like one that does not exist. PATCH and
DELETE obey the lock rules: owner only (403 for others who can see it), during the week it
happened, until that week's call report is submitted (400 with the reason)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from activities import services
from activities.choices import ActivityKind, ActivityOutcome
from activities.filters import ActivityFilter
from activities.models import Activity
from activities.selectors import activities_visible_to
from crm.api.fields import ModelSerializer
from crm.api.viewsets import CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin


class ActivitySerializer(ModelSerializer):
    """One activity on the wire. Links are ids; `owner` defaults to the caller (a manager
    or admin may pass someone in their scope); `week` and `is_late` are computed."""

    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    customer = serializers.IntegerField(source="customer_id", help_text="Customer id.")
    contact = serializers.IntegerField(
        source="contact_id", required=False, allow_null=True, help_text="Contact id."
    )
    deal = serializers.IntegerField(
        source="deal_id", required=False, allow_null=True, help_text="Deal id."
    )
    owner = serializers.IntegerField(
        source="owner_id",
        required=False,
        allow_null=True,
        help_text="User id; defaults to the caller. Managers and admins may log for a "
        "rep in their scope.",
    )
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="ISO 8601 with offset; defaults to now."
    )
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, help_text="0 to 1440."
    )
    outcome = serializers.ChoiceField(
        choices=ActivityOutcome.choices, required=False, allow_blank=True
    )
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    is_prospecting = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "customer",
            "contact",
            "deal",
            "owner",
            "occurred_at",
            "duration_minutes",
            "outcome",
            "notes",
            "is_prospecting",
            "week",
            "is_late",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["week", "is_late", "created_at", "updated_at"]


class ActivityCreateSerializer(ActivitySerializer):
    """A new activity may also carry a next step, which becomes a task for its owner."""

    next_step_title = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=200
    )
    next_step_due = serializers.DateField(required=False, allow_null=True, write_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "next_step_title", "next_step_due"]


class ActivityUpdateSerializer(ActivitySerializer):
    """The owner stays who logged it."""

    owner = serializers.IntegerField(source="owner_id", read_only=True)


def _service_item(validated: dict) -> dict:
    """Serializer names (customer_id, …) back to the service's (customer, …)."""
    renames = {"customer_id": "customer", "contact_id": "contact", "deal_id": "deal"}
    renames["owner_id"] = "owner"
    return {renames.get(name, name): value for name, value in validated.items()}


ACTIVITY_EXAMPLE = {
    "id": 901,
    "kind": "call",
    "customer": 42,
    "contact": 311,
    "deal": 77,
    "owner": 7,
    "occurred_at": "2026-11-19T10:30:00+01:00",
    "duration_minutes": 15,
    "outcome": "meeting_booked",
    "notes": "Booked a visit for next Tuesday.",
    "is_prospecting": False,
    "week": "2026-W47",
    "is_late": False,
    "created_at": "2026-11-19T10:46:02+01:00",
    "updated_at": "2026-11-19T10:46:02+01:00",
}
NEW_ACTIVITY = {
    "kind": "call",
    "customer": 42,
    "contact": 311,
    "occurred_at": "2026-11-19T10:30:00+01:00",
    "duration_minutes": 15,
    "outcome": "meeting_booked",
    "notes": "Booked a visit for next Tuesday.",
    "next_step_title": "Prepare the visit",
    "next_step_due": "2026-11-24",
}


@extend_schema_view(
    list=extend_schema(
        summary="Activities visible to the caller",
        description=(
            "Filters by field name (`owner`, `customer`, `deal`, `kind`, `week`, `is_late`, "
            "`is_prospecting`), the range `occurred_after` / `occurred_before` (ISO 8601), "
            "`search` (notes) and `ordering` (`occurred_at`, `duration_minutes`, `kind`, "
            "`created_at`; prefix `-` for descending). Newest first by default."
        ),
        examples=[
            OpenApiExample(
                "A page of activities",
                value={"count": 1, "next": None, "previous": None, "results": [ACTIVITY_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One activity (404 outside the caller's scope)"),
    create=extend_schema(
        summary="Log one activity, or a list of up to 500 (all or nothing)",
        description=(
            "Send one object, or a JSON list of up to 500 objects. A list is saved only if "
            "every item is valid; otherwise 400 with errors keyed by item index. An activity "
            "for a week whose call report is already submitted is saved with `is_late`. "
            "`next_step_title` + `next_step_due` create a follow-up task for the owner."
        ),
        request=ActivityCreateSerializer,
        responses={
            201: ActivitySerializer,
            400: OpenApiResponse(response=OpenApiTypes.OBJECT, description="Field errors"),
        },
        examples=[
            OpenApiExample("One call", value=NEW_ACTIVITY, request_only=True),
            OpenApiExample(
                "A batch",
                value=[NEW_ACTIVITY, {"kind": "email", "customer": 43}],
                request_only=True,
            ),
            OpenApiExample(
                "Far in the future",
                value={"occurred_at": [services.MSG_FUTURE]},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample(
                "A batch with one bad item",
                value={"3": {"contact": ["This contact works at another customer."]}},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample(
                "Logged", value=ACTIVITY_EXAMPLE, response_only=True, status_codes=["201"]
            ),
        ],
    ),
    partial_update=extend_schema(
        summary="Correct an activity (owner only, during its week, until the report is in)",
        examples=[
            OpenApiExample("Fix the duration", value={"duration_minutes": 25}, request_only=True),
            OpenApiExample(
                "Locked",
                value={"non_field_errors": [services.MSG_LOCKED]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
    update=extend_schema(summary="Replace an activity's fields (same rules as PATCH)"),
    destroy=extend_schema(
        summary="Delete a mistaken activity (owner only, during its week, until locked)"
    ),
)
class ActivityViewSet(
    CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet
):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    scoped_model = Activity

    def scoped_queryset(self, *, user):
        return activities_visible_to(user=user)

    def get_serializer_class(self):
        if self.action == "create":
            return ActivityCreateSerializer
        if self.action in ("update", "partial_update"):
            return ActivityUpdateSerializer
        return ActivitySerializer

    def create(self, request, *args, **kwargs):
        data = request.data
        if isinstance(data, list):
            return self._create_many(data)
        if not isinstance(data, dict):
            raise ValidationError(
                {"non_field_errors": [_("Send one activity as an object or a list of them.")]}
            )
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        activity = self.call_service(
            services.activity_log,
            by=request.user,
            **_service_item(serializer.validated_data),
        )
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    def _create_many(self, data: list) -> Response:
        limit = services.MAX_BULK_ACTIVITIES
        if len(data) > limit:
            raise ValidationError(
                {
                    "non_field_errors": [
                        _("Send at most %(max)s activities at once; this batch has %(count)s.")
                        % {"max": limit, "count": len(data)}
                    ]
                }
            )
        serializer = self.get_serializer(data=data, many=True)
        if not serializer.is_valid():
            if isinstance(serializer.errors, dict):  # not a list at all, or an empty one
                raise ValidationError(serializer.errors)
            raise ValidationError({str(i): e for i, e in enumerate(serializer.errors) if e})
        items = [_service_item(item) for item in serializer.validated_data]
        try:
            rows = services.activities_bulk_log(by=self.request.user, items=items)
        except services.ActivityBatchError as exc:
            raise ValidationError(exc.item_errors) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"non_field_errors": exc.messages}) from exc
        return Response(ActivitySerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        fields = _service_item(serializer.validated_data)
        if fields.get("occurred_at", True) is None:  # null keeps the time it has
            del fields["occurred_at"]
        serializer.instance = self.call_service(
            services.activity_update, activity=serializer.instance, by=self.request.user, **fields
        )

    def perform_destroy(self, instance):
        self.call_service(services.activity_delete, activity=instance, by=self.request.user)
