"""Targets a manager sets and the results measured against them."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from crm.currency import CURRENCY_MAX_LENGTH, company_currency, currency_choices
from reports.choices import ExpectationMetric, PeriodKind, RiskRule


class ActivityGoal(models.Model):
    """Weekly activity goals. A team default (team set, rep empty) applies to every rep of the
    team; a rep-specific goal overrides it. An empty week means a standing goal for every week."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity_goals",
    )
    week = models.CharField(
        max_length=8, blank=True, help_text="ISO week, or empty for every week."
    )
    calls = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    new_prospects = models.PositiveIntegerField(default=0)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id", "rep_id", "-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "week"],
                condition=models.Q(rep__isnull=True),
                name="uniq_team_default_goal_week",
            ),
            models.UniqueConstraint(
                fields=["rep", "week"],
                condition=models.Q(rep__isnull=False),
                name="uniq_rep_goal_week",
            ),
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | models.Q(rep__isnull=False),
                name="activity_goal_has_team_or_rep",
            ),
        ]

    def __str__(self) -> str:
        who = self.rep or self.team
        return _("Goal %(who)s %(week)s") % {"who": who, "week": self.week or _("every week")}

    def clean(self) -> None:
        if not self.team_id and not self.rep_id:
            raise ValidationError(_("A goal belongs to a team (default) or to a rep."))


class Quota(models.Model):
    """A rep's target for one month, quarter or year. `period_start` is the first day of the
    period. Quarter and year quotas may be entered directly or rolled up from months."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotas"
    )
    period = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(
        max_length=CURRENCY_MAX_LENGTH,
        choices=currency_choices(),
        default=company_currency,
        help_text="The currency of the revenue target; reports convert it (crm.currency).",
    )
    new_customers_primary = models.PositiveIntegerField(default=0)
    new_customers_secondary = models.PositiveIntegerField(default=0)
    rolled_up = models.BooleanField(
        default=False, help_text="Computed as the sum of the period's monthly quotas."
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rep_id", "period", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "period", "period_start"], name="uniq_quota_rep_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rep} {self.period} {self.period_start:%Y-%m}"


class ExpectationProfile(models.Model):
    """The written expectations for a rep ("make quota" is not one): measurable items."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expectation_profile"
    )
    summary = models.TextField(blank=True)
    starts_on = models.DateField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return _("Expectations for %(rep)s") % {"rep": self.rep}


class ExpectationItem(models.Model):
    profile = models.ForeignKey(ExpectationProfile, on_delete=models.CASCADE, related_name="items")
    metric = models.CharField(max_length=40, choices=ExpectationMetric.choices)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    weight = models.PositiveSmallIntegerField(
        default=0, help_text="For prospecting methods: the share (%) of effort expected."
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["profile_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "metric"], name="uniq_expectation_metric")
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target}"


class CommissionPlan(models.Model):
    """A rep's commission: a base rate on won deals, with optional higher rates once the
    period's quota attainment passes a tier."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commission_plan"
    )
    base_rate = models.DecimalField(
        max_digits=5, decimal_places=2, help_text="Percent of a won deal's amount."
    )
    tier_period = models.CharField(
        max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )
    currency = models.CharField(
        max_length=CURRENCY_MAX_LENGTH,
        choices=currency_choices(),
        default=company_currency,
        help_text="The currency the commission is paid in; deals in others are converted.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.rep}: {self.base_rate}%"


class CommissionTier(models.Model):
    plan = models.ForeignKey(CommissionPlan, on_delete=models.CASCADE, related_name="tiers")
    attainment_from = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text="Quota attainment (%) from which the rate applies.",
    )
    rate = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["plan_id", "attainment_from"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "attainment_from"], name="uniq_commission_tier")
        ]

    def __str__(self) -> str:
        return f"≥{self.attainment_from}%: {self.rate}%"


class Incentive(models.Model):
    """Reach `attainment`% of a period's quota and earn the named reward."""

    name = models.CharField(max_length=120)
    reward = models.CharField(max_length=255)
    period = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    attainment = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("100"))
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="incentives"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incentives",
    )

    class Meta:
        ordering = ["-period_start", "name"]

    def __str__(self) -> str:
        return self.name


class WeeklyKPI(models.Model):
    """One rep's figures for one ISO week (team time zone), computed by the Celery job.
    Recomputing a week upserts the same rows: reproducible by construction."""

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kpis")
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, related_name="kpis"
    )
    week = models.CharField(max_length=8)
    calls = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    emails = models.PositiveIntegerField(default=0)
    prospecting = models.PositiveIntegerField(default=0)
    new_prospects = models.PositiveIntegerField(default=0)
    deals_created = models.PositiveIntegerField(default=0)
    deals_won = models.PositiveIntegerField(default=0)
    won_value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    pipeline_value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    forecast = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    pipeline_next_quarter = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Open pipeline expected to close in the quarter after the week's.",
    )
    goal_calls = models.PositiveIntegerField(default=0)
    goal_meetings = models.PositiveIntegerField(default=0)
    goal_visits = models.PositiveIntegerField(default=0)
    goal_new_prospects = models.PositiveIntegerField(default=0)
    revenue_mtd = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    revenue_qtd = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    revenue_ytd = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    quota_month = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    quota_quarter = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    quota_year = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    quota_next_quarter = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("0.00")
    )
    commission = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-week", "rep_id"]
        constraints = [models.UniqueConstraint(fields=["rep", "week"], name="uniq_kpi_rep_week")]
        indexes = [models.Index(fields=["week", "team"])]
        verbose_name = "weekly KPI"

    def __str__(self) -> str:
        return f"KPI {self.rep} {self.week}"


class StaleWeek(models.Model):
    """A week whose snapshot is out of date (late activity, deal change in the past);
    the next run or a recompute brings it up to date and removes the mark."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True)
    week = models.CharField(max_length=8)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="uniq_stale_team_week")
        ]

    def __str__(self) -> str:
        return f"stale {self.team_id} {self.week}"


class RiskFlag(models.Model):
    """One reason a rep is at risk in one ISO week, computed by the weekly KPI job
    (reports.risk) beside the week's WeeklyKPI rows. Keyed on (rep, week, rule): recomputing
    a week upserts the rules that fire and deletes the ones that no longer do, so the same
    data always gives the same rows. `figures` holds the numbers the rule fired on, e.g.
    {"missed": 3, "window": 4}; a neglect flag lists every neglected key customer."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="risk_flags"
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, related_name="risk_flags"
    )
    week = models.CharField(max_length=8)
    rule = models.CharField(max_length=20, choices=RiskRule.choices)
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-week", "rep_id", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "week", "rule"], name="uniq_risk_rep_week_rule")
        ]
        indexes = [models.Index(fields=["week", "team"])]

    def __str__(self) -> str:
        return f"{self.rep} {self.week} {self.rule}"

    @property
    def label(self) -> str:
        return self.get_rule_display()

    @property
    def reason(self) -> str:
        from reports.risk import describe_flag

        return describe_flag(rule=self.rule, figures=self.figures)
