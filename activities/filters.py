"""Filtersets of the activity domain, each serving its browser list and its API list."""

import django_filters
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import users_visible_to
from activities.choices import ActivityKind, CallReportStatus
from activities.models import Activity, Task, WeeklyCallReport
from activities.weeks import parse_week, user_tz
from crm.filtering import BooleanFilter, FilterSet
from crm.models import Customer, Deal

# --- Tasks (issue 4: engineer B) ---------------------------------------------------------


def _task_people(request):
    """Assignee choices follow the caller's scope; without a request (schema) nobody."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return User.objects.none()
    return users_visible_to(user=user)


def _task_customers(request):
    from crm.selectors import customers_visible_to

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Customer.objects.none()
    return customers_visible_to(user=user)


def _task_deals(request):
    from crm.selectors import deals_visible_to

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Deal.objects.none()
    return deals_visible_to(user=user)


class TaskFilter(FilterSet):
    """Filters of the task list page and /api/tasks/. Expects tasks_for_list (it filters on
    the `is_overdue` annotation)."""

    search = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Search")
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=_task_people, label=_("Assignee"), empty_label=_("Anyone")
    )
    customer = django_filters.ModelChoiceFilter(queryset=_task_customers, label=_("Customer"))
    deal = django_filters.ModelChoiceFilter(queryset=_task_deals, label=_("Deal"))
    # Translators: a task filter: done or open.
    done = BooleanFilter(label=_("Done"))
    overdue = BooleanFilter(field_name="is_overdue", label=_("Overdue"))
    due_after = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("Due from")
    )
    due_before = django_filters.DateFilter(
        field_name="due_date", lookup_expr="lte", label=_("Due until")
    )
    due_date = django_filters.DateFilter(label=_("Due date"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("due_date", "due_date"),
            ("title", "title"),
            ("assignee__last_name", "assignee"),
            ("done", "done"),
            ("created_at", "created_at"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Task
        fields = ["assignee", "customer", "deal", "done", "due_date"]

    @property
    def qs(self):
        # Open first, then by due date; always ending in id so pages never repeat rows.
        qs = super().qs
        if not (self.is_bound and self.is_valid() and self.form.cleaned_data.get("ordering")):
            qs = qs.order_by("done", "due_date", "id")
        else:
            qs = qs.order_by(*qs.query.order_by, "id")
        return qs


# --- Call reports and the team feed (issue 4: engineer C) --------------------------------


def _reps_for_request(request):
    """Rep choices follow the caller's scope (a manager: their team; an admin: everyone)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return User.objects.none()
    return users_visible_to(user=user).order_by("first_name", "last_name", "username")


class CallReportFilter(FilterSet):
    """Filters of /api/call-reports/: ?rep=7&week=2026-W47&status=submitted. A malformed
    week is a 400 with a specific message, not an empty list."""

    # Translators: a sales rep (representative).
    rep = django_filters.ModelChoiceFilter(queryset=_reps_for_request, label=_("Rep"))
    week = django_filters.CharFilter(label=_("ISO week"), validators=[parse_week])
    status = django_filters.ChoiceFilter(choices=CallReportStatus.choices, label=_("Status"))

    class Meta:
        model = WeeklyCallReport
        fields = ["rep", "week", "status"]

    @property
    def qs(self):
        return super().qs.order_by("-week", "rep_id", "id")


class ActivityFeedFilter(FilterSet):
    """Filters of the manager's team feed: a rep in scope, a kind, and a date range read as
    whole days in the manager's time zone. Expects activities already scoped."""

    rep = django_filters.ModelChoiceFilter(
        field_name="owner",
        queryset=_reps_for_request,
        label=_("Rep"),
        empty_label=_("Everyone"),
    )
    kind = django_filters.ChoiceFilter(
        choices=ActivityKind.choices, label=_("Kind"), empty_label=_("Any kind")
    )
    # Translators: the first day of a date range filter.
    date_from = django_filters.DateFilter(
        method="filter_date_from", label=pgettext_lazy("start of a date range", "From")
    )
    # Translators: the last day of a date range filter.
    date_to = django_filters.DateFilter(
        method="filter_date_to", label=pgettext_lazy("end of a date range", "To")
    )

    class Meta:
        model = Activity
        fields = ["rep", "kind"]

    def _day_start(self, day):
        from datetime import datetime, time

        tz = user_tz(getattr(self.request, "user", None))
        return datetime.combine(day, time.min, tzinfo=tz)

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=self._day_start(value))

    def filter_date_to(self, queryset, name, value):
        from datetime import timedelta

        return queryset.filter(occurred_at__lt=self._day_start(value + timedelta(days=1)))

    def is_valid(self):
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.form.add_error("date_to", gettext("The end date is before the start date."))
            return False
        return valid

    @property
    def qs(self):
        return super().qs.order_by("-occurred_at", "-id")


# --- Activity logging: /api/activities/ (issue 4: engineer A) -----------------------------


class ActivityFilter(FilterSet):
    """Filters of /api/activities/ by field name: ?owner=7&customer=3&deal=9&kind=call
    &week=2026-W47&occurred_after=…&occurred_before=… (ISO 8601), ?is_late=true,
    ?search= (notes), ?ordering=-occurred_at|duration_minutes|kind|created_at. Owner,
    customer and deal choices follow the caller's scope; a malformed value is a 400."""

    owner = django_filters.ModelChoiceFilter(queryset=_task_people, label=_("Owner"))
    customer = django_filters.ModelChoiceFilter(queryset=_task_customers, label=_("Customer"))
    deal = django_filters.ModelChoiceFilter(queryset=_task_deals, label=_("Deal"))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    week = django_filters.CharFilter(label=_("ISO week"), validators=[parse_week])
    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label=_("Occurred at or after")
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label=_("Occurred before")
    )
    is_late = BooleanFilter(label=_("Is late"))
    is_prospecting = BooleanFilter(label=_("Is prospecting"))
    search = django_filters.CharFilter(
        field_name="notes", lookup_expr="icontains", label=_("Notes contains")
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("occurred_at", "occurred_at"),
            ("duration_minutes", "duration_minutes"),
            ("kind", "kind"),
            ("created_at", "created_at"),
        ),
        label=_("Ordering"),
    )

    class Meta:
        model = Activity
        fields = ["owner", "customer", "deal", "kind", "week", "is_late", "is_prospecting"]

    def is_valid(self):
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        start, end = data.get("occurred_after"), data.get("occurred_before")
        if start and end and start >= end:
            self.form.add_error("occurred_before", gettext("The end is not after the start."))
            return False
        return valid

    @property
    def qs(self):
        # Newest first by default; always ending in id so pages never repeat rows.
        qs = super().qs
        if not (self.is_bound and self.is_valid() and self.form.cleaned_data.get("ordering")):
            return qs.order_by("-occurred_at", "-id")
        return qs.order_by(*qs.query.order_by, "-id")
