"""Action plans, pre-approved (issue 13): templates an admin approves once, plans a manager
starts from them for one rep, their steps (each an activities.Task), success measures on the
weekly KPI figures, weekly check-ins with frozen figures, and requests to change a plan
beyond its template."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    TRAINING = "training", _("Training")
    TERRITORY_CHANGE = "territory_change", _("Territory change")
    ACTIVITY_RAMP = "activity_ramp", _("Activity ramp")
    JOINT_VISITS = "joint_visits", _("Joint visits")
    PERFORMANCE_IMPROVEMENT = "performance_improvement", _("Performance improvement")


class StepOwner(models.TextChoices):
    # Translators: who owns a plan step: the sales rep (short for representative).
    REP = "rep", _("Rep")
    MANAGER = "manager", _("Manager")


class PlanMetric(models.TextChoices):
    """A weekly figure a success measure is tied to: a reports.WeeklyKPI field, the sum of
    the activity counts, or a quota attainment (revenue to date / quota, in %)."""

    CALLS = "calls", _("Calls per week")
    MEETINGS = "meetings", _("Meetings per week")
    VISITS = "visits", _("Visits per week")
    EMAILS = "emails", _("Emails per week")
    PROSPECTING = "prospecting", _("Prospecting activities per week")
    NEW_PROSPECTS = "new_prospects", _("New prospects per week")
    ACTIVITY_TOTAL = "activity_total", _("Calls + meetings + visits + emails per week")
    DEALS_CREATED = "deals_created", _("Deals created per week")
    DEALS_WON = "deals_won", _("Deals won per week")
    WON_VALUE = "won_value", _("Won value per week")
    PIPELINE_VALUE = "pipeline_value", _("Open pipeline value")
    ATTAINMENT_MTD = "attainment_mtd", _("Quota attainment month to date (%)")
    ATTAINMENT_QTD = "attainment_qtd", _("Quota attainment quarter to date (%)")
    ATTAINMENT_YTD = "attainment_ytd", _("Quota attainment year to date (%)")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "≥"
    AT_MOST = "lte", "≤"


class PlanStatus(models.TextChoices):
    # Translators: the state of an action plan: still running.
    ACTIVE = "active", _("Active")
    # Translators: an action plan ended with its success measures reached.
    MET = "met", _("Met")
    # Translators: an action plan ended without its success measures reached.
    NOT_MET = "not_met", _("Not met")
    CANCELLED = "cancelled", _("Cancelled")


class ChangeKind(models.TextChoices):
    ADD_STEP = "add_step", _("Add a step")
    REMOVE_STEP = "remove_step", _("Remove a step")
    CHANGE_MEASURE = "change_measure", _("Change a measure")


class ChangeStatus(models.TextChoices):
    # Translators: a plan change request waiting for an approver's decision.
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


DUE_DAYS = [MinValueValidator(0), MaxValueValidator(365)]
MEASURE_WEEKS = [MinValueValidator(1), MaxValueValidator(52)]


class PlanTemplate(models.Model):
    """A plan an admin approved once; only approved (and not retired) templates start plans.
    Its steps and measures are frozen once approved."""

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=PlanKind.choices)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class StepFields(models.Model):
    """What a step is, in a template and in the plan copied from it."""

    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=160)
    owner = models.CharField(max_length=10, choices=StepOwner.choices)
    due_in_days = models.PositiveSmallIntegerField(validators=DUE_DAYS)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title


class MeasureFields(models.Model):
    """A success measure tied to a weekly KPI figure, in a template and in its plans."""

    metric = models.CharField(max_length=20, choices=PlanMetric.choices)
    comparison = models.CharField(max_length=3, choices=Comparison.choices)
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    weeks = models.PositiveSmallIntegerField(validators=MEASURE_WEEKS)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.get_comparison_display()} {self.threshold}"


class PlanTemplateStep(StepFields):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="steps")
    owner = models.CharField(max_length=10, choices=StepOwner.choices, default=StepOwner.REP)

    class Meta:
        ordering = ["template_id", "position", "id"]


class PlanTemplateMeasure(MeasureFields):
    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="measures")

    class Meta:
        ordering = ["template_id", "id"]


class ActionPlan(models.Model):
    """One rep's plan, copied from an approved template when a manager started it."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_plans"
    )
    template = models.ForeignKey(PlanTemplate, on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=PlanKind.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_on = models.DateField()
    start_week = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_week = models.CharField(max_length=8, blank=True)
    end_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep"],
                condition=models.Q(status="active"),
                name="uniq_active_plan_per_rep",
            )
        ]
        indexes = [models.Index(fields=["rep", "status"])]

    def __str__(self) -> str:
        return f"{self.name} · {self.rep}"

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE


class PlanStep(StepFields):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="steps")
    task = models.OneToOneField(
        "activities.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_step",
    )
    from_template = models.BooleanField(default=True)

    class Meta:
        ordering = ["plan_id", "position", "id"]


class PlanMeasure(MeasureFields):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="measures")

    class Meta:
        ordering = ["plan_id", "id"]


class PlanCheckIn(models.Model):
    """The manager's note for one week of a plan, with that week's figures copied beside it
    when written: a later recompute of the week does not change them."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="check_ins")
    week = models.CharField(max_length=8)
    note = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    figures = models.JSONField(
        default=dict, help_text=_("{metric: value as a decimal string, or null without KPIs}.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_id", "-week"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "week"], name="uniq_plan_checkin_week")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.week}"


class PlanChangeRequest(models.Model):
    """A change to a running plan beyond its template, applied only once approved."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    step = models.ForeignKey(
        PlanStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    measure = models.ForeignKey(
        PlanMeasure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=160, blank=True)
    owner = models.CharField(max_length=10, choices=StepOwner.choices, blank=True)
    due_in_days = models.PositiveSmallIntegerField(null=True, blank=True, validators=DUE_DAYS)
    threshold = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(null=True, blank=True, validators=MEASURE_WEEKS)
    reason = models.TextField(blank=True)
    summary = models.CharField(max_length=300, help_text=_("The change in words, as asked."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.status})"
