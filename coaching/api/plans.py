"""/api/plan-templates/, /api/plans/ (+ check-ins, end, progress) and /api/plan-change-requests/
(+ decide): action plans (issue 13), scoped by coaching.plan_selectors and written through
coaching.plan_services. An object outside the caller's scope is a 404; a role that may not
act a 403 (reps on templates and change requests, anyone but the rep's manager or an admin
on a plan's writes); bad input a 400 with field errors, nothing changed."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.models import User
from coaching import plan_selectors as sel
from coaching import plan_services as svc
from coaching.models import ActionPlan, PlanChangeRequest, PlanMeasure, PlanStep, PlanTemplate
from coaching.models.plans import ChangeStatus, PlanKind, PlanStatus
from crm.api.fields import ScopedRelatedField
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin
from crm.filtering import BooleanFilter, FilterSet, IntegerFilter


class NotReps(BasePermission):
    """Templates and change requests are for managers and admins: a rep gets 403."""

    message = gettext_lazy("Plan templates and change requests are for managers and admins.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and not request.user.is_rep)


def _steps(steps) -> list[dict]:
    return [
        {"id": s.pk, "title": s.title, "owner": s.owner, "due_in_days": s.due_in_days}
        for s in steps
    ]


def _measures(measures) -> list[dict]:
    return [
        {
            "id": m.pk,
            "metric": m.metric,
            "comparison": m.comparison,
            "threshold": str(m.threshold),
            "weeks": m.weeks,
        }
        for m in measures
    ]


# --- Templates ----------------------------------------------------------------------------


class PlanTemplateSerializer(serializers.ModelSerializer):
    steps = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        write_only=True,
        help_text="[{title, owner: rep|manager, due_in_days}]; replaces a draft's steps.",
    )
    measures = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        write_only=True,
        help_text="[{metric, comparison: gte|lte, threshold, weeks}], e.g. calls gte 80 for 4.",
    )
    kind = serializers.CharField(help_text=f"One of {', '.join(PlanKind.values)}.")
    is_approved = serializers.BooleanField(read_only=True)

    class Meta:
        model = PlanTemplate
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "steps",
            "measures",
            "is_approved",
            "approved_by",
            "approved_at",
            "retired",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["approved_by", "approved_at", "retired", "created_by", "created_at"]
        extra_kwargs = {"name": {"required": False}, "description": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["steps"] = _steps(instance.steps.all())
        data["measures"] = _measures(instance.measures.all())
        return data

    def validate_kind(self, value):  # the service says which kinds exist
        return value


class TemplateFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)
    retired = BooleanFilter()
    approved = BooleanFilter(field_name="approved_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = PlanTemplate
        fields = ["kind", "retired", "approved"]


TEMPLATE_EXAMPLE = {
    "name": "Calls ramp",
    "kind": "activity_ramp",
    "description": "Four weeks back to the call goal.",
    "steps": [
        {"title": "Shadow two calls", "owner": "rep", "due_in_days": 7},
        {"title": "Joint visit", "owner": "manager", "due_in_days": 14},
    ],
    "measures": [{"metric": "calls", "comparison": "gte", "threshold": "80", "weeks": 4}],
}


@extend_schema_view(
    list=extend_schema(summary="Plan templates (admins: all; managers: approved ones)"),
    create=extend_schema(
        summary="Create a draft template with its steps and measures (admins)",
        examples=[OpenApiExample("Calls ramp", value=TEMPLATE_EXAMPLE, request_only=True)],
    ),
    partial_update=extend_schema(summary="Change a draft template (admins)"),
    update=extend_schema(summary="Replace a draft template (admins)"),
    approve=extend_schema(summary="Approve a template once (admins)", request=None),
    retire=extend_schema(summary="Retire a template: no new plans from it (admins)", request=None),
)
class PlanTemplateViewSet(ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = PlanTemplateSerializer
    permission_classes = [NotReps]
    filterset_class = TemplateFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    scoped_model = PlanTemplate

    def scoped_queryset(self, *, user):
        return sel.with_parts(sel.templates_visible_to(user=user))

    def _fresh(self, template):
        return self.scoped_queryset(user=self.request.user).get(pk=template.pk)

    def perform_create(self, serializer):
        data = serializer.validated_data
        template = self.call_service(
            svc.template_create,
            by=self.request.user,
            name=data.get("name", ""),
            kind=data.get("kind", ""),
            description=data.get("description", ""),
            steps=data.get("steps"),
            measures=data.get("measures"),
        )
        serializer.instance = self._fresh(template)

    def perform_update(self, serializer):
        template = self.call_service(
            svc.template_update,
            by=self.request.user,
            template=serializer.instance,
            **serializer.validated_data,
        )
        serializer.instance = self._fresh(template)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        template = self.call_service(
            svc.template_approve, by=request.user, template=self.get_object()
        )
        return Response(self.get_serializer(self._fresh(template)).data)

    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        template = self.call_service(
            svc.template_retire, by=request.user, template=self.get_object()
        )
        return Response(self.get_serializer(self._fresh(template)).data)


# --- Plans ----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class PlannableRepField(ScopedRelatedField):
    """Rep choices: the active reps of the caller's team (admins: every rep)."""

    model = User

    def scope(self, user):
        return sel.plannable_reps_for(user=user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleTemplateField(ScopedRelatedField):
    """Template choices: the ones the caller sees (managers: approved only)."""

    model = PlanTemplate

    def scope(self, user):
        return sel.templates_visible_to(user=user)


class PlanSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    steps = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "rep",
            "rep_name",
            "template",
            "name",
            "kind",
            "status",
            "started_on",
            "start_week",
            "started_by",
            "steps",
            "measures",
            "ended_at",
            "ended_by",
            "end_week",
            "end_note",
            "created_at",
        ]
        read_only_fields = fields

    def get_steps(self, plan) -> list[dict]:
        return [
            {
                "id": s.pk,
                "title": s.title,
                "owner": s.owner,
                "due_in_days": s.due_in_days,
                "from_template": s.from_template,
                "task": s.task_id,
                "assignee": s.task.assignee_id if s.task else None,
                "due_date": s.task.due_date.isoformat() if s.task else None,
                "done": bool(s.task and s.task.done),
            }
            for s in plan.steps.all()
        ]

    def get_measures(self, plan) -> list[dict]:
        return _measures(plan.measures.all())


class PlanCreateSerializer(serializers.Serializer):
    rep = PlannableRepField(help_text="One of your team's reps.")
    template = VisibleTemplateField(help_text="An approved plan template.")
    started_on = serializers.DateField(required=False, help_text="Defaults to today.")


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    week = serializers.CharField(help_text="ISO week of the plan, e.g. 2026-W47.")
    note = serializers.CharField(allow_blank=True, trim_whitespace=False)
    figures = serializers.DictField(read_only=True, help_text="Frozen {metric: value}.")
    author = serializers.IntegerField(source="author_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class EndSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="met | not_met | cancelled")
    note = serializers.CharField(allow_blank=True)


class PlanFilter(FilterSet):
    rep = IntegerFilter(field_name="rep_id")
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)
    kind = django_filters.ChoiceFilter(choices=PlanKind.choices)

    class Meta:
        model = ActionPlan
        fields = ["rep", "status", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Action plans (rep: own; manager: team's; admin: all)"),
    retrieve=extend_schema(summary="One plan with its steps (as tasks) and measures"),
    create=extend_schema(
        summary="Start a plan from an approved template (the rep's manager or an admin)",
        request=PlanCreateSerializer,
        examples=[OpenApiExample("Start", value={"rep": 7, "template": 3}, request_only=True)],
    ),
    progress=extend_schema(summary="The measures with live figures per week", request=None),
    check_ins=extend_schema(
        summary="The plan's weekly check-ins; POST {week, note} writes one (figures frozen)",
        request=CheckInSerializer,
    ),
    end=extend_schema(summary="End the plan as met, not_met or cancelled", request=EndSerializer),
)
class PlanViewSet(
    ScopedQuerysetMixin,
    ServiceCallMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    scoped_model = ActionPlan

    def scoped_queryset(self, *, user):
        return sel.plan_with_parts(sel.plans_visible_to(user=user)).order_by("-started_on", "-id")

    def _fresh(self, plan):
        return self.scoped_queryset(user=self.request.user).get(pk=plan.pk)

    def create(self, request, *args, **kwargs):
        if request.user.is_rep:
            raise PermissionDenied(_("Only managers and admins start action plans."))
        incoming = PlanCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        plan = self.call_service(svc.plan_start, by=request.user, **incoming.validated_data)
        data = PlanSerializer(self._fresh(plan), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        plan = self.get_object()
        items = sel.measure_progress(plan=plan)
        return Response(
            {
                "all_met": sel.measures_met(items),
                "measures": [
                    {
                        "id": item.measure.pk,
                        "label": item.label,
                        "met": item.met,
                        "best_run": item.best_run,
                        "weeks": [
                            {
                                "week": w.week,
                                "value": None if w.value is None else str(w.value),
                                "met": w.met,
                            }
                            for w in item.weeks
                        ],
                    }
                    for item in items
                ],
            }
        )

    @action(detail=True, methods=["get", "post"], url_path="check-ins")
    def check_ins(self, request, pk=None):
        plan = self.get_object()
        if request.method == "GET":
            return Response(CheckInSerializer(plan.check_ins.all(), many=True).data)
        incoming = CheckInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        check_in = self.call_service(
            svc.check_in_write, by=request.user, plan=plan, **incoming.validated_data
        )
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        plan = self.get_object()
        incoming = EndSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        plan = self.call_service(
            svc.plan_end, by=request.user, plan=plan, **incoming.validated_data
        )
        return Response(self.get_serializer(self._fresh(plan)).data)


# --- Change requests ---------------------------------------------------------------------------


class ManagedPlanField(ScopedRelatedField):
    model = ActionPlan

    def scope(self, user):
        return sel.plans_visible_to(user=user)


class PlanStepField(ScopedRelatedField):
    model = PlanStep

    def scope(self, user):
        return PlanStep.objects.filter(plan__in=sel.plans_visible_to(user=user).values("pk"))


class PlanMeasureField(ScopedRelatedField):
    model = PlanMeasure

    def scope(self, user):
        return PlanMeasure.objects.filter(plan__in=sel.plans_visible_to(user=user).values("pk"))


CHANGE_FIELDS = ("title", "owner", "due_in_days", "threshold", "weeks")


class ChangeRequestSerializer(serializers.ModelSerializer):
    plan = ManagedPlanField(help_text="A running plan of your team.")
    kind = serializers.CharField(help_text="add_step | remove_step | change_measure")
    step = PlanStepField(required=False, allow_null=True, help_text="remove_step: the step.")
    measure = PlanMeasureField(
        required=False, allow_null=True, help_text="change_measure: the measure."
    )
    title = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.CharField(required=False, allow_blank=True)
    due_in_days = serializers.CharField(required=False, allow_blank=True)
    threshold = serializers.CharField(required=False, allow_blank=True)
    weeks = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = PlanChangeRequest
        fields = [
            "id",
            "plan",
            "kind",
            "step",
            "measure",
            "title",
            "owner",
            "due_in_days",
            "threshold",
            "weeks",
            "reason",
            "summary",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "comment",
        ]
        read_only_fields = [
            "summary",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "comment",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["due_in_days"] = instance.due_in_days
        data["weeks"] = instance.weeks
        data["threshold"] = None if instance.threshold is None else str(instance.threshold)
        return data


class DecideSerializer(serializers.Serializer):
    decision = serializers.CharField(help_text="approve | reject")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ChangeRequestFilter(FilterSet):
    plan = IntegerFilter(field_name="plan_id")
    status = django_filters.ChoiceFilter(choices=ChangeStatus.choices)

    class Meta:
        model = PlanChangeRequest
        fields = ["plan", "status"]


@extend_schema_view(
    list=extend_schema(summary="Plan change requests (admins: all; managers: their team's)"),
    create=extend_schema(
        summary="Ask for a change beyond the template (the rep's manager)",
        examples=[
            OpenApiExample(
                "Lower a threshold",
                value={"plan": 5, "kind": "change_measure", "measure": 9, "threshold": "60"},
                request_only=True,
            )
        ],
    ),
    decide=extend_schema(
        summary="Approve or reject with a comment (admins); an approved change applies",
        request=DecideSerializer,
    ),
)
class PlanChangeRequestViewSet(
    ScopedQuerysetMixin,
    ServiceCallMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ChangeRequestSerializer
    permission_classes = [NotReps]
    filterset_class = ChangeRequestFilter
    scoped_model = PlanChangeRequest

    def scoped_queryset(self, *, user):
        return sel.change_requests_visible_to(user=user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        fields = {name: data.pop(name) for name in CHANGE_FIELDS if name in data}
        change = self.call_service(
            svc.change_request_create,
            by=self.request.user,
            plan=data["plan"],
            kind=data["kind"],
            step=data.get("step"),
            measure=data.get("measure"),
            reason=data.get("reason", ""),
            **fields,
        )
        serializer.instance = change

    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        change = self.get_object()
        incoming = DecideSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        change = self.call_service(
            svc.change_request_decide, by=request.user, change=change, **incoming.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)
