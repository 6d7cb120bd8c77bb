"""/api/reports/risk-flags/ (issue 13): the at-risk flags the weekly KPI job computed, one
row per (rep, week, rule) with the figures the rule fired on and the reason in words. Scoped
like the weekly KPI rows: a rep their own flags, a manager their team's, an admin all.
Filters: ?week=2026-W47 (a bad week is 400), ?team=ID, ?rep=ID, ?rule=activity."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from crm.api.fields import ModelSerializer
from crm.api.viewsets import ScopedQuerysetMixin
from reports.api.kpis import filter_week_team_rep
from reports.choices import RiskRule
from reports.models import RiskFlag
from reports.risk import risk_flags_visible_to


class RiskFlagSerializer(ModelSerializer):
    rule_label = serializers.CharField(source="label", read_only=True)
    reason = serializers.CharField(read_only=True, help_text="The figures in words.")
    rep_name = serializers.SerializerMethodField()

    class Meta:
        model = RiskFlag
        fields = [
            "id",
            "rep",
            "rep_name",
            "team",
            "week",
            "rule",
            "rule_label",
            "reason",
            "figures",
            "computed_at",
        ]
        read_only_fields = fields

    def get_rep_name(self, flag) -> str:
        return str(flag.rep)


class RiskFlagViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RiskFlagSerializer
    scoped_model = RiskFlag

    def scoped_queryset(self, *, user):
        return (
            risk_flags_visible_to(user=user)
            .select_related("rep")
            .order_by("-week", "rep_id", "rule")
        )

    def filter_queryset(self, queryset):
        queryset = filter_week_team_rep(self.request, queryset)
        rule = self.request.query_params.get("rule")
        if rule not in (None, ""):
            if rule not in RiskRule.values:
                choices = ", ".join(RiskRule.values)
                message = _("Choose one of %(choices)s.") % {"choices": choices}
                raise ValidationError({"rule": [message]})
            queryset = queryset.filter(rule=rule)
        return queryset

    @extend_schema(
        summary="At-risk flags visible to the caller",
        parameters=[
            OpenApiParameter("week", OpenApiTypes.STR, description="ISO week, e.g. 2026-W47"),
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("rep", OpenApiTypes.INT),
            OpenApiParameter("rule", OpenApiTypes.STR, enum=RiskRule.values),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
