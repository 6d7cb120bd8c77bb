"""Reads of what reps do all week. Visibility comes from the same scope rules as customers
(crm.selectors.owner_scope_q): a rep sees their own, a manager their team's, an admin all."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from activities.choices import ActivityKind, CallReportStatus
from activities.models import Activity, Task, WeeklyCallReport, WeeklyPlan
from activities.weeks import user_tz, week_bounds, week_label, week_monday, week_of
from crm.choices import OPEN_STAGES
from crm.expressions import InSubquery
from crm.models import Customer, Deal
from crm.selectors import customers_visible_to, owner_scope_q

# --- Tasks, weekly plan and my week (issue 4: engineer B) -------------------------------

STALE_DEAL_DAYS = 14
# Kinds that count as "contacting" a planned customer (a note or a referral is not contact).
CONTACT_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.VISIT, ActivityKind.EMAIL)
# (label, key in counts/goal, WeeklyPlan field)
WEEK_METRICS = (
    (_("Calls"), "calls", "planned_calls"),
    (_("Meetings"), "meetings", "planned_meetings"),
    (_("Visits"), "visits", "planned_visits"),
    (_("New prospects"), "new_prospects", "planned_prospects"),
)


def local_today(*, user: User) -> date:
    """Today in the user's team time zone: what "overdue" and "this week" are measured in."""
    return timezone.localdate(timezone.now(), user_tz(user))


def current_week(*, user: User) -> str:
    return week_label(local_today(user=user))


def tasks_visible_to(*, user: User) -> QuerySet[Task]:
    """Tasks are scoped by their assignee, exactly like customers by their owner."""
    return Task.objects.filter(owner_scope_q(user=user, field="assignee"))


def with_overdue_flag(qs: QuerySet[Task], *, today: date) -> QuerySet[Task]:
    """Annotate `is_overdue`: still open and due before `today`, computed in SQL."""
    return qs.annotate(
        is_overdue=ExpressionWrapper(Q(done=False, due_date__lt=today), output_field=BooleanField())
    )


def tasks_for_list(*, user: User) -> QuerySet[Task]:
    """Visible tasks with what a list row shows, in one query."""
    qs = tasks_visible_to(user=user).select_related("assignee", "customer", "deal")
    return with_overdue_flag(qs, today=local_today(user=user))


def week_activity_counts(*, rep: User, week: str) -> dict:
    """What the rep logged in the ISO week (team time zone): calls, meetings, visits,
    emails, referrals, prospecting activities and new prospects, in ONE aggregate query.

    These are exactly the weekly call report's figures (call_report_figures), so My week and
    the report never disagree. New prospects are therefore counted the report's way: distinct
    customers the week's activities touched that the rep owns and that were created within
    the week; prospecting activities are a separate figure (`prospecting`)."""
    return call_report_figures(rep=rep, week=week)


def week_tasks(*, rep: User, week: str) -> list[Task]:
    """The rep's tasks due in the week plus every open task due earlier (overdue), one query."""
    monday = week_monday(week)
    next_monday = monday + timedelta(days=7)
    qs = (
        Task.objects.filter(assignee=rep)
        .filter(
            Q(done=False, due_date__lt=next_monday)
            | Q(due_date__gte=monday, due_date__lt=next_monday)
        )
        .select_related("assignee", "customer", "deal")
        .order_by("done", "due_date", "id")
    )
    return list(with_overdue_flag(qs, today=local_today(user=rep)))


STALE_DEALS_SHOWN = 20


def stale_deals(
    *, rep: User, now: datetime | None = None, limit: int = STALE_DEALS_SHOWN
) -> list[Deal]:
    """The `limit` stalest open deals of the rep: no activity for STALE_DEAL_DAYS days (the
    last activity on the deal, or with none its creation, is older than that), quietest
    first. One query: the last activity is a correlated Max subquery (`last_activity_at`) and
    every row carries `stale_total`, the number of stale deals in all (a window COUNT), so
    My week shows a short list and the count without rendering thousands of rows (perf, w3)."""
    cutoff = (now or timezone.now()) - timedelta(days=STALE_DEAL_DAYS)
    last = (
        Activity.objects.filter(deal_id=OuterRef("pk"))
        .order_by()
        .values("deal_id")
        .annotate(last=Max("occurred_at"))
        .values("last")[:1]
    )
    qs = (
        Deal.objects.filter(owner=rep, stage_id__in=OPEN_STAGES)
        .annotate(last_activity_at=Subquery(last))
        .filter(
            Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
        )
        .annotate(stale_total=Window(Count("id")))
        # customers fetched for the shown rows only: joined here, the planner hashed the
        # whole customer table (~130 ms) to name 20 deals
        .select_related("stage")
        .prefetch_related("customer")
        .order_by(F("last_activity_at").asc(nulls_first=True), "created_at", "id")
    )
    return list(qs[:limit])


def weekly_plan_for(*, rep: User, week: str) -> WeeklyPlan | None:
    return WeeklyPlan.objects.filter(rep=rep, week=week).first()


def planned_customers(*, plan: WeeklyPlan | None) -> list[Customer]:
    """The plan's customers, each annotated `contacted`: the rep called, met, visited or
    emailed them within the plan's week. One query."""
    if plan is None:
        return []
    start, end = week_bounds(plan.week, user_tz(plan.rep))
    contacted = Activity.objects.filter(
        customer_id=OuterRef("pk"),
        owner_id=plan.rep_id,
        kind__in=CONTACT_KINDS,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    return list(plan.customers.annotate(contacted=Exists(contacted)).order_by("name", "id"))


@dataclass
class WeekMetric:
    label: str
    key: str
    goal: int
    actual: int
    planned: int | None

    @property
    def percent(self) -> int:
        """Share of the goal reached, capped at 100 for the progress bar."""
        if not self.goal:
            return 100 if self.actual else 0
        return min(100, round(self.actual * 100 / self.goal))


@dataclass
class MyWeek:
    rep: User
    week: str
    monday: date
    is_current: bool
    goal: dict
    counts: dict
    plan: WeeklyPlan | None
    planned_customers: list
    tasks: list
    stale_deals: list
    metrics: list = field(default_factory=list)

    @property
    def stale_deals_count(self) -> int:
        """All stale deals, of which `stale_deals` are the first STALE_DEALS_SHOWN."""
        return self.stale_deals[0].stale_total if self.stale_deals else 0

    @property
    def contacted_count(self) -> int:
        return sum(1 for c in self.planned_customers if c.contacted)


def my_week(*, rep: User, week: str) -> MyWeek:
    """Everything the "My week" page shows for one rep and ISO week, in a fixed number of
    queries (goal 1, counts 2, plan 1 + customers 1, tasks 1, stale deals 1)."""
    from reports.selectors import activity_goal_for

    goal = activity_goal_for(rep=rep, week=week)
    counts = week_activity_counts(rep=rep, week=week)
    plan = weekly_plan_for(rep=rep, week=week)
    if plan is not None:
        plan.rep = rep
    result = MyWeek(
        rep=rep,
        week=week,
        monday=week_monday(week),
        is_current=week == current_week(user=rep),
        goal=goal,
        counts=counts,
        plan=plan,
        planned_customers=planned_customers(plan=plan),
        tasks=week_tasks(rep=rep, week=week),
        stale_deals=stale_deals(rep=rep),
    )
    result.metrics = [
        WeekMetric(
            label=label,
            key=key,
            goal=goal[key],
            actual=counts[key],
            planned=getattr(plan, plan_field) if plan else None,
        )
        for label, key, plan_field in WEEK_METRICS
    ]
    return result


def week_reps_for(*, user: User) -> QuerySet[User]:
    """Whose week `user` may open: themself, and for managers and admins the reps in scope."""
    from accounts.selectors import users_visible_to

    return (
        users_visible_to(user=user)
        .filter(Q(role="rep") | Q(pk=user.pk))
        .order_by("first_name", "last_name", "username")
    )


# --- Weekly call report and the team feed (issue 4: engineer C) -------------------------

# The figures a call report shows, in order: (label, field on WeeklyCallReport).
CALL_REPORT_FIGURES = (
    (_("Calls"), "calls"),
    (_("Meetings"), "meetings"),
    (_("Visits"), "visits"),
    (_("Emails"), "emails"),
    (_("Referrals"), "referrals"),
    (_("Prospecting activities"), "prospecting"),
    (_("New prospects"), "new_prospects"),
)
FROZEN_STATUSES = (CallReportStatus.SUBMITTED, CallReportStatus.APPROVED)


def figure_aggregates(*, new_prospect_q: Q) -> dict[str, Count]:
    """Count(filter=...) expressions for every figure, shared by the one-report and the
    many-reports selectors and the weekly KPI job (reports.kpis), so all of them count
    exactly the same way. `new_prospect_q` filters the activities whose customer counts as
    a new prospect."""
    return {
        "calls": Count("id", filter=Q(kind=ActivityKind.CALL)),
        "meetings": Count("id", filter=Q(kind=ActivityKind.MEETING)),
        "visits": Count("id", filter=Q(kind=ActivityKind.VISIT)),
        "emails": Count("id", filter=Q(kind=ActivityKind.EMAIL)),
        "referrals": Count("id", filter=Q(kind=ActivityKind.REFERRAL)),
        "prospecting": Count("id", filter=Q(is_prospecting=True)),
        "new_prospects": Count("customer_id", distinct=True, filter=new_prospect_q),
    }


def _new_prospect_q(*, rep: User, week: str) -> Q:
    """New prospects = distinct customers the week's activities touched that the rep owns and
    that were created within the week (team time zone): names new to the portfolio."""
    start, end = week_bounds(week, user_tz(rep))
    return Q(
        customer__owner_id=rep.pk, customer__created_at__gte=start, customer__created_at__lt=end
    )


def call_report_figures(*, rep: User, week: str) -> dict[str, int]:
    """The week's figures, computed from the rep's activities of that ISO week in ONE
    aggregate query. Used live while a report is a draft and frozen into it on submit."""
    return Activity.objects.filter(owner=rep, week=week).aggregate(
        **figure_aggregates(new_prospect_q=_new_prospect_q(rep=rep, week=week))
    )


def call_report_figures_many(*, pairs: list[tuple[User, str]]) -> dict[tuple[int, str], dict]:
    """Live figures for many (rep, week) pairs in one GROUP BY query: list pages and the
    team status use it so their query count never depends on the number of rows."""
    empty = {name: 0 for _label, name in CALL_REPORT_FIGURES}
    pairs = list({(rep.pk, week): (rep, week) for rep, week in pairs}.values())
    if not pairs:
        return {}
    rows_q, prospect_q = Q(), Q()
    for rep, week in pairs:
        rows_q |= Q(owner_id=rep.pk, week=week)
        prospect_q |= Q(owner_id=rep.pk, week=week) & _new_prospect_q(rep=rep, week=week)
    rows = (
        Activity.objects.filter(rows_q)
        .order_by()
        .values("owner_id", "week")
        .annotate(**figure_aggregates(new_prospect_q=prospect_q))
    )
    result = {(rep.pk, week): dict(empty) for rep, week in pairs}
    for row in rows:
        result[(row.pop("owner_id"), row.pop("week"))] = row
    return result


def call_reports_visible_to(*, user: User) -> QuerySet[WeeklyCallReport]:
    """Reports scoped like everything else: a rep their own, a manager the team's (and their
    own), an admin all."""
    return WeeklyCallReport.objects.filter(owner_scope_q(user=user, field="rep")).select_related(
        "rep", "rep__team", "reviewed_by"
    )


def call_report_for_week(*, rep: User, week: str) -> WeeklyCallReport:
    """The rep's report for the week, or an unsaved draft to show (a GET never writes)."""
    report = WeeklyCallReport.objects.filter(rep=rep, week=week).select_related("rep").first()
    return report or WeeklyCallReport(rep=rep, week=week)


def call_report_is_frozen(report: WeeklyCallReport) -> bool:
    return report.status in FROZEN_STATUSES


def call_report_shown_figures(*, report: WeeklyCallReport) -> list[tuple[str, str, int]]:
    """(label, field, value) rows: frozen values once submitted, live ones while a draft."""
    if call_report_is_frozen(report):
        values = {name: getattr(report, name) for _label, name in CALL_REPORT_FIGURES}
    else:
        values = call_report_figures(rep=report.rep, week=report.week)
    return [(label, name, values[name]) for label, name in CALL_REPORT_FIGURES]


def with_live_figures(reports: list[WeeklyCallReport]) -> list[WeeklyCallReport]:
    """Put live figures on every draft or returned report of a page (one query for all), so
    an API list shows what the rep has logged, not zeros; frozen reports keep theirs."""
    live = [r for r in reports if not call_report_is_frozen(r)]
    figures = call_report_figures_many(pairs=[(r.rep, r.week) for r in live])
    for report in live:
        for name, value in figures[(report.rep_id, report.week)].items():
            setattr(report, name, value)
    late = late_entry_counts(reports=reports)
    for report in reports:
        report.late_entries = late.get(report.pk, 0)
    return reports


def call_report_activities(*, report: WeeklyCallReport) -> QuerySet[Activity]:
    """Every activity the rep logged in the report's week, oldest first, one query."""
    return (
        Activity.objects.filter(owner_id=report.rep_id, week=report.week)
        .select_related("customer", "contact", "deal")
        .order_by("occurred_at", "id")
    )


def call_report_late_entries(*, report: WeeklyCallReport) -> QuerySet[Activity]:
    """Activities logged after the report was submitted: shown beside the frozen figures,
    never silently added to them (a resubmission counts them in and they stop being late)."""
    if report.pk is None or report.submitted_at is None:
        return Activity.objects.none()
    return call_report_activities(report=report).filter(
        is_late=True, created_at__gt=report.submitted_at
    )


def late_entry_counts(*, reports: list[WeeklyCallReport]) -> dict[int, int]:
    """Late entries per submitted report of a page, in one query: {report id: count}."""
    submitted = [r for r in reports if r.pk and r.submitted_at]
    if not submitted:
        return {}
    late_q = Q()
    for r in submitted:
        late_q |= Q(owner_id=r.rep_id, week=r.week, created_at__gt=r.submitted_at)
    rows = (
        Activity.objects.filter(late_q, is_late=True)
        .order_by()
        .values("owner_id", "week")
        .annotate(n=Count("id"))
    )
    by_key = {(row["owner_id"], row["week"]): row["n"] for row in rows}
    return {r.pk: by_key.get((r.rep_id, r.week), 0) for r in submitted}


@dataclass
class ReportStatusRow:
    """One rep's line on the manager's "Call reports" page."""

    rep: User
    report: WeeklyCallReport | None
    figures: dict

    @property
    def status(self) -> str:
        return self.report.status if self.report else "missing"

    @property
    def status_label(self) -> str:
        # Translators: status of a rep's weekly call report that does not exist yet.
        return self.report.get_status_display() if self.report else gettext("Not started")


def team_report_status(
    *, manager: User, week: str, team_id: int | None = None
) -> list[ReportStatusRow]:
    """Every active rep in the manager's scope (their team(s); an admin: everyone, or one
    team) with their report for the week, or none ("missing" = not started), and the
    figures shown (frozen or live). Three queries whatever the team size."""
    from accounts.selectors import users_visible_to

    reps_qs = users_visible_to(user=manager).filter(role="rep", is_active=True)
    if team_id is not None:
        reps_qs = reps_qs.filter(team_id=team_id)
    reps = list(reps_qs.order_by("team__name", "first_name", "last_name", "username"))
    reports = {
        r.rep_id: r
        for r in WeeklyCallReport.objects.filter(rep__in=reps, week=week).select_related(
            "reviewed_by"
        )
    }
    live = call_report_figures_many(pairs=[(rep, week) for rep in reps])
    rows = []
    for rep in reps:
        report = reports.get(rep.pk)
        if report is not None:
            report.rep = rep
        if report is not None and call_report_is_frozen(report):
            figures = {name: getattr(report, name) for _label, name in CALL_REPORT_FIGURES}
        else:
            figures = live[(rep.pk, week)]
        rows.append(ReportStatusRow(rep=rep, report=report, figures=figures))
    return rows


def reps_due_a_reminder(*, now: datetime) -> list[tuple[User, str]]:
    """Active reps with an email address, each with the ISO week `now` falls in for their
    team's time zone: the week whose report the Friday reminder is about. One query."""
    reps = User.objects.filter(role="rep", is_active=True).exclude(email="").select_related("team")
    return [(rep, week_of(now, user_tz(rep))) for rep in reps.order_by("id")]


def feed_activities_for(*, user: User) -> QuerySet[Activity]:
    """The team feed's rows: activities_visible_to (defined below, area A) with what a row
    shows, in one query."""
    return activities_visible_to(user=user).select_related("owner", "customer", "contact", "deal")


# --- Activity logging (issue 4: engineer A) ----------------------------------------------

RECENT_ACTIVITIES = 10


def activities_visible_to(*, user: User) -> QuerySet[Activity]:
    """Activities scoped like customers (crm.selectors.owner_scope_q): a rep sees what they
    logged, a manager what the team logged, an admin everything; plus the whole history of
    every customer in the user's portfolio, so after a handover the new owner sees what
    happened before them (PRODUCT rule 2).

    Written as two index probes (owner_id, customer_id) like deals_visible_to instead of an
    OR across joined tables, so a list over a million activities stays an index scan."""
    if user.is_admin:
        return Activity.objects.all()
    if user.is_manager:
        people = User.objects.filter(Q(team__manager=user) | Q(pk=user.pk)).order_by().values("pk")
        owned = InSubquery("owner_id", people)
    else:
        owned = Q(owner_id=user.pk)
    portfolio = customers_visible_to(user=user).order_by().values("pk")
    return Activity.objects.filter(Q(owned) | Q(InSubquery("customer_id", portfolio)))


def activities_for_list(*, user: User) -> QuerySet[Activity]:
    """Visible activities with what a row shows (owner, customer, contact, deal): one query."""
    return activities_visible_to(user=user).select_related("owner", "customer", "contact", "deal")


def is_week_locked(*, rep: User, week: str) -> bool:
    """The rep's call report for the week is submitted or approved: the week's activities
    are frozen (a returned report unlocks it again)."""
    return WeeklyCallReport.objects.filter(
        rep_id=rep.pk,
        week=week,
        status__in=(CallReportStatus.SUBMITTED, CallReportStatus.APPROVED),
    ).exists()


def locked_weeks(*, rep_ids, weeks) -> set[tuple[int, str]]:
    """Which of these (rep, week) combinations are locked, in one query: bulk logging uses
    it to flag late entries without a query per item."""
    rep_ids, weeks = set(rep_ids), set(weeks)
    if not rep_ids or not weeks:
        return set()
    return set(
        WeeklyCallReport.objects.filter(
            rep_id__in=rep_ids,
            week__in=weeks,
            status__in=(CallReportStatus.SUBMITTED, CallReportStatus.APPROVED),
        ).values_list("rep_id", "week")
    )


def recent_activities(
    *, user: User, customer: Customer | None = None, deal: Deal | None = None
) -> list[Activity]:
    """The newest activities shown under a quick-log form: the deal's, else the customer's,
    else the ones the user logged. One query."""
    qs = activities_for_list(user=user)
    if deal is not None:
        qs = qs.filter(deal_id=deal.pk)
    elif customer is not None:
        qs = qs.filter(customer_id=customer.pk)
    else:
        qs = qs.filter(owner_id=user.pk)
    return list(qs.order_by("-occurred_at", "-id")[:RECENT_ACTIVITIES])


def activity_lock_reason(*, activity: Activity, user: User, now: datetime | None = None) -> str:
    """Why `user` may not change or delete the activity now ("" when they may): only its
    owner, only during the ISO week it happened (their time zone), only while that week's
    call report is not submitted. Messages are the ones the services raise."""
    from activities.services import MSG_LOCKED, MSG_NOT_OWNER, MSG_OTHER_WEEK

    if user.pk != activity.owner_id:
        return MSG_NOT_OWNER
    if is_week_locked(rep=user, week=activity.week):
        return MSG_LOCKED
    if week_of(now or timezone.now(), user_tz(user)) != activity.week:
        return MSG_OTHER_WEEK
    return ""
