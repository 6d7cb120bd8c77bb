"""/api/territories/ (issue 13): a team's territories and their rules, scoped like the
pages (crm.territories.territories_visible_to: reps read their team's, managers manage
their team's, admins all); POST /api/territories/assign/ places customers by the rules,
POST /api/territories/override/ pins (or unpins) one customer's territory."""

from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Team
from crm import territories as svc
from crm.api.fields import ModelSerializer, ScopedRelatedField
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin
from crm.models import Customer, Territory
from crm.selectors import customers_visible_to


@extend_schema_field(OpenApiTypes.INT)
class ManageableTeamField(ScopedRelatedField):
    model = Team

    def scope(self, user):
        return svc.manageable_teams(user=user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleTerritoryField(ScopedRelatedField):
    model = Territory

    def scope(self, user):
        return svc.territories_visible_to(user=user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleCustomerField(ScopedRelatedField):
    model = Customer

    def scope(self, user):
        return customers_visible_to(user=user)


class TerritorySerializer(ModelSerializer):
    team = ManageableTeamField(help_text=_("One of the teams you manage (admins: any)."))
    rules = serializers.JSONField(
        required=False,
        help_text=_(
            '[{"kind": "region|postal_prefix|segment", "value": "…"}]; values of one '
            "kind are alternatives, kinds combine. Replaces all rules when given."
        ),
    )
    customers_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Territory
        fields = ["id", "name", "team", "priority", "rules", "customers_count"]
        validators = []  # the service checks the name per team (a field error on `name`)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["rules"] = [{"kind": r.kind, "value": r.value} for r in instance.rules.all()]
        return data


class AssignSerializer(serializers.Serializer):
    team = ManageableTeamField(required=False, help_text=_("Default: every team you manage."))


class OverrideSerializer(serializers.Serializer):
    customer = VisibleCustomerField()
    territory = VisibleTerritoryField(allow_null=True, required=False, default=None)
    manual = serializers.BooleanField(
        default=True, help_text=_("true: pin `territory` (null: none); false: back to the rules.")
    )


TERRITORY_EXAMPLE = {
    "id": 3,
    "name": "Bavaria South",
    "team": 1,
    "priority": 10,
    "rules": [{"kind": "postal_prefix", "value": "80"}, {"kind": "segment", "value": "primary"}],
    "customers_count": 41,
}


@extend_schema_view(
    list=extend_schema(
        summary="Territories visible to the caller",
        examples=[OpenApiExample("Territory", value=TERRITORY_EXAMPLE, response_only=True)],
    ),
    create=extend_schema(summary="Create a territory (the team's manager or an admin)"),
    partial_update=extend_schema(summary="Rename, reprioritise or replace the rules"),
)
class TerritoryViewSet(ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = TerritorySerializer
    scoped_model = Territory
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self, *, user):
        return (
            svc.territories_visible_to(user=user)
            .annotate(customers_count=Count("customers"))
            .prefetch_related("rules")
            .order_by("team__name", "priority", "id")
        )

    def _reload(self, pk: int) -> Territory:
        return self.get_queryset().get(pk=pk)

    def perform_create(self, serializer):
        data = serializer.validated_data
        territory = self.call_service(
            svc.territory_create,
            by=self.request.user,
            team=data["team"],
            name=data.get("name", ""),
            priority=data.get("priority", 100),
            rules=data.get("rules"),
        )
        serializer.instance = self._reload(territory.pk)

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "team" in data and data["team"].pk != serializer.instance.team_id:
            raise serializers.ValidationError({"team": [gettext("A territory stays in its team.")]})
        territory = self.call_service(
            svc.territory_update,
            territory=serializer.instance,
            by=self.request.user,
            name=data.get("name"),
            priority=data.get("priority"),
            rules=data.get("rules"),
        )
        serializer.instance = self._reload(territory.pk)

    def perform_destroy(self, instance):
        self.call_service(svc.territory_delete, territory=instance, by=self.request.user)

    @extend_schema(
        summary="Place customers by the rules (one team, or every team you manage)",
        request=AssignSerializer,
        responses={
            200: inline_serializer(
                "TerritoriesAssigned", fields={"changed": serializers.IntegerField()}
            )
        },
        examples=[OpenApiExample("Done", value={"changed": 12}, response_only=True)],
    )
    @action(detail=False, methods=["post"])
    def assign(self, request):
        if not svc.may_manage_territories(user=request.user):
            return Response(
                {"detail": gettext("Only managers and admins run the territory rules.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        body = AssignSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        team = body.validated_data.get("team")
        teams = [team] if team else list(svc.manageable_teams(user=request.user))
        changed = sum(
            self.call_service(svc.territory_assign_by_rules, team=t, by=request.user) for t in teams
        )
        return Response({"changed": changed})

    @extend_schema(
        summary="Pin one customer's territory (or unpin it: the rules place it again)",
        request=OverrideSerializer,
        responses={
            200: inline_serializer(
                "TerritoryOverridden",
                fields={
                    "customer": serializers.IntegerField(),
                    "territory": serializers.IntegerField(allow_null=True),
                    "territory_manual": serializers.BooleanField(),
                },
            )
        },
    )
    @action(detail=False, methods=["post"])
    def override(self, request):
        body = OverrideSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        customer = self.call_service(
            svc.customer_territory_set,
            customer=data["customer"],
            by=request.user,
            territory=data.get("territory"),
            manual=data["manual"],
        )
        return Response(
            {
                "customer": customer.pk,
                "territory": customer.territory_id,
                "territory_manual": customer.territory_manual,
            }
        )
