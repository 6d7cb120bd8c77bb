"""/api/quotas/ and /api/activity-goals/: targets a manager sets, scoped like everything else
(a rep reads their own, a manager their team's, an admin everyone's) and written through the
reports services. Reps may read but not write (403); a rep or team outside the caller's scope
reads exactly like one that does not exist (400), an object outside it is a 404."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.models import Team, User
from accounts.selectors import teams_visible_to
from activities.weeks import parse_week
from crm.api.fields import ModelSerializer, ScopedRelatedField
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin
from crm.filtering import BooleanFilter, FilterSet, IntegerFilter
from reports import services
from reports.choices import PeriodKind
from reports.models import ActivityGoal, Quota
from reports.selectors import activity_goals_visible_to, quotas_visible_to, target_reps_for


class ManagersWrite(BasePermission):
    """Anyone signed in reads (scoped); only managers and admins write."""

    message = _("Only a manager or an admin sets targets.")

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or not request.user.is_rep


class TargetRepField(ScopedRelatedField):
    """Rep choices: the reps in the caller's scope."""

    model = User

    def scope(self, user):
        return target_reps_for(user=user)


class ScopedTeamField(ScopedRelatedField):
    """Team choices: the teams in the caller's scope."""

    model = Team

    def scope(self, user):
        return teams_visible_to(user=user)


# --- Quotas ----------------------------------------------------------------------------------


class QuotaFilter(FilterSet):
    rep = IntegerFilter(field_name="rep_id")
    period = django_filters.ChoiceFilter(choices=PeriodKind.choices)
    period_start_after = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")
    year = IntegerFilter(
        field_name="period_start", lookup_expr="year", min_value=1900, max_value=2999
    )

    class Meta:
        model = Quota
        fields = ["rep", "period"]


class QuotaSerializer(ModelSerializer):
    rep = TargetRepField(help_text="Rep id (one of the caller's reps).")

    class Meta:
        model = Quota
        fields = [
            "id",
            "rep",
            "period",
            "period_start",
            "revenue",
            "new_customers_primary",
            "new_customers_secondary",
            "rolled_up",
            "set_by",
            "updated_at",
        ]
        read_only_fields = ["rolled_up", "set_by", "updated_at"]
        # quota_set upserts (rep, period, period_start); the service validates.
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        for name in ("new_customers_primary", "new_customers_secondary"):
            fields[name] = serializers.IntegerField(required=False)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("rep", "period", "period_start"):
                fields[name].read_only = True
        return fields


class RollUpSerializer(serializers.Serializer):
    rep = TargetRepField(help_text="Rep id.", pk_field=serializers.IntegerField())
    year = serializers.IntegerField(min_value=1900, max_value=2999)
    periods = serializers.ListField(
        child=serializers.ChoiceField(choices=["quarter", "year"]),
        required=False,
        allow_empty=False,
        help_text="Default (left out): both quarters and the year.",
    )


QUOTA_EXAMPLE = {
    "id": 5,
    "rep": 7,
    "period": "quarter",
    "period_start": "2026-04-01",
    "revenue": "300000.00",
    "new_customers_primary": 2,
    "new_customers_secondary": 4,
    "rolled_up": True,
    "set_by": 3,
    "updated_at": "2026-11-23T09:30:00+01:00",
}


@extend_schema_view(
    list=extend_schema(
        summary="Quotas in the caller's scope",
        description="Filters: `rep`, `period` (month|quarter|year), `period_start_after`, "
        "`period_start_before` (dates), `year`.",
    ),
    create=extend_schema(
        summary="Set a rep's quota for a month, quarter or year (managers and admins)",
        description="Creates or replaces the quota of (rep, period, period_start). "
        "`period_start` must be the period's first day.",
        examples=[
            OpenApiExample(
                "Q2 quota",
                value={
                    "rep": 7,
                    "period": "quarter",
                    "period_start": "2026-04-01",
                    "revenue": "300000.00",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Not the first day",
                value={"period_start": ["A quarter starts on its first day: use 2026-04-01."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
    partial_update=extend_schema(summary="Change a quota's figures"),
    roll_up=extend_schema(
        summary="Roll quarter and year quotas up from the months",
        request=RollUpSerializer,
        responses={200: QuotaSerializer(many=True)},
        examples=[
            OpenApiExample("Roll up 2026", value={"rep": 7, "year": 2026}, request_only=True),
            OpenApiExample("Rolled up", value=[QUOTA_EXAMPLE], response_only=True),
        ],
    ),
)
class QuotaViewSet(ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = QuotaSerializer
    filterset_class = QuotaFilter
    permission_classes = [ManagersWrite]
    scoped_model = Quota

    def scoped_queryset(self, *, user):
        return quotas_visible_to(user=user).order_by("rep_id", "period", "period_start")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.call_service(
            services.quota_set,
            rep=data.pop("rep"),
            period=data.pop("period"),
            period_start=data.pop("period_start"),
            by=self.request.user,
            **data,
        )

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.quota_update,
            quota=serializer.instance,
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        self.call_service(services.quota_delete, quota=instance, by=self.request.user)

    @action(detail=False, methods=["post"], url_path="roll-up")
    def roll_up(self, request):
        params = RollUpSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        quotas = self.call_service(
            services.quota_roll_up,
            rep=params.validated_data["rep"],
            year=params.validated_data["year"],
            by=request.user,
            periods=tuple(params.validated_data.get("periods", ("quarter", "year"))),
        )
        return Response(QuotaSerializer(quotas, many=True).data, status=status.HTTP_200_OK)


# --- Activity goals --------------------------------------------------------------------------


class ActivityGoalFilter(FilterSet):
    team = IntegerFilter(field_name="team_id")
    rep = IntegerFilter(field_name="rep_id")
    week = django_filters.CharFilter(field_name="week", validators=[parse_week])
    standing = BooleanFilter(method="filter_standing")

    class Meta:
        model = ActivityGoal
        fields = ["team", "rep", "week"]

    def filter_standing(self, queryset, name, value):
        return queryset.filter(week="") if value else queryset.exclude(week="")


class ActivityGoalSerializer(ModelSerializer):
    team = ScopedTeamField(
        required=False, allow_null=True, help_text="Team id for a team default (no rep)."
    )
    rep = TargetRepField(required=False, allow_null=True, help_text="Rep id for a rep's goal.")
    week = serializers.CharField(
        required=False, allow_blank=True, help_text="ISO week like 2026-W47; empty = every week."
    )

    class Meta:
        model = ActivityGoal
        fields = [
            "id",
            "team",
            "rep",
            "week",
            "calls",
            "meetings",
            "visits",
            "new_prospects",
            "set_by",
            "updated_at",
        ]
        read_only_fields = ["set_by", "updated_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        for name in ("calls", "meetings", "visits", "new_prospects"):
            fields[name] = serializers.IntegerField(required=False)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["team"].read_only = True
            fields["rep"].read_only = True
        return fields


@extend_schema_view(
    list=extend_schema(
        summary="Activity goals in the caller's scope",
        description="Team defaults (team set, rep empty) and rep goals; filters `team`, `rep`, "
        "`week` (2026-W47), `standing=true` (goals for every week).",
    ),
    create=extend_schema(
        summary="Set a team default or a rep's goal (managers and admins)",
        examples=[
            OpenApiExample(
                "Team default",
                value={"team": 2, "week": "", "calls": 100, "meetings": 5},
                request_only=True,
            ),
            OpenApiExample(
                "Bad week",
                value={"week": ["“2026-47” is not an ISO week; use the form 2026-W47."]},
                response_only=True,
                status_codes=["400"],
            ),
        ],
    ),
)
class ActivityGoalViewSet(ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = ActivityGoalSerializer
    filterset_class = ActivityGoalFilter
    permission_classes = [ManagersWrite]
    scoped_model = ActivityGoal

    def scoped_queryset(self, *, user):
        return activity_goals_visible_to(user=user).order_by("team_id", "rep_id", "-week", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.call_service(
            services.activity_goal_set,
            by=self.request.user,
            team=data.pop("team", None),
            rep=data.pop("rep", None),
            week=data.pop("week", ""),
            **data,
        )

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.activity_goal_update,
            goal=serializer.instance,
            by=self.request.user,
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        self.call_service(services.activity_goal_delete, goal=instance, by=self.request.user)
