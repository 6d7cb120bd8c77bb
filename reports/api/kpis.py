"""/api/reports/weekly-kpi/ (issue 5, area 5B): the weekly KPI snapshots, scoped like
everything else (a rep their own rows, a manager the team's, an admin all), and
POST .../recompute/ {"week": "2026-W47", "team": 3?} which queues the KPI job (202)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from activities.weeks import parse_week
from crm.api.fields import ModelSerializer
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin
from reports.kpis import request_kpi_recompute
from reports.models import WeeklyKPI
from reports.selectors import kpi_attainment, weekly_kpis_visible_to

PERCENT = {"max_digits": None, "decimal_places": 1, "read_only": True, "allow_null": True}


class WeeklyKPISerializer(ModelSerializer):
    calls_goal_pct = serializers.DecimalField(**PERCENT, help_text="Calls vs goal (%).")
    meetings_goal_pct = serializers.DecimalField(**PERCENT)
    visits_goal_pct = serializers.DecimalField(**PERCENT)
    new_prospects_goal_pct = serializers.DecimalField(**PERCENT)
    quota_mtd_pct = serializers.DecimalField(**PERCENT, help_text="Revenue MTD / month quota.")
    quota_qtd_pct = serializers.DecimalField(**PERCENT)
    quota_ytd_pct = serializers.DecimalField(**PERCENT)

    class Meta:
        model = WeeklyKPI
        fields = [
            "id",
            "rep",
            "team",
            "week",
            "calls",
            "meetings",
            "visits",
            "emails",
            "prospecting",
            "new_prospects",
            "deals_created",
            "deals_won",
            "won_value",
            "pipeline_value",
            "forecast",
            "pipeline_next_quarter",
            "goal_calls",
            "goal_meetings",
            "goal_visits",
            "goal_new_prospects",
            "calls_goal_pct",
            "meetings_goal_pct",
            "visits_goal_pct",
            "new_prospects_goal_pct",
            "revenue_mtd",
            "revenue_qtd",
            "revenue_ytd",
            "quota_month",
            "quota_quarter",
            "quota_year",
            "quota_next_quarter",
            "quota_mtd_pct",
            "quota_qtd_pct",
            "quota_ytd_pct",
            "commission",
            "computed_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        for name, value in kpi_attainment(instance).items():
            setattr(instance, name, value)
        return super().to_representation(instance)


class RecomputeSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W47.")
    team = serializers.IntegerField(required=False, allow_null=True)


class RecomputeQueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()
    week = serializers.CharField()
    teams = serializers.ListField(child=serializers.IntegerField(allow_null=True))


def _id_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 1:
        raise ValidationError({name: [_("“%(value)s” is not a valid id.") % {"value": raw}]})
    return value


def filter_week_team_rep(request, queryset):
    """?week= (a bad week is 400), ?team=ID, ?rep=ID: the filters of the KPI rows and of the
    at-risk flags, which share their (rep, team, week) shape."""
    week = request.query_params.get("week")
    if week not in (None, ""):
        try:
            parse_week(week)
        except DjangoValidationError as exc:
            raise ValidationError({"week": exc.messages}) from exc
        queryset = queryset.filter(week=week)
    team = _id_param(request, "team")
    if team is not None:
        queryset = queryset.filter(team_id=team)
    rep = _id_param(request, "rep")
    if rep is not None:
        queryset = queryset.filter(rep_id=rep)
    return queryset


class WeeklyKPIViewSet(
    ScopedQuerysetMixin, ServiceCallMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    serializer_class = WeeklyKPISerializer
    scoped_model = WeeklyKPI

    def scoped_queryset(self, *, user):
        return weekly_kpis_visible_to(user=user).order_by("-week", "rep_id")

    def filter_queryset(self, queryset):
        return filter_week_team_rep(self.request, queryset)

    @extend_schema(
        summary="Weekly KPI rows visible to the caller",
        parameters=[
            OpenApiParameter("week", OpenApiTypes.STR, description="ISO week, e.g. 2026-W47"),
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("rep", OpenApiTypes.INT),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Queue the weekly KPI job for a week",
        request=RecomputeSerializer,
        responses={
            202: RecomputeQueuedSerializer,
            400: OpenApiResponse(description="{week: [...]} or {team: [...]}"),
            403: OpenApiResponse(description="Reps may not recompute."),
        },
    )
    @action(detail=False, methods=["post"])
    def recompute(self, request):
        data = request.data if hasattr(request.data, "get") else {}
        week = data.get("week")
        week = week.strip() if isinstance(week, str) else week
        teams = self.call_service(
            request_kpi_recompute, by=request.user, week=week, team_id=data.get("team")
        )
        return Response(
            {"queued": True, "week": week, "teams": teams}, status=status.HTTP_202_ACCEPTED
        )
