"""What reps do all week: activities, follow-up tasks, the weekly plan and the call report."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.choices import ActivityKind, ActivityOutcome, CallReportStatus


class Activity(models.Model):
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    customer = models.ForeignKey(
        "crm.Customer", on_delete=models.CASCADE, related_name="activities"
    )
    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    deal = models.ForeignKey(
        "crm.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities"
    )
    occurred_at = models.DateTimeField()
    week = models.CharField(max_length=8, help_text=_("ISO week in the owner's team time zone."))
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ActivityOutcome.choices, blank=True)
    notes = models.TextField(blank=True)
    is_prospecting = models.BooleanField(default=False)
    is_late = models.BooleanField(
        default=False, help_text=_("Logged after the week's call report was submitted.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["owner", "week", "kind"]),
            models.Index(fields=["customer", "occurred_at"]),
            models.Index(fields=["owner", "occurred_at"]),
            models.Index(fields=["deal", "occurred_at"]),
            models.Index(fields=["week", "kind"]),
            # the dashboard's key customers not visited enough: visits per customer in a
            # year, counted from the index alone
            models.Index(
                fields=["customer", "occurred_at"],
                name="activities_visit_customer_idx",
                condition=models.Q(kind="visit"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id} · {self.occurred_at:%Y-%m-%d}"


class Task(models.Model):
    title = models.CharField(max_length=200)
    customer = models.ForeignKey(
        "crm.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    deal = models.ForeignKey(
        "crm.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="next_steps"
    )
    due_date = models.DateField()
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "due_date", "id"]
        indexes = [
            models.Index(fields=["assignee", "done", "due_date"]),
            models.Index(fields=["customer", "done"]),
        ]

    def __str__(self) -> str:
        return self.title


class WeeklyPlan(models.Model):
    """The rep's plan for one ISO week: how many of each activity, and whom to contact."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_plans"
    )
    week = models.CharField(max_length=8)
    planned_calls = models.PositiveIntegerField(default=0)
    planned_meetings = models.PositiveIntegerField(default=0)
    planned_visits = models.PositiveIntegerField(default=0)
    planned_prospects = models.PositiveIntegerField(default=0)
    customers = models.ManyToManyField("crm.Customer", blank=True, related_name="+")
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "week"], name="uniq_weekly_plan_rep_week")
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.week}"


class WeeklyCallReport(models.Model):
    """Figures computed from the week's activities, commented and submitted by the rep,
    reviewed by the manager. Submitted figures are frozen; late activities are flagged."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_reports"
    )
    week = models.CharField(max_length=8)
    status = models.CharField(
        max_length=10, choices=CallReportStatus.choices, default=CallReportStatus.DRAFT
    )
    comments = models.TextField(blank=True)
    calls = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    emails = models.PositiveIntegerField(default=0)
    referrals = models.PositiveIntegerField(default=0)
    prospecting = models.PositiveIntegerField(default=0)
    new_prospects = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week", "rep_id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "week"], name="uniq_call_report_rep_week")
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.week} ({self.status})"
