"""/api/exchange-rates/ (issue 14): the rate table reports convert with (crm.currency).
Everyone signed in reads it; only admins create, change or delete rates (403 otherwise)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from crm import currency as money
from crm.api.fields import ModelSerializer
from crm.api.permissions import IsAdminRoleOrReadOnly
from crm.api.viewsets import ServiceCallMixin
from crm.models import ExchangeRate


class ExchangeRateSerializer(ModelSerializer):
    currency = serializers.CharField(
        max_length=10, help_text=_("ISO code of a supported currency, not the company's.")
    )
    rate = serializers.CharField(
        help_text=_("What 1 unit is worth in the company currency, as a decimal string.")
    )

    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "rate", "valid_from", "updated_at"]
        read_only_fields = ["updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["rate"] = format(instance.rate.normalize(), "f")
        return data


@extend_schema_view(
    list=extend_schema(
        summary="Exchange rates to the company currency",
        description="Filter with `?currency=NOK`. Newest first per currency.",
    ),
    create=extend_schema(
        summary="Add a rate (admins)",
        examples=[
            OpenApiExample(
                "NOK in EUR from 1 January",
                value={"currency": "NOK", "rate": "0.0857", "valid_from": "2026-01-01"},
                request_only=True,
            ),
            OpenApiExample(
                "Zero rate",
                value={"rate": ["A rate must be above zero: it is what one unit is worth in EUR."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
)
class ExchangeRateViewSet(ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = ExchangeRateSerializer
    permission_classes = [IsAdminRoleOrReadOnly]
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self):
        qs = ExchangeRate.objects.order_by("currency", "-valid_from", "-id")
        code = self.request.query_params.get("currency")
        if code:
            if code.upper() not in money.CURRENCIES:
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"currency": [money.unknown_currency_message(code)]})
            qs = qs.filter(currency=code.upper())
        return qs

    def _save(self, serializer, instance=None):
        data = serializer.validated_data
        get = (lambda name: data.get(name, getattr(instance, name))) if instance else data.get
        serializer.instance = self.call_service(
            money.exchange_rate_save,
            by=self.request.user,
            currency=get("currency"),
            rate=get("rate"),
            valid_from=get("valid_from"),
            instance=instance,
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, instance=serializer.instance)
