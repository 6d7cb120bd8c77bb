"""/api/customers/ and /api/contacts/: scoped by the selectors, written through the services.

Choices offered to a serializer (owners, customers) are scoped to the caller, so choosing
something outside one's scope is a 400 field error that reads exactly like "does not
exist" and reveals nothing."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import assignable_owners_for
from crm import services
from crm.api.fields import ModelSerializer, ScopedRelatedField
from crm.api.viewsets import CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin
from crm.choices import OwnershipChangeSource
from crm.filters import ContactFilter, CustomerFilter
from crm.models import Contact, Customer
from crm.selectors import contacts_visible_to, customers_for_list, customers_visible_to
from crm.tasks import recompute_key_customers


class ScopedOwnerField(ScopedRelatedField):
    """Owner choices: whom the caller may assign customers to."""

    model = User

    def scope(self, user):
        return assignable_owners_for(user=user)


class ScopedCustomerField(ScopedRelatedField):
    """Customer choices: the caller's visible customers only."""

    model = Customer

    def scope(self, user):
        return customers_visible_to(user=user)


class CustomerSerializer(ModelSerializer):
    owner = ScopedOwnerField(
        required=False, help_text=_("User id; defaults to the caller. A rep owns their own.")
    )
    has_conflict = serializers.BooleanField(read_only=True, default=False)
    open_deals_count = serializers.IntegerField(read_only=True, default=0)
    open_deals_value = serializers.DecimalField(  # a sum: no digit limit of its own
        max_digits=None, decimal_places=2, read_only=True, default="0.00"
    )
    # Territories (issue 13): placed by the rules or pinned by a person via
    # POST /api/territories/override/ (territory_manual), never written here.
    territory = serializers.PrimaryKeyRelatedField(read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True, default=None)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "owner",
            "segment",
            "status",
            "source",
            "is_key",
            "industry",
            "region",
            "city",
            "postal_code",
            "territory",
            "territory_name",
            "territory_manual",
            "website",
            "phone",
            "notes",
            "has_conflict",
            "open_deals_count",
            "open_deals_value",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_key", "territory_manual", "created_at", "updated_at"]


class ContactSerializer(ModelSerializer):
    customer = ScopedCustomerField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "first_name",
            "last_name",
            "job_title",
            "email",
            "phone",
            "is_primary",
        ]


CUSTOMER_EXAMPLE = {
    "id": 42,
    "name": "Acme Tools GmbH",
    "owner": 7,
    "segment": "primary",
    "status": "active",
    "source": "referral",
    "is_key": True,
    "industry": "Machine tools",
    "region": "Bavaria",
    "city": "Munich",
    "postal_code": "80331",
    "territory": 3,
    "territory_name": "Bavaria South",
    "territory_manual": False,
    "website": "https://acme.example",
    "phone": "+49 89 123456",
    "notes": "Buys every spring.",
    "has_conflict": False,
    "open_deals_count": 2,
    "open_deals_value": "18500.00",
    "created_at": "2026-03-02T09:15:00+01:00",
    "updated_at": "2026-11-20T16:40:12+01:00",
}
CONTACT_EXAMPLE = {
    "id": 311,
    "customer": 42,
    "first_name": "Jana",
    "last_name": "Keller",
    "job_title": "Head of purchasing",
    "email": "jana.keller@acme.example",
    "phone": "+49 89 123456-20",
    "is_primary": True,
}
ERROR_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Field errors",
    examples=[
        OpenApiExample(
            "Owner outside your scope",
            value={"owner": ['Invalid pk "99" - object does not exist.']},
            response_only=True,
            status_codes=["400"],
        )
    ],
)


@extend_schema_view(
    list=extend_schema(
        summary="Customers visible to the caller",
        description="Filter by field name (?owner=7&segment=primary&is_key=true&conflict=true), "
        "?search= (name), ?ordering=name|-open_deals_value|…, ?page=&page_size=.",
        examples=[
            OpenApiExample(
                "A page of customers",
                value={"count": 1, "next": None, "previous": None, "results": [CUSTOMER_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        examples=[OpenApiExample("Customer", value=CUSTOMER_EXAMPLE, response_only=True)]
    ),
    create=extend_schema(
        summary="Create a customer (owner defaults to the caller)",
        examples=[
            OpenApiExample(
                "New prospect",
                value={
                    "name": "Acme Tools GmbH",
                    "segment": "primary",
                    "status": "prospect",
                    "source": "cold_call",
                    "industry": "Machine tools",
                },
                request_only=True,
            ),
            OpenApiExample("Created", value=CUSTOMER_EXAMPLE, response_only=True),
        ],
        responses={201: CustomerSerializer, 400: ERROR_400},
    ),
    partial_update=extend_schema(
        summary="Edit a customer; a new owner is logged in the ownership log",
        examples=[OpenApiExample("Reassign", value={"owner": 9}, request_only=True)],
        responses={200: CustomerSerializer, 400: ERROR_400},
    ),
)
class CustomerViewSet(
    CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet
):
    customer_field = "pk"
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    scoped_model = Customer

    def scoped_queryset(self, *, user):
        return customers_for_list(user=user)

    def _reload(self, pk: int) -> Customer:
        return self.get_queryset().get(pk=pk)

    def perform_create(self, serializer):
        customer = self.call_service(
            services.customer_create,
            by=self.request.user,
            log_source=OwnershipChangeSource.API,
            **serializer.validated_data,
        )
        serializer.instance = self._reload(customer.pk)

    def perform_update(self, serializer):
        customer = self.call_service(
            services.customer_update,
            customer=serializer.instance,
            by=self.request.user,
            log_source=OwnershipChangeSource.API,
            **serializer.validated_data,
        )
        serializer.instance = self._reload(customer.pk)

    @extend_schema(
        summary="Queue the key-customer recomputation (managers and admins)",
        request=None,
        responses={
            202: inline_serializer(
                "KeyCustomersQueued",
                fields={"status": serializers.CharField(), "task_id": serializers.CharField()},
            ),
            403: OpenApiResponse(description="Reps may not trigger it."),
        },
        examples=[
            OpenApiExample(
                "Queued",
                value={"status": "queued", "task_id": "6f1c…"},
                response_only=True,
                status_codes=["202"],
            )
        ],
    )
    @action(detail=False, methods=["post"], url_path="recompute-key-customers")
    def recompute_key_customers(self, request):
        if not (request.user.is_manager or request.user.is_admin):
            raise PermissionDenied(gettext("Only managers and admins recompute key customers."))
        result = recompute_key_customers.delay()
        return Response({"status": "queued", "task_id": result.id}, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(
        summary="Contacts at the caller's visible customers",
        examples=[
            OpenApiExample(
                "A page of contacts",
                value={"count": 1, "next": None, "previous": None, "results": [CONTACT_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    create=extend_schema(
        examples=[
            OpenApiExample(
                "New contact",
                value={k: v for k, v in CONTACT_EXAMPLE.items() if k != "id"},
                request_only=True,
            ),
            OpenApiExample("Created", value=CONTACT_EXAMPLE, response_only=True),
        ],
        responses={201: ContactSerializer, 400: ERROR_400},
    ),
)
class ContactViewSet(
    CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet
):
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    scoped_model = Contact

    def scoped_queryset(self, *, user):
        return contacts_visible_to(user=user).order_by("last_name", "first_name", "id")

    def perform_create(self, serializer):
        serializer.instance = self.call_service(
            services.contact_create, by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.contact_update,
            contact=serializer.instance,
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        self.call_service(services.contact_delete, contact=instance, by=self.request.user)
