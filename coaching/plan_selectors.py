"""Reads of action plans (issue 13). One place decides who sees what: plans_visible_to (a rep
their own, a manager their team's, an admin all), templates_visible_to, change_requests_
visible_to. Live figures come from the rep's WeeklyKPI rows, read in one query per plan."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import users_visible_to
from activities.selectors import local_today
from activities.weeks import shift_week, week_label
from coaching.models import (
    ActionPlan,
    PlanChangeRequest,
    PlanCheckIn,
    PlanMeasure,
    PlanStep,
    PlanTemplate,
)
from coaching.models.plans import ChangeStatus, Comparison, PlanMetric, PlanStatus
from reports.models import WeeklyKPI

MAX_WEEKS_SHOWN = 104  # a plan older than two years shows its last two years of weeks
# (metric, WeeklyKPI revenue field, WeeklyKPI quota field)
ATTAINMENT = {
    PlanMetric.ATTAINMENT_MTD: ("revenue_mtd", "quota_month"),
    PlanMetric.ATTAINMENT_QTD: ("revenue_qtd", "quota_quarter"),
    PlanMetric.ATTAINMENT_YTD: ("revenue_ytd", "quota_year"),
}
ACTIVITY_TOTAL_FIELDS = ("calls", "meetings", "visits", "emails")


# --- Scope --------------------------------------------------------------------------------


def plans_visible_to(*, user: User) -> QuerySet[ActionPlan]:
    """A rep sees their own plans, a manager their team's reps', an admin all."""
    qs = ActionPlan.objects.select_related("rep__team", "template", "started_by", "ended_by")
    if user.is_admin:
        return qs
    if user.is_manager:
        return qs.filter(rep__team__manager=user)
    return qs.filter(rep=user)


def may_manage_rep(*, user: User, rep: User) -> bool:
    """Only the rep's own manager (the manager of their team) or an admin starts, changes,
    checks in on and ends a rep's plan."""
    if user.is_admin:
        return True
    team = rep.team
    return user.is_manager and team is not None and team.manager_id == user.pk


def may_manage_plan(*, user: User, plan: ActionPlan) -> bool:
    return may_manage_rep(user=user, rep=plan.rep)


def may_decide(*, user: User) -> bool:
    """Who approves templates and changes: admins. The accounts model has no manager's own
    manager (a team has one manager, a manager no boss), so sales ops decide."""
    return user.is_admin


def plannable_reps_for(*, user: User) -> QuerySet[User]:
    """Active reps `user` may start a plan for: their team's (a manager), all (an admin)."""
    qs = users_visible_to(user=user).filter(role="rep", is_active=True)
    if user.is_manager and not user.is_admin:
        qs = qs.filter(team__manager=user)
    elif not user.is_admin:
        return qs.none()
    return qs.order_by("first_name", "last_name", "username")


def templates_visible_to(*, user: User) -> QuerySet[PlanTemplate]:
    """Admins see every template (drafts too); managers the approved, not retired ones;
    reps none (they see their plan, not the catalogue)."""
    qs = PlanTemplate.objects.select_related("created_by", "approved_by")
    if user.is_admin:
        return qs
    if user.is_manager:
        return usable_templates(qs)
    return qs.none()


def usable_templates(qs: QuerySet[PlanTemplate] | None = None) -> QuerySet[PlanTemplate]:
    qs = PlanTemplate.objects.all() if qs is None else qs
    return qs.filter(approved_at__isnull=False, retired=False)


def with_parts(qs: QuerySet[PlanTemplate]) -> QuerySet[PlanTemplate]:
    """Templates with their steps and measures: two more queries, whatever the count."""
    return qs.prefetch_related("steps", "measures")


def change_requests_visible_to(*, user: User) -> QuerySet[PlanChangeRequest]:
    """Admins see every request; a manager the requests on their team's plans; reps none."""
    qs = PlanChangeRequest.objects.select_related(
        "plan__rep", "step", "measure", "requested_by", "decided_by"
    )
    if user.is_admin:
        return qs
    if user.is_manager:
        return qs.filter(plan__rep__team__manager=user)
    return qs.none()


def pending_change_requests_for(*, user: User) -> QuerySet[PlanChangeRequest]:
    """What the approver has to decide (admins; nothing for anyone else)."""
    if not may_decide(user=user):
        return PlanChangeRequest.objects.none()
    return change_requests_visible_to(user=user).filter(status=ChangeStatus.PENDING)


def plans_for_list(*, user: User) -> QuerySet[ActionPlan]:
    """Visible plans with their step counts, in one query."""
    return plans_visible_to(user=user).annotate(
        steps_total=Count("steps", distinct=True),
        steps_done=Count("steps", filter=Q(steps__task__done=True), distinct=True),
    )


def active_plan_of(*, rep: User) -> ActionPlan | None:
    return (
        ActionPlan.objects.select_related("template")
        .filter(rep=rep, status=PlanStatus.ACTIVE)
        .first()
    )


def plan_history(*, viewer: User, rep: User) -> QuerySet[ActionPlan]:
    """Every plan of one rep (newest first) that `viewer` may see: their history."""
    return plans_for_list(user=viewer).filter(rep=rep).order_by("-started_on", "-id")


def plan_with_parts(qs: QuerySet[ActionPlan]) -> QuerySet[ActionPlan]:
    """Plans with their steps (and tasks), measures and check-ins: three more queries."""
    return qs.prefetch_related(
        Prefetch("steps", queryset=PlanStep.objects.select_related("task__assignee")),
        Prefetch("measures", queryset=PlanMeasure.objects.all()),
        Prefetch("check_ins", queryset=PlanCheckIn.objects.select_related("author")),
    )


# --- Weeks and figures ----------------------------------------------------------------------


def plan_current_week(*, plan: ActionPlan) -> str:
    """The last week a plan counts: the week it ended, or this week (rep's time zone)."""
    return plan.end_week or week_label(local_today(user=plan.rep))


def plan_weeks(*, plan: ActionPlan) -> list[str]:
    """The ISO weeks from the plan's start to its end (or now), oldest first."""
    last = plan_current_week(plan=plan)
    if last < plan.start_week:
        return [plan.start_week]
    weeks, week = [], last
    while week >= plan.start_week and len(weeks) < MAX_WEEKS_SHOWN:
        weeks.append(week)
        week = shift_week(week, -1)
    return list(reversed(weeks))


def metric_value(row: WeeklyKPI | None, metric: str) -> Decimal | None:
    """A measure's figure in one WeeklyKPI row; None without a row (or without a quota, for
    an attainment)."""
    if row is None:
        return None
    if metric == PlanMetric.ACTIVITY_TOTAL:
        return Decimal(sum(getattr(row, name) for name in ACTIVITY_TOTAL_FIELDS))
    if metric in ATTAINMENT:
        revenue, quota = (getattr(row, name) for name in ATTAINMENT[metric])
        if not quota:
            return None
        return (Decimal(revenue) * 100 / Decimal(quota)).quantize(Decimal("0.1"))
    return Decimal(getattr(row, metric))


def figures_of(row: WeeklyKPI | None, metrics) -> dict[str, str | None]:
    """{metric: value as a decimal string or None}: what a check-in freezes."""
    values = {metric: metric_value(row, metric) for metric in metrics}
    return {m: (None if v is None else str(v)) for m, v in values.items()}


def is_met(*, value: Decimal | None, comparison: str, threshold: Decimal) -> bool:
    if value is None:
        return False
    return value >= threshold if comparison == Comparison.AT_LEAST else value <= threshold


@dataclass
class WeekFigure:
    week: str
    value: Decimal | None
    met: bool


@dataclass
class MeasureProgress:
    """One measure over the plan's weeks: met once `weeks` consecutive weeks met it (a
    week without KPI figures breaks the run)."""

    measure: PlanMeasure
    weeks: list[WeekFigure] = field(default_factory=list)
    best_run: int = 0
    current_run: int = 0

    @property
    def met(self) -> bool:
        return self.best_run >= self.measure.weeks

    @property
    def label(self) -> str:
        m = self.measure
        return ngettext(
            "%(metric)s %(comparison)s %(threshold)s for %(weeks)s week",
            "%(metric)s %(comparison)s %(threshold)s for %(weeks)s weeks",
            m.weeks,
        ) % {
            "metric": m.get_metric_display(),
            "comparison": m.get_comparison_display(),
            "threshold": f"{m.threshold.normalize():f}",
            "weeks": m.weeks,
        }


def kpi_rows_for(*, rep_id: int, weeks: list[str]) -> dict[str, WeeklyKPI]:
    """The rep's KPI rows of the given weeks: ONE query."""
    return {row.week: row for row in WeeklyKPI.objects.filter(rep_id=rep_id, week__in=weeks)}


def measure_progress(
    *, plan: ActionPlan, measures=None, rows: dict[str, WeeklyKPI] | None = None
) -> list[MeasureProgress]:
    """Every measure of the plan with its live figures per week, from one KPI query."""
    measures = list(plan.measures.all() if measures is None else measures)
    weeks = plan_weeks(plan=plan)
    if rows is None:
        rows = kpi_rows_for(rep_id=plan.rep_id, weeks=weeks) if measures else {}
    progress = []
    for measure in measures:
        item = MeasureProgress(measure=measure)
        run = 0
        for week in weeks:
            value = metric_value(rows.get(week), measure.metric)
            met = is_met(value=value, comparison=measure.comparison, threshold=measure.threshold)
            item.weeks.append(WeekFigure(week=week, value=value, met=met))
            run = run + 1 if met else 0
            item.best_run = max(item.best_run, run)
        item.current_run = run
        progress.append(item)
    return progress


def measures_met(progress: list[MeasureProgress]) -> bool:
    """All measures met (a plan without measures has nothing to miss)."""
    return all(item.met for item in progress)


@dataclass
class FrozenCheckIn:
    """A check-in with its frozen figures laid out beside the plan's measures."""

    check_in: PlanCheckIn
    figures: list[tuple[str, str | None, bool]]  # (measure label, frozen value, met)


def check_ins_with_figures(*, check_ins, measures: list[PlanMeasure]) -> list[FrozenCheckIn]:
    out = []
    for check_in in check_ins:
        cells = []
        for measure in measures:
            raw = check_in.figures.get(measure.metric)
            value = None if raw is None else Decimal(raw)
            met = is_met(value=value, comparison=measure.comparison, threshold=measure.threshold)
            cells.append((measure.get_metric_display(), raw, met))
        out.append(FrozenCheckIn(check_in=check_in, figures=cells))
    return out


@dataclass
class PlanPage:
    plan: ActionPlan
    steps: list[PlanStep]
    progress: list[MeasureProgress]
    check_ins: list[FrozenCheckIn]
    weeks: list[str]
    change_requests: list[PlanChangeRequest]

    @property
    def all_met(self) -> bool:
        return measures_met(self.progress)

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.task is not None and s.task.done)


def plan_page(*, user: User, plan_id: int) -> PlanPage | None:
    """Everything a plan's page shows, or None outside the viewer's scope (404). A fixed
    number of queries: the plan 1, steps+tasks 1, measures 1, check-ins 1, KPI rows 1,
    change requests 1."""
    plan = plan_with_parts(plans_visible_to(user=user).filter(pk=plan_id)).first()
    if plan is None:
        return None
    measures = list(plan.measures.all())
    requests = list(
        PlanChangeRequest.objects.filter(plan=plan)
        .select_related("requested_by", "decided_by", "step", "measure")
        .order_by("-requested_at", "-id")
    )
    return PlanPage(
        plan=plan,
        steps=list(plan.steps.all()),
        progress=measure_progress(plan=plan, measures=measures),
        check_ins=check_ins_with_figures(check_ins=plan.check_ins.all(), measures=measures),
        weeks=plan_weeks(plan=plan),
        change_requests=requests,
    )


# --- Beside the dashboard ---------------------------------------------------------------------


@dataclass
class PlanSummary:
    """A rep's running plan on their numbers page: name, steps done, measures met."""

    plan: ActionPlan
    progress: list[MeasureProgress]

    @property
    def all_met(self) -> bool:
        return measures_met(self.progress)


def plan_summary_for(*, viewer: User, rep: User) -> PlanSummary | None:
    """The rep's running plan if `viewer` may see it: three queries (plan with its step
    counts, measures, KPI rows), none more when there is no plan."""
    plan = plans_for_list(user=viewer).filter(rep=rep, status=PlanStatus.ACTIVE).first()
    if plan is None:
        return None
    return PlanSummary(plan=plan, progress=measure_progress(plan=plan))


def active_plan_ids(*, rep_ids) -> dict[int, int]:
    """{rep id: id of their running plan} for a list of reps: ONE query."""
    return dict(
        ActionPlan.objects.filter(rep_id__in=list(rep_ids), status=PlanStatus.ACTIVE).values_list(
            "rep_id", "pk"
        )
    )
