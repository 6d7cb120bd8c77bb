"""/api/leaderboard/ and /api/badges/ (issue 13, recognition).

GET /api/leaderboard/?period=week&week=2026-W47 | ?period=month&month=2026-11: the
caller's team (admins and managers of several teams: ?team=ID); another team: 404; a
bad period, week or month: 400. A hidden leaderboard gives a rep `visible: false` and no
rows. GET/PATCH /api/leaderboard/settings/?team=ID: the team's points and visibility
(PATCH: the team's manager or an admin, else 403)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from coaching import recognition
from coaching.models import Badge
from crm.api.fields import ModelSerializer
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin


class BadgeSerializer(ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    incentive_name = serializers.CharField(source="incentive.name", read_only=True)
    reward = serializers.CharField(source="incentive.reward", read_only=True)
    period = serializers.CharField(source="incentive.period", read_only=True)

    class Meta:
        model = Badge
        fields = [
            "id",
            "rep",
            "rep_name",
            "incentive",
            "incentive_name",
            "reward",
            "period",
            "period_start",
            "won",
            "quota",
            "attainment",
            "awarded_at",
        ]


def _row(row: recognition.LeaderboardRow) -> dict:
    return {
        "rank": row.rank,
        "rep": row.rep.pk,
        "rep_name": str(row.rep),
        "points": row.points,
        "activities": row.activities,
        "won_value": str(row.won_value),
    }


def leaderboard_json(board: recognition.Leaderboard) -> dict:
    return {
        "team": board.team.pk,
        "team_name": board.team.name,
        "period": board.period.kind,
        "label": board.period.label,
        "start": board.period.first_day.isoformat(),
        "end": board.period.last_day.isoformat(),
        "points": board.points,
        "hidden": board.hidden,
        "visible": board.visible,
        "rows": [_row(r) for r in board.rows],
        "badges": BadgeSerializer(board.badges, many=True).data,
    }


class SettingsSerializer(serializers.Serializer):
    leaderboard_hidden = serializers.BooleanField(required=False)
    points = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        required=False,
        help_text='{"call": 1, "meeting": 3, …}; null: back to the default.',
    )


EXAMPLE = {
    "team": 1,
    "team_name": "North",
    "period": "week",
    "label": "2026-W47",
    "start": "2026-11-16",
    "end": "2026-11-22",
    "points": {"call": 1, "meeting": 3, "visit": 5, "email": 1, "referral": 4, "note": 0},
    "hidden": False,
    "visible": True,
    "rows": [
        {
            "rank": 1,
            "rep": 7,
            "rep_name": "Ada Lovelace",
            "points": 212,
            "activities": 131,
            "won_value": "18500.00",
        }
    ],
    "badges": [],
}
PARAMS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=["week", "month"]),
    OpenApiParameter("week", OpenApiTypes.STR, description="ISO week, e.g. 2026-W47"),
    OpenApiParameter("month", OpenApiTypes.STR, description="e.g. 2026-11"),
    OpenApiParameter("team", OpenApiTypes.INT, description="Admins / several teams: which."),
]


class LeaderboardViewSet(ServiceCallMixin, viewsets.ViewSet):
    def _team(self, request):
        team = self.call_service(
            recognition.leaderboard_team,
            user=request.user,
            team_id=request.query_params.get("team"),
        )
        if team is None:
            raise Http404(_("No such team."))
        return team

    @extend_schema(
        summary="The team leaderboard for a week or a month",
        parameters=PARAMS,
        responses={200: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Week", value=EXAMPLE, response_only=True)],
    )
    def list(self, request):
        team = self._team(request)
        params = request.query_params
        period = self.call_service(
            recognition.leaderboard_period,
            team=team,
            period=params.get("period"),
            week=params.get("week"),
            month=params.get("month"),
        )
        board = recognition.leaderboard_for(user=request.user, team=team, period=period)
        return Response(leaderboard_json(board))

    @extend_schema(
        methods=["GET", "PATCH"],
        summary="The team's leaderboard settings (PATCH: its manager or an admin)",
        parameters=[PARAMS[-1]],
        request=SettingsSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get", "patch"], url_path="settings")
    def team_settings(self, request):
        team = self._team(request)
        if request.method == "PATCH":
            body = SettingsSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            current = self.call_service(
                recognition.recognition_settings_update,
                team=team,
                by=request.user,
                leaderboard_hidden=body.validated_data.get("leaderboard_hidden"),
                points=body.validated_data.get("points"),
            )
        else:
            current = recognition.recognition_settings(team=team)
        return Response(
            {
                "team": team.pk,
                "leaderboard_hidden": current.leaderboard_hidden,
                "points": current.points(),
            }
        )


class BadgeViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET /api/badges/: a rep's own badges, a manager's team's, an admin's all."""

    serializer_class = BadgeSerializer
    scoped_model = Badge

    def scoped_queryset(self, *, user):
        return recognition.badges_visible_to(user=user).order_by("-awarded_at", "-id")
