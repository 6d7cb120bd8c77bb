"""The onboarding ramp's API (issue 13): /api/ramp-schedules/ (a team's schedule and checklist
template, by team id), /api/ramps/ (ramping reps with week, percent, checklist progress and
buddy; PATCH a rep's buddy) and /api/ramp-checklist/ (a rep's checklist items; check them
off). Scoped like everything else: a rep sees their own, a manager their team's, an admin
all; outside the scope 404, a role that may not act 403. The rules are in coaching.ramp."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import users_visible_to
from activities.selectors import current_week
from activities.weeks import requested_week
from coaching import ramp as ramps
from coaching.models import RampChecklistItem
from crm.api.fields import ModelSerializer, ScopedRelatedField
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin
from crm.filtering import FilterSet, IntegerFilter
from crm.ids import parse_id

TEAM_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The team's id.")
REP_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The rep's id.")

# --- Schedules ---------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    until_week = serializers.IntegerField()
    percent = serializers.IntegerField()


class TeamRampSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team.pk", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    checklist = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_default = serializers.BooleanField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class TeamRampWriteSerializer(serializers.Serializer):
    steps = serializers.JSONField(
        required=False,
        help_text='[{"until_week": 3, "percent": 40}, …]; weeks and percents rising.',
    )
    checklist = serializers.JSONField(required=False, help_text="The checklist titles.")


@extend_schema_view(
    list=extend_schema(summary="Ramp schedules of the caller's teams (the default if unset)"),
    retrieve=extend_schema(
        summary="A team's ramp schedule and checklist template (by team id)",
        parameters=[TEAM_ID],
    ),
    update=extend_schema(
        summary="Set a team's ramp (its manager or an admin)",
        parameters=[TEAM_ID],
        request=TeamRampWriteSerializer,
        responses=TeamRampSerializer,
    ),
    partial_update=extend_schema(
        summary="Change a team's steps or checklist template",
        parameters=[TEAM_ID],
        request=TeamRampWriteSerializer,
        responses=TeamRampSerializer,
    ),
)
class TeamRampViewSet(ServiceCallMixin, viewsets.ViewSet):
    serializer_class = TeamRampSerializer

    def _team(self, pk):
        team_id = parse_id(pk)
        team = (
            ramps.ramp_teams_visible_to(user=self.request.user).filter(pk=team_id).first()
            if team_id is not None
            else None
        )
        if team is None:
            raise NotFound(_("No such team."))
        return team

    def list(self, request):
        data = TeamRampSerializer(ramps.team_ramps_for(user=request.user), many=True).data
        return Response({"count": len(data), "next": None, "previous": None, "results": data})

    def retrieve(self, request, pk=None):
        team = self._team(pk)
        return Response(TeamRampSerializer(ramps.team_ramp_for(team=team)).data)

    def update(self, request, pk=None):
        team = self._team(pk)
        payload = TeamRampWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        self.call_service(ramps.set_team_ramp, by=request.user, team=team, **payload.validated_data)
        return Response(TeamRampSerializer(ramps.team_ramp_for(team=team)).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk)


# --- Ramping reps and their buddy ---------------------------------------------------------


class RampRowSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep.pk")
    rep_name = serializers.CharField(source="rep.__str__")
    team = serializers.IntegerField(source="rep.team_id", allow_null=True)
    start_date = serializers.DateField(source="rep.start_date", allow_null=True)
    ramping = serializers.SerializerMethodField()
    ramp_week = serializers.IntegerField(source="status.week", allow_null=True, default=None)
    percent = serializers.SerializerMethodField()
    label = serializers.SerializerMethodField()
    checklist_done = serializers.IntegerField(source="items_done")
    checklist_total = serializers.IntegerField(source="items_total")
    buddy = serializers.IntegerField(source="buddy.pk", allow_null=True, default=None)
    buddy_name = serializers.SerializerMethodField()

    def get_ramping(self, row) -> bool:
        return row.status is not None

    def get_percent(self, row) -> int:
        return row.status.percent if row.status else 100

    def get_label(self, row) -> str:
        return row.status.label if row.status else ""

    def get_buddy_name(self, row) -> str:
        return str(row.buddy) if row.buddy else ""


class BuddySerializer(serializers.Serializer):
    buddy = serializers.IntegerField(allow_null=True, help_text="A rep id, or null for none.")


WEEK_PARAM = OpenApiParameter("week", str, description="ISO week (default: this week).")


@extend_schema_view(
    list=extend_schema(
        summary="The caller's ramping reps (this week or ?week=; ?team=)",
        parameters=[WEEK_PARAM, OpenApiParameter("team", int)],
    ),
    retrieve=extend_schema(summary="A rep's ramp (by rep id)", parameters=[REP_ID, WEEK_PARAM]),
    partial_update=extend_schema(
        summary="Give a rep a buddy (their manager or an admin)",
        parameters=[REP_ID],
        request=BuddySerializer,
        responses=RampRowSerializer,
    ),
    update=extend_schema(
        summary="Give a rep a buddy (same as PATCH)",
        parameters=[REP_ID],
        request=BuddySerializer,
        responses=RampRowSerializer,
    ),
)
class RampViewSet(ServiceCallMixin, viewsets.ViewSet):
    serializer_class = RampRowSerializer

    def _week(self) -> str:
        week, problem = requested_week(
            self.request.query_params.get("week"), default=current_week(user=self.request.user)
        )
        if problem:
            raise DRFValidationError({"week": [problem]})
        return week

    def _rep(self, pk) -> User:
        rep_id = parse_id(pk)
        rep = (
            ramps.ramp_reps_visible_to(user=self.request.user)
            .filter(pk=rep_id)
            .select_related("team")
            .first()
            if rep_id is not None
            else None
        )
        if rep is None:
            raise NotFound(_("No such rep."))
        return rep

    def list(self, request):
        team_id = None
        if raw := request.query_params.get("team"):
            team_id = parse_id(raw)
            if team_id is None:
                raise DRFValidationError({"team": [_("Give the team as a whole-number id.")]})
        rows = ramps.ramping_reps(user=request.user, week=self._week(), team_id=team_id)
        data = RampRowSerializer(rows, many=True).data
        return Response({"count": len(data), "next": None, "previous": None, "results": data})

    def retrieve(self, request, pk=None):
        rep = self._rep(pk)
        return Response(RampRowSerializer(ramps.ramp_row_for(rep=rep, week=self._week())).data)

    def partial_update(self, request, pk=None):
        rep = self._rep(pk)
        if not ramps.can_manage_ramp_of(user=request.user, team=rep.team):
            raise PermissionDenied(_("Only the team's manager or an admin chooses a buddy."))
        payload = BuddySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        buddy_id = payload.validated_data["buddy"]
        buddy = None
        if buddy_id is not None:
            # Only people the caller sees: an id outside the scope reads like one that does
            # not exist, and neither says who it is.
            buddy = users_visible_to(user=request.user).filter(pk=buddy_id).first()
            if buddy is None:
                raise DRFValidationError({"buddy": [ramps.choose_buddy_message(rep)]})
        self.call_service(ramps.set_buddy, by=request.user, rep=rep, buddy=buddy)
        return Response(RampRowSerializer(ramps.ramp_row_for(rep=rep, week=self._week())).data)

    def update(self, request, pk=None):
        return self.partial_update(request, pk=pk)


# --- Checklist ---------------------------------------------------------------------------


class RampRepField(ScopedRelatedField):
    model = User

    def scope(self, user):
        return ramps.ramp_reps_visible_to(user=user)


class ChecklistItemSerializer(ModelSerializer):
    rep = RampRepField(help_text="Rep id (one of the caller's reps).")
    done = serializers.BooleanField(required=False, help_text="Check the item off (or back on).")
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    class Meta:
        model = RampChecklistItem
        fields = ["id", "rep", "title", "position", "done", "done_at", "done_by", "created_at"]
        read_only_fields = ["position", "done_at", "done_by", "created_at"]
        validators = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["rep"].read_only = True
            fields["title"].read_only = True
        return fields


class ChecklistFilter(FilterSet):
    rep = IntegerFilter(field_name="rep_id")

    class Meta:
        model = RampChecklistItem
        fields = ["rep"]


class StartChecklistSerializer(serializers.Serializer):
    rep = RampRepField(help_text="Rep id.", pk_field=serializers.IntegerField())


@extend_schema_view(
    list=extend_schema(summary="Checklist items in the caller's scope (?rep=)"),
    create=extend_schema(summary="Add an item to a rep's checklist (their manager or an admin)"),
    partial_update=extend_schema(summary="Check an item off: {done: true} (rep or manager)"),
    destroy=extend_schema(summary="Remove an item (the rep's manager or an admin)"),
)
class RampChecklistViewSet(
    ScopedQuerysetMixin,
    ServiceCallMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    scoped_model = RampChecklistItem
    serializer_class = ChecklistItemSerializer
    filterset_class = ChecklistFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scoped_queryset(self, *, user):
        return ramps.checklist_visible_to(user=user).select_related("rep__team", "done_by")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self.call_service(
            ramps.add_checklist_item,
            by=self.request.user,
            rep=data["rep"],
            title=data.get("title", ""),
        )

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        if "done" not in request.data:
            # Translators: done is a field name, true and false its values; keep them.
            raise DRFValidationError({"done": [_("Give done: true or false.")]})
        payload = ChecklistItemSerializer(item, data={"done": request.data["done"]}, partial=True)
        payload.is_valid(raise_exception=True)
        item = self.call_service(
            ramps.check_item, by=request.user, item=item, done=payload.validated_data["done"]
        )
        return Response(ChecklistItemSerializer(item).data)

    def perform_destroy(self, instance):
        self.call_service(ramps.delete_checklist_item, by=self.request.user, item=instance)

    @extend_schema(
        summary="Start a rep's checklist from their team's template (safe to repeat)",
        request=StartChecklistSerializer,
        responses=ChecklistItemSerializer(many=True),
    )
    @action(detail=False, methods=["post"])
    def start(self, request):
        payload = StartChecklistSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        items = self.call_service(
            ramps.start_checklist, by=request.user, rep=payload.validated_data["rep"]
        )
        return Response(
            ChecklistItemSerializer(items, many=True).data, status=status.HTTP_201_CREATED
        )
