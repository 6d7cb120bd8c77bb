"""/api/deals/: scoped by deals_visible_to, filtered by DealFilter, written through the
deal services (so stage history and the ownership log are kept whatever the client).

Owner and customer choices are scoped to the caller: an id outside the caller's scope reads
exactly like one that does not exist, and reveals nothing."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from accounts.models import User
from accounts.selectors import assignable_owners_for
from crm import services
from crm.api.customers import ScopedCustomerField
from crm.api.fields import ModelSerializer, ScopedRelatedField
from crm.api.viewsets import CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin
from crm.choices import DealStage, OwnershipChangeSource
from crm.currency import currency_choices
from crm.filters import DealFilter
from crm.models import Deal
from crm.selectors import deals_visible_to


class DealOwnerField(ScopedRelatedField):
    """Owner choices: whom the caller may assign deals to, plus the deal's current owner."""

    model = User

    def scope(self, user):
        owners = assignable_owners_for(user=user)
        instance = getattr(self.parent, "instance", None)
        if isinstance(instance, Deal):
            owners = owners | User.objects.filter(pk=instance.owner_id)
        return owners.distinct()


class DealSerializer(ModelSerializer):
    customer = ScopedCustomerField(help_text=_("Customer id (one of the caller's customers)."))
    owner = DealOwnerField(
        required=False, help_text=_("User id; defaults to the caller. A rep owns their own.")
    )
    stage = serializers.ChoiceField(
        source="stage_id", choices=DealStage.choices, required=False, default=DealStage.LEAD
    )
    currency = serializers.ChoiceField(
        choices=currency_choices(),
        required=False,
        help_text=_(
            "ISO code (EUR, IDR, NOK, …); defaults to the company currency. IDR "
            "amounts are whole numbers."
        ),
        error_messages={"invalid_choice": _("“{input}” is not a supported currency.")},
    )
    probability = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=_("Percent; defaults to the stage's default probability."),
    )

    class Meta:
        model = Deal
        fields = [
            "id",
            "customer",
            "owner",
            "title",
            "amount",
            "currency",
            "stage",
            "probability",
            "expected_close",
            "closed_at",
            "lost_reason",
            "next_step",
            "credited_to",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["credited_to", "created_at", "updated_at"]


DEAL_EXAMPLE = {
    "id": 42,
    "customer": 7,
    "owner": 3,
    "title": "Spring restock",
    "amount": "12500.00",
    "currency": "EUR",
    "stage": "proposal",
    "probability": 50,
    "expected_close": "2026-12-15",
    "closed_at": None,
    "lost_reason": "",
    "next_step": "Call the buyer on Monday",
    "credited_to": None,
    "created_at": "2026-11-02T09:30:00+01:00",
    "updated_at": "2026-11-20T16:05:12+01:00",
}


@extend_schema_view(
    list=extend_schema(
        summary="List deals in the caller's scope",
        description=(
            "Filters by field name (`owner`, `customer`, `stage`), ranges (`amount_min`, "
            "`amount_max`, `expected_close_after`, `expected_close_before`), `search` (title "
            "or customer name) and `ordering` (`amount`, `expected_close`, `updated_at`, "
            "`title`, prefix `-` for descending)."
        ),
        examples=[
            OpenApiExample(
                "A page of deals",
                value={"count": 1, "next": None, "previous": None, "results": [DEAL_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One deal (404 outside the caller's scope)"),
    create=extend_schema(
        summary="Open a deal",
        description="Won needs `closed_at`; lost needs `lost_reason`. Amount is not negative.",
        examples=[
            OpenApiExample(
                "New deal",
                value={"customer": 7, "title": "Spring restock", "amount": "12500.00"},
                request_only=True,
            ),
            OpenApiExample(
                "Won without a close date",
                value={"closed_at": ["A won deal needs its close date."]},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample("Created", value=DEAL_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a deal (a new stage is recorded in the stage history)",
        examples=[
            OpenApiExample(
                "Mark as lost",
                value={"stage": "lost", "lost_reason": "Went with a cheaper supplier"},
                request_only=True,
            ),
            OpenApiExample(
                "Lost without a reason",
                value={"lost_reason": ["A lost deal needs a reason."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
    update=extend_schema(summary="Replace a deal's editable fields"),
)
class DealViewSet(CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    """Deals in the caller's scope: a rep's own (and closed deals on their customers), a
    manager's team's, everything for an admin. Outside that scope a deal is a 404."""

    serializer_class = DealSerializer
    filterset_class = DealFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    scoped_model = Deal

    def scoped_queryset(self, *, user):
        return deals_visible_to(user=user)

    @staticmethod
    def _service_fields(validated: dict) -> dict:
        data = dict(validated)
        if "stage_id" in data:
            data["stage"] = data.pop("stage_id")
        return data

    def perform_create(self, serializer):
        serializer.instance = self.call_service(
            services.deal_create,
            by=self.request.user,
            source=OwnershipChangeSource.API,
            **self._service_fields(serializer.validated_data),
        )

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.deal_update,
            deal=serializer.instance,
            by=self.request.user,
            source=OwnershipChangeSource.API,
            **self._service_fields(serializer.validated_data),
        )
