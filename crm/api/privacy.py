"""Personal data over the API (admins only): GET /api/{customers,contacts}/{id}/personal-data/
exports it as JSON, POST /api/{customers,contacts}/{id}/erase/ anonymises it (crm.privacy).

The object is looked up in the caller's scope first, so one outside it is a 404 whatever the
role; a non-admin who can see it gets a 403; a second erasure is a 400."""

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import privacy
from crm.access_log import access_record
from crm.api.viewsets import ServiceCallMixin
from crm.choices import AccessAction, AccessChannel
from crm.models import Customer, Erasure
from crm.selectors import contacts_visible_to, customers_visible_to


class ErasureSerializer(serializers.ModelSerializer):
    # plain text: a second "kind" enum would rename the activities' KindEnum in the schema
    kind = serializers.CharField(read_only=True, help_text="customer | contact")
    erased_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Erasure
        fields = [
            "id",
            "kind",
            "object_id",
            "customer",
            "erased_by",
            "erased_at",
            "fields",
            "related",
        ]
        read_only_fields = fields


FORBIDDEN = OpenApiResponse(description="Only admins may export or erase personal data.")
NOT_FOUND = OpenApiResponse(description="No such object in the caller's scope.")
ALREADY_ERASED = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Already erased",
    examples=[
        OpenApiExample(
            "Second erasure",
            value={"non_field_errors": ["This customer was already erased on 2026-12-07."]},
            response_only=True,
            status_codes=["400"],
        )
    ],
)


class _PrivacyView(ServiceCallMixin, APIView):
    """One customer or contact found in the caller's scope (404 outside it), handed to a
    crm.privacy service as `object_arg`."""

    scope: Callable[..., QuerySet]
    service: Callable
    object_arg: str  # "customer" | "contact"

    def run(self, pk: int):
        obj = get_object_or_404(self.scope(user=self.request.user), pk=pk)
        return obj, self.call_service(self.service, **{self.object_arg: obj}, by=self.request.user)


class _PersonalDataView(_PrivacyView):
    @extend_schema(
        summary="Export the personal data held about it, as JSON (admins)",
        responses={200: OpenApiTypes.OBJECT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        obj, data = self.run(pk)
        access_record(
            user=request.user,
            customer_ids=[obj.pk if isinstance(obj, Customer) else obj.customer_id],
            channel=AccessChannel.API,
            action=AccessAction.EXPORT,
        )
        return Response(data)


class _EraseView(_PrivacyView):
    @extend_schema(
        summary="Erase its personal data in place (admins); history stays linked",
        request=None,
        responses={200: ErasureSerializer, 400: ALREADY_ERASED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        _, erasure = self.run(pk)
        return Response(ErasureSerializer(erasure).data)


class CustomerPersonalDataView(_PersonalDataView):
    scope = staticmethod(customers_visible_to)
    service = staticmethod(privacy.customer_personal_data)
    object_arg = "customer"


class ContactPersonalDataView(_PersonalDataView):
    scope = staticmethod(contacts_visible_to)
    service = staticmethod(privacy.contact_personal_data)
    object_arg = "contact"


class CustomerEraseView(_EraseView):
    scope = staticmethod(customers_visible_to)
    service = staticmethod(privacy.customer_erase)
    object_arg = "customer"


class ContactEraseView(_EraseView):
    scope = staticmethod(contacts_visible_to)
    service = staticmethod(privacy.contact_erase)
    object_arg = "contact"
