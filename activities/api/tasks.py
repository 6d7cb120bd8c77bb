"""/api/tasks/: scoped by tasks_visible_to (the assignee's scope, like customers by owner),
filtered by TaskFilter, written through the task services.

Assignee, customer and deal choices are scoped to the caller: an id outside the caller's
scope reads exactly like one that does not exist, and reveals nothing."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import assignable_owners_for
from activities import services
from activities.filters import TaskFilter
from activities.models import Task
from activities.selectors import tasks_for_list
from crm.api.customers import ScopedCustomerField
from crm.api.fields import ModelSerializer, ScopedRelatedField
from crm.api.viewsets import CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin
from crm.models import Deal


class TaskAssigneeField(ScopedRelatedField):
    """Assignee choices: whom the caller may assign to, plus the task's current assignee."""

    model = User

    def scope(self, user):
        people = assignable_owners_for(user=user)
        instance = getattr(self.parent, "instance", None)
        if isinstance(instance, Task):
            people = people | User.objects.filter(pk=instance.assignee_id)
        return people.distinct()


class ScopedDealField(ScopedRelatedField):
    """Deal choices: the caller's visible deals only."""

    model = Deal

    def scope(self, user):
        from crm.selectors import deals_visible_to

        return deals_visible_to(user=user)


class TaskSerializer(ModelSerializer):
    assignee = TaskAssigneeField(
        required=False, help_text="User id; defaults to the caller. A rep does their own."
    )
    customer = ScopedCustomerField(
        required=False, allow_null=True, help_text="Customer id (one of the caller's)."
    )
    deal = ScopedDealField(
        required=False, allow_null=True, help_text="Deal id; its customer is linked too."
    )
    due_date = serializers.DateField(
        required=True, error_messages={"required": _("Give the task a due date.")}
    )
    is_overdue = serializers.BooleanField(
        read_only=True, default=False, help_text="Open and due before today."
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "customer",
            "deal",
            "assignee",
            "due_date",
            "done",
            "done_at",
            "notes",
            "is_overdue",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["done_at", "created_by", "created_at"]


TASK_EXAMPLE = {
    "id": 12,
    "title": "Send the revised quote",
    "customer": 7,
    "deal": 42,
    "assignee": 3,
    "due_date": "2026-11-27",
    "done": False,
    "done_at": None,
    "notes": "",
    "is_overdue": False,
    "created_by": 3,
    "created_at": "2026-11-23T09:30:00+01:00",
}


@extend_schema_view(
    list=extend_schema(
        summary="List tasks in the caller's scope",
        description=(
            "Filters by field name (`assignee`, `customer`, `deal`, `done`, `due_date`), "
            "`overdue=true`, ranges (`due_after`, `due_before`), `search` (title) and "
            "`ordering` (`due_date`, `title`, `assignee`, `done`, `created_at`; `-` for "
            "descending)."
        ),
        examples=[
            OpenApiExample(
                "A page of tasks",
                value={"count": 1, "next": None, "previous": None, "results": [TASK_EXAMPLE]},
                response_only=True,
            )
        ],
    ),
    retrieve=extend_schema(summary="One task (404 outside the caller's scope)"),
    create=extend_schema(
        summary="Create a task",
        examples=[
            OpenApiExample(
                "New follow-up",
                value={"title": "Send the revised quote", "customer": 7, "due_date": "2026-11-27"},
                request_only=True,
            ),
            OpenApiExample(
                "Without a due date",
                value={"due_date": ["Give the task a due date."]},
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample("Created", value=TASK_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
    partial_update=extend_schema(summary="Change a task (`done: true` completes it)"),
    update=extend_schema(summary="Replace a task's editable fields"),
    complete=extend_schema(summary="Mark a task done", request=None),
    reopen=extend_schema(summary="Reopen a done task", request=None),
)
class TaskViewSet(CustomerDataMixin, ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    scoped_model = Task

    def scoped_queryset(self, *, user):
        return tasks_for_list(user=user)

    def _fresh(self, task: Task) -> Task:
        """Re-read through the scoped list so the response carries `is_overdue`."""
        return tasks_for_list(user=self.request.user).get(pk=task.pk)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("done", None)
        task = self.call_service(services.task_create, by=self.request.user, **data)
        if serializer.validated_data.get("done"):
            task = self.call_service(services.task_complete, task=task, by=self.request.user)
        serializer.instance = self._fresh(task)

    def perform_update(self, serializer):
        task = self.call_service(
            services.task_update,
            task=serializer.instance,
            by=self.request.user,
            **serializer.validated_data,
        )
        serializer.instance = self._fresh(task)

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.call_service(services.task_complete, task=self.get_object(), by=request.user)
        return Response(self.get_serializer(self._fresh(task)).data)

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        task = self.call_service(services.task_reopen, task=self.get_object(), by=request.user)
        return Response(self.get_serializer(self._fresh(task)).data)
