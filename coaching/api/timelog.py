"""/api/time-entries/ (issue 13): a manager's own time log, CRUD; admins read every manager's;
reps get 403. /api/time-entries/summary/?month=2026-11 (admins also &manager=ID): minutes per
category, the coaching share and the target share. Rules in coaching.timelog."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from coaching import timelog
from coaching.models import TimeEntry
from crm.api.fields import ModelSerializer
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin
from crm.filtering import FilterSet, IntegerFilter
from crm.ids import parse_id


class ManagersAndAdmins(BasePermission):
    message = gettext_lazy("Only managers (their own) and admins (everyone's) see time logs.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and timelog.may_view_time_logs(user=user))


class TimeEntrySerializer(ModelSerializer):
    minutes = serializers.IntegerField(required=False, help_text="Minutes (or give hours).")
    hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        write_only=True,
        help_text="Hours in 0.25 steps, instead of minutes.",
    )
    category = serializers.CharField(help_text="coaching|admin|selling|meetings|reporting")
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)

    class Meta:
        model = TimeEntry
        fields = ["id", "manager", "date", "minutes", "hours", "category", "note", "created_at"]
        read_only_fields = ["manager", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.partial:
            fields["category"].required = False
        return fields


class TimeEntryFilter(FilterSet):
    manager = IntegerFilter(field_name="manager_id")
    category = django_filters.CharFilter()
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = TimeEntry
        fields = ["manager", "category"]


def _minutes(data: dict, *, required: bool):
    """Minutes from `minutes` or `hours` (quarter steps); neither: an error when required."""
    if "minutes" in data and "hours" in data:
        raise DRFValidationError({"hours": [_("Give minutes or hours, not both.")]})
    if "hours" in data:
        try:
            return timelog.minutes_from_hours(data["hours"])
        except Exception as exc:
            raise DRFValidationError(getattr(exc, "message_dict", {"hours": [str(exc)]})) from exc
    if "minutes" in data:
        return data["minutes"]
    if required:
        raise DRFValidationError({"minutes": [_("Give the minutes (or hours) spent.")]})
    return None


MONTH_PARAM = OpenApiParameter("month", str, description="The month, e.g. 2026-11.")
MANAGER_PARAM = OpenApiParameter("manager", int, description="Admins: whose log (manager id).")


@extend_schema_view(
    list=extend_schema(
        summary="Time entries: a manager's own, an admin's view of all",
        description="Filters: `manager`, `category`, `date_after`, `date_before`.",
    ),
    create=extend_schema(summary="Log time (managers): date, minutes or hours, category, note"),
)
class TimeEntryViewSet(ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    scoped_model = TimeEntry
    serializer_class = TimeEntrySerializer
    filterset_class = TimeEntryFilter
    permission_classes = [ManagersAndAdmins]

    def scoped_queryset(self, *, user):
        return timelog.time_entries_visible_to(user=user).order_by("-date", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self.call_service(
            timelog.log_time,
            by=self.request.user,
            day=data.get("date"),
            minutes=_minutes(data, required=True),
            category=data.get("category"),
            note=data.get("note", ""),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        changes = {
            key: data[name]
            for key, name in (("day", "date"), ("category", "category"), ("note", "note"))
            if name in data
        }
        minutes = _minutes(data, required=False)
        if minutes is not None:
            changes["minutes"] = minutes
        serializer.instance = self.call_service(
            timelog.update_time_entry, by=self.request.user, entry=serializer.instance, **changes
        )

    def perform_destroy(self, instance):
        self.call_service(timelog.delete_time_entry, by=self.request.user, entry=instance)

    @extend_schema(
        summary="The month's minutes per category and the coaching share against the target",
        parameters=[MONTH_PARAM, MANAGER_PARAM],
        responses={200: dict},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request):
        try:
            month = timelog.parse_month(request.query_params.get("month") or "")
        except Exception as exc:
            raise DRFValidationError(exc.message_dict) from exc
        manager = request.user
        if raw := request.query_params.get("manager"):
            manager_id = parse_id(raw)
            manager = (
                timelog.time_log_managers_for(user=request.user).filter(pk=manager_id).first()
                if manager_id is not None
                else None
            )
            if manager is None:
                raise NotFound(_("No such manager."))
        elif not request.user.is_manager:
            raise DRFValidationError({"manager": [_("Give the manager whose log to sum up.")]})
        return Response(timelog.month_summary(manager=manager, month=month).as_dict())
