"""Selectors behind the manager dashboard and the rep's own version ("My numbers").

Every figure is aggregated in SQL over the whole selection of reps at once (GROUP BY,
conditional aggregates, correlated subqueries), so the page runs the same number of queries
for a team of 5 or of 50. Visibility starts from accounts.selectors.users_visible_to and
crm.selectors.pipeline_deals_for: the dashboard never shows what its viewer may not see."""

import hashlib
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Team, User
from accounts.selectors import teams_visible_to, users_visible_to
from activities.choices import ActivityKind
from activities.models import Activity
from activities.weeks import shift_week, week_monday
from crm.choices import OPEN_STAGES, DealStage, Segment
from crm.currency import rates_missing, to_company
from crm.models import Customer, Deal, DealStageChange
from crm.selectors import pipeline_deals_for
from reports.choices import ExpectationMetric, PeriodKind
from reports.models import ExpectationItem, Quota, WeeklyKPI

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
TREND_WEEKS = 12
MONTHS = 12
STUCK_FACTOR = 2  # "longer than usual": more than twice the median time spent in the stage
STUCK_FALLBACK_DAYS = 30  # a stage nobody has left yet has no median: use this instead
PAGE_LIST_LIMIT = 25  # rows of an action list shown on the page; the CSV has them all
# PRODUCT.md: visit every primary customer at least 3 times a year, every secondary once.
DEFAULT_VISITS = {Segment.PRIMARY: 3, Segment.SECONDARY: 1}
FUNNEL = (
    DealStage.LEAD,
    DealStage.QUALIFIED,
    DealStage.PROPOSAL,
    DealStage.NEGOTIATION,
    DealStage.WON,
)
# (label, WeeklyKPI actual field, WeeklyKPI goal field)
ACTIVITY_METRICS = (
    (gettext_lazy("Calls"), "calls", "goal_calls"),
    (gettext_lazy("Meetings"), "meetings", "goal_meetings"),
    (gettext_lazy("Visits"), "visits", "goal_visits"),
    (gettext_lazy("New prospects"), "new_prospects", "goal_new_prospects"),
)
# (label, WeeklyKPI revenue field, WeeklyKPI quota field)
ATTAINMENT_PERIODS = (
    ("MTD", "revenue_mtd", "quota_month"),
    ("QTD", "revenue_qtd", "quota_quarter"),
    ("YTD", "revenue_ytd", "quota_year"),
)


# --- Who the dashboard is about ----------------------------------------------------------


def dashboard_teams(*, user: User) -> list[Team]:
    """Teams the user may pick on the dashboard (admins: all; managers: their own)."""
    return list(teams_visible_to(user=user).order_by("name"))


def dashboard_reps(*, user: User, team_id: int | None = None) -> list[User]:
    """Active reps whose numbers `user` may see, optionally one team: one query."""
    from coaching.ramp import with_ramp_steps

    qs = with_ramp_steps(users_visible_to(user=user).filter(role="rep", is_active=True))
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return list(qs.order_by("team__name", "first_name", "last_name", "username"))


def dashboard_rep(*, user: User, rep_id: int) -> User | None:
    """One rep `user` may open the drill-down of, or None (the view answers 404)."""
    from coaching.ramp import with_ramp_steps

    reps = users_visible_to(user=user).filter(role="rep", pk=rep_id).select_related("team")
    return with_ramp_steps(reps).first()


# --- Colour levels -----------------------------------------------------------------------


def level_for(percent: Decimal | None) -> str:
    """Traffic light of a goal or quota: ok ≥ 100 %, warn ≥ 70 %, bad below, none if no goal."""
    if percent is None:
        return "none"
    if percent >= 100:
        return "ok"
    if percent >= 70:
        return "warn"
    return "bad"


LEVEL_LABELS = {
    "ok": gettext_lazy("on track"),
    "warn": gettext_lazy("behind"),
    "bad": gettext_lazy("far behind"),
    "none": gettext_lazy("no target"),
}


def _percent(actual, target) -> Decimal | None:
    if not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("1"))


# --- The team table ----------------------------------------------------------------------


@dataclass
class Measure:
    """An actual against its target, with its percentage and traffic-light level."""

    label: str
    actual: Decimal | int
    target: Decimal | int
    slug: str = ""  # stable, untranslated name of the measure (the table's data-metric)

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.actual, self.target)

    @property
    def level(self) -> str:
        return level_for(self.percent)

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[self.level])


@dataclass
class TeamRow:
    rep: User
    kpi: WeeklyKPI | None
    activity: list[Measure]
    attainment: list[Measure]
    pipeline: Decimal
    forecast: Decimal
    remaining_quota: Decimal
    ramp: object = None  # coaching.ramp.RampStatus of a new rep: targets are ramped

    @property
    def forecast_cover(self) -> Decimal | None:
        """Weighted forecast as a share (%) of the quota still to make this year."""
        return _percent(self.forecast, self.remaining_quota)

    @property
    def forecast_level(self) -> str:
        if self.kpi is None:
            return "none"
        if self.remaining_quota <= 0:
            return "ok" if self.kpi.quota_year else "none"
        return level_for(self.forecast_cover)

    def sort_value(self, key: str):
        """The value a column sorts by (SORT_KEYS)."""
        if key == "rep":
            return (str(self.rep).lower(),)
        if key in dict(SORT_ACTIVITY):
            measure = self.activity[dict(SORT_ACTIVITY)[key]]
            return (measure.percent is not None, measure.percent or 0, measure.actual)
        if key in dict(SORT_ATTAINMENT):
            measure = self.attainment[dict(SORT_ATTAINMENT)[key]]
            return (measure.percent is not None, measure.percent or 0, measure.actual)
        return (getattr(self, key),)


SORT_ACTIVITY = (("calls", 0), ("meetings", 1), ("visits", 2), ("new_prospects", 3))
SORT_ATTAINMENT = (("mtd", 0), ("qtd", 1), ("ytd", 2))
SORT_KEYS = (
    "rep",
    *(key for key, _ in SORT_ACTIVITY),
    *(key for key, _ in SORT_ATTAINMENT),
    "pipeline",
    "forecast",
    "remaining_quota",
)


def _row_for(rep: User, kpi: WeeklyKPI | None) -> TeamRow:
    def value(name: str):
        return getattr(kpi, name) if kpi is not None else 0

    remaining = Decimal(value("quota_year")) - Decimal(value("revenue_ytd"))
    return TeamRow(
        rep=rep,
        kpi=kpi,
        activity=[
            Measure(label, value(a), value(g), slug=a.replace("_", "-"))
            for label, a, g in ACTIVITY_METRICS
        ],
        attainment=[
            Measure(label, Decimal(value(r)), Decimal(value(q)))
            for label, r, q in ATTAINMENT_PERIODS
        ],
        pipeline=Decimal(value("pipeline_value")),
        forecast=Decimal(value("forecast")),
        remaining_quota=max(remaining, ZERO),
    )


def team_table(*, reps: list[User], week: str, sort: str = "rep") -> list[TeamRow]:
    """Each rep's WeeklyKPI snapshot for the week, against goal and quota: one query.
    A rep whose week is not computed yet gets a row with kpi=None (shown as "not computed").
    `sort` is one of SORT_KEYS, "-" first for descending; anything else sorts by rep."""
    from coaching.ramp import ramp_statuses

    kpis = {k.rep_id: k for k in WeeklyKPI.objects.filter(rep__in=[r.pk for r in reps], week=week)}
    rows = [_row_for(rep, kpis.get(rep.pk)) for rep in reps]
    ramps = ramp_statuses(reps=reps, week=week)  # no query: dashboard_reps carries schedules
    for row in rows:
        row.ramp = ramps.get(row.rep.pk)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key not in SORT_KEYS:
        key, descending = "rep", False
    rows.sort(key=lambda row: row.sort_value(key), reverse=descending)
    return rows


def team_totals(rows: list[TeamRow]) -> TeamRow | None:
    """The team line: sums of every rep's actuals and targets (percentages of the sums)."""
    if not rows:
        return None

    def total(getter):
        return sum((getter(row) for row in rows), start=0)

    return TeamRow(
        rep=None,
        kpi=next((row.kpi for row in rows if row.kpi is not None), None),
        activity=[
            Measure(
                m.label,
                total(lambda r, i=i: r.activity[i].actual),
                total(lambda r, i=i: r.activity[i].target),
                slug=m.slug,
            )
            for i, m in enumerate(rows[0].activity)
        ],
        attainment=[
            Measure(
                m.label,
                total(lambda r, i=i: r.attainment[i].actual),
                total(lambda r, i=i: r.attainment[i].target),
            )
            for i, m in enumerate(rows[0].attainment)
        ],
        pipeline=total(lambda r: r.pipeline),
        forecast=total(lambda r: r.forecast),
        remaining_quota=total(lambda r: r.remaining_quota),
    )


# --- At-risk reps (issue 13) ---------------------------------------------------------------

SPARK_WEEKS = 8
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 28, 2


@dataclass
class Sparkline:
    """A rep's weekly activity (calls + meetings + visits) against the goal, oldest week
    first, as SVG polyline points (drawn server-side: no script)."""

    weeks: list[str]
    values: list[int]
    goals: list[int]
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT

    def _points(self, series: list[int]) -> str:
        top = max([*self.values, *self.goals, 1])
        step = (self.width - 2 * SPARK_PAD) / max(len(series) - 1, 1)
        span = self.height - 2 * SPARK_PAD
        return " ".join(
            f"{SPARK_PAD + i * step:.1f},{self.height - SPARK_PAD - value * span / top:.1f}"
            for i, value in enumerate(series)
        )

    @property
    def points(self) -> str:
        return self._points(self.values)

    @property
    def goal_points(self) -> str:
        return self._points(self.goals) if any(self.goals) else ""

    @property
    def label(self) -> str:
        pairs = ", ".join(f"{w}: {v}" for w, v in zip(self.weeks, self.values, strict=True))
        return _("Activities per week (calls, meetings, visits): %(weeks)s") % {"weeks": pairs}


@dataclass
class AtRiskRep:
    rep: User
    flags: list
    sparkline: Sparkline


def at_risk_reps(*, reps: list[User], week: str) -> list[AtRiskRep]:
    """The reps (of `reps`, already scoped) flagged in `week` by the weekly KPI job, most
    flags first, each with their flags and an activity sparkline over the SPARK_WEEKS weeks
    ending with `week`: two queries (one when nobody is flagged)."""
    from reports.risk import risk_flags_for

    flags = risk_flags_for(reps=reps, week=week)
    if not flags:
        return []
    weeks = [shift_week(week, -n) for n in range(SPARK_WEEKS - 1, -1, -1)]
    series: dict[int, dict[str, tuple[int, int]]] = {}
    rows = WeeklyKPI.objects.filter(rep_id__in=list(flags), week__in=weeks).values_list(
        "rep_id",
        "week",
        "calls",
        "meetings",
        "visits",
        "goal_calls",
        "goal_meetings",
        "goal_visits",
    )
    for rep_id, w, calls, meetings, visits, g_calls, g_meetings, g_visits in rows:
        series.setdefault(rep_id, {})[w] = (
            calls + meetings + visits,
            g_calls + g_meetings + g_visits,
        )
    flagged = []
    for position, rep in enumerate(reps):
        if rep.pk not in flags:
            continue
        by_week = series.get(rep.pk, {})
        spark = Sparkline(
            weeks=weeks,
            values=[by_week.get(w, (0, 0))[0] for w in weeks],
            goals=[by_week.get(w, (0, 0))[1] for w in weeks],
        )
        flagged.append((-len(flags[rep.pk]), position, AtRiskRep(rep, flags[rep.pk], spark)))
    return [item for _, _, item in sorted(flagged, key=lambda t: t[:2])]


# --- Charts ------------------------------------------------------------------------------


def activity_trend(*, reps: list[User], week: str) -> dict:
    """Calls, meetings, visits and new prospects per week over the TREND_WEEKS weeks ending
    with `week`, summed over the reps, with the summed goals: one GROUP BY query."""
    weeks = [shift_week(week, -n) for n in range(TREND_WEEKS - 1, -1, -1)]
    sums = {}
    for _label, actual, goal in ACTIVITY_METRICS:
        sums[actual] = Sum(actual)
        sums[goal] = Sum(goal)
    rows = (
        WeeklyKPI.objects.filter(rep__in=[r.pk for r in reps], week__in=weeks)
        .order_by()
        .values("week")
        .annotate(**sums)
    )
    by_week = {row["week"]: row for row in rows}
    series = {}
    for _label, actual, goal in ACTIVITY_METRICS:
        series[actual] = [int(by_week.get(w, {}).get(actual) or 0) for w in weeks]
        series[goal] = [int(by_week.get(w, {}).get(goal) or 0) for w in weeks]
    return {"labels": weeks, **series}


def _month_starts(*, end: date, count: int = MONTHS) -> list[date]:
    """First days of the `count` months ending with `end`'s month, oldest first."""
    year, month = end.year, end.month
    starts = []
    for _month in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _credited_rep():
    """Who a won deal counts for: the rep credited at close (else, for older rows, its owner)."""
    return Coalesce("credited_to_id", "owner_id")


@dataclass
class RepConsistency:
    """A rep's monthly quota attainment over the last months and how steady it is."""

    rep: User
    percents: list[Decimal | None]
    mean: Decimal | None
    spread: Decimal | None  # standard deviation / mean of the monthly attainment, in %

    @property
    def consistency(self) -> str:
        """The untranslated code: "none" (no quota), "steady", "uneven" or "swinging"."""
        if self.spread is None:
            return "none"
        if self.spread <= 15:
            return "steady"
        if self.spread <= 35:
            return "uneven"
        return "swinging"

    @property
    def label(self) -> str:
        return str(CONSISTENCY_LABELS[self.consistency])

    @property
    def level(self) -> str:
        return {"steady": "ok", "uneven": "warn", "swinging": "bad"}.get(self.consistency, "none")


CONSISTENCY_LABELS = {
    "none": gettext_lazy("no quota"),
    "steady": gettext_lazy("steady"),
    "uneven": gettext_lazy("uneven"),
    "swinging": gettext_lazy("swinging"),
}


def _spread(percents: list[Decimal]) -> tuple[Decimal | None, Decimal | None]:
    if not percents:
        return None, None
    mean = statistics.fmean(float(p) for p in percents)
    if mean == 0:
        return Decimal(0), None
    cv = statistics.pstdev(float(p) for p in percents) / mean * 100
    return Decimal(str(round(mean))), Decimal(str(round(cv)))


def monthly_attainment(*, reps: list[User], end: date) -> dict:
    """Quota attainment per month over the MONTHS months ending with `end`'s month, per rep
    and for the whole selection, with each rep's consistency (spread = standard deviation /
    mean of the months that have a quota). Two GROUP BY queries: monthly quotas, and won
    revenue per credited rep and month."""
    months = _month_starts(end=end)
    rep_ids = [r.pk for r in reps]
    quotas = (
        Quota.objects.filter(
            rep_id__in=rep_ids,
            period=PeriodKind.MONTH,
            period_start__gte=months[0],
            period_start__lte=months[-1],
        )
        .annotate(revenue_c=to_company("revenue", on="period_start"))
        .values_list("rep_id", "period_start", "revenue_c")
    )
    # In the company currency (crm.currency); a quota without a rate counts as not set.
    quota = {
        (rep_id, start.replace(day=1)): revenue
        for rep_id, start, revenue in quotas
        if revenue is not None
    }
    won = (
        Deal.objects.filter(
            stage_id=DealStage.WON, closed_at__gte=months[0], closed_at__lt=_next_month(end)
        )
        .annotate(credited=_credited_rep(), month=TruncMonth("closed_at"))
        .filter(credited__in=rep_ids)
        .order_by()
        .values("credited", "month")
        .annotate(total=Sum(to_company(on="closed_at")))
    )
    revenue = {(row["credited"], row["month"]): row["total"] for row in won}
    per_rep = []
    for rep in reps:
        percents = [
            _percent(revenue.get((rep.pk, m), ZERO), quota.get((rep.pk, m))) for m in months
        ]
        mean, spread = _spread([p for p in percents if p is not None])
        per_rep.append(RepConsistency(rep=rep, percents=percents, mean=mean, spread=spread))
    team = []
    for m in months:
        target = sum((quota.get((r.pk, m), ZERO) for r in reps), start=ZERO)
        actual = sum((revenue.get((r.pk, m), ZERO) for r in reps), start=ZERO)
        team.append(_percent(actual, target))
    return {"months": months, "reps": per_rep, "team": team}


def _cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def year_over_year(*, reps: list[User], year: int) -> dict:
    """Won revenue per month of `year` and of the year before, credited to the reps: one
    GROUP BY query."""
    rows = (
        Deal.objects.filter(
            stage_id=DealStage.WON,
            closed_at__gte=date(year - 1, 1, 1),
            closed_at__lt=date(year + 1, 1, 1),
        )
        .annotate(credited=_credited_rep(), month=TruncMonth("closed_at"))
        .filter(credited__in=[r.pk for r in reps])
        .order_by()
        .values("month")
        .annotate(total=Sum(to_company(on="closed_at")))
    )
    by_month = {
        (row["month"].year, row["month"].month): _cents(row["total"] or ZERO) for row in rows
    }
    return {
        "year": year,
        "this_year": [by_month.get((year, m), ZERO) for m in range(1, 13)],
        "last_year": [by_month.get((year - 1, m), ZERO) for m in range(1, 13)],
    }


def _stage_position(field_name: str):
    return Case(
        *(When(**{field_name: code}, then=Value(i)) for i, code in enumerate(FUNNEL)),
        default=Value(-1),
        output_field=IntegerField(),
    )


@dataclass
class FunnelStep:
    code: str
    label: str
    reached: int
    moved_on: int | None  # reached the next stage; None for the last one

    @property
    def conversion(self) -> Decimal | None:
        if self.moved_on is None:
            return None
        return _percent(self.moved_on, self.reached)


def funnel(*, deals: QuerySet[Deal], since: date) -> list[FunnelStep]:
    """How far the deals created since `since` got: per deal the furthest funnel stage it
    ever reached (stage history and current stage; lost is not a step), then how many
    reached each stage and the share of those that moved on to the next. One query."""
    furthest_change = (
        DealStageChange.objects.filter(deal_id=OuterRef("pk"))
        .order_by()
        .values("deal_id")
        .annotate(top=Max(_stage_position("to_stage")))
        .values("top")[:1]
    )
    won = FUNNEL.index(DealStage.WON)  # the last step: a won deal got furthest already
    rows = (
        deals.filter(created_at__date__gte=since)
        .order_by()
        .annotate(
            furthest=Case(
                When(stage_id=DealStage.WON, then=Value(won)),
                default=Greatest(
                    Coalesce(Subquery(furthest_change, output_field=IntegerField()), Value(0)),
                    _stage_position("stage_id"),
                    Value(0),
                ),
                output_field=IntegerField(),
            )
        )
        .values("furthest")
        .annotate(n=Count("id"))
    )
    at_least = dict.fromkeys(range(len(FUNNEL)), 0)
    for row in rows:
        for i in range(row["furthest"] + 1):
            at_least[i] += row["n"]
    return [
        FunnelStep(
            code=code,
            label=DealStage(code).label,
            reached=at_least[i],
            moved_on=at_least[i + 1] if i + 1 < len(FUNNEL) else None,
        )
        for i, code in enumerate(FUNNEL)
    ]


# --- Lists that call for action -----------------------------------------------------------


def stage_median_days(*, since: datetime) -> dict[str, Decimal]:
    """The median time (days) deals spent in each open stage, over stage changes since
    `since`: the time from entering a stage to the deal's next change. Company-wide, so
    "usual" is the same yardstick for every team. One query (PostgreSQL percentile_cont;
    elsewhere, e.g. SQLite in development, the spans are fetched and the median taken here)."""
    spans_sql = """
        SELECT to_stage AS stage,
               LEAD(changed_at) OVER (PARTITION BY deal_id ORDER BY changed_at, id)
                   AS left_at,
               changed_at
          FROM crm_dealstagechange
         WHERE changed_at >= %s
    """
    open_stages = [str(s) for s in OPEN_STAGES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                SELECT stage,
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY EXTRACT(EPOCH FROM (left_at - changed_at)))
                  FROM ({spans_sql}) AS spans
                 WHERE left_at IS NOT NULL AND stage = ANY(%s)
                 GROUP BY stage
                """,
                [since, open_stages],
            )
            return {
                stage: Decimal(str(seconds)) / 86400
                for stage, seconds in cursor.fetchall()
                if seconds is not None
            }
        cursor.execute(spans_sql, [since])
        spans: dict[str, list[float]] = {}
        for stage, left_at, changed_at in cursor.fetchall():
            if left_at is None or stage not in open_stages:
                continue
            left_at, changed_at = (
                v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
                for v in (left_at, changed_at)
            )
            spans.setdefault(stage, []).append((left_at - changed_at).total_seconds())
        return {s: Decimal(str(statistics.median(v))) / 86400 for s, v in spans.items()}


def cached_stage_median_days(*, now: datetime) -> dict[str, Decimal]:
    """stage_median_days over the last 365 days, cached (settings.DASHBOARD_MEDIANS_CACHE_
    SECONDS, default 6 hours; 0 turns the cache off). The medians are a slow-moving,
    company-wide yardstick, but computing them reads every stage change of the year
    (~2.4 s on 1,000,000 changes): the dashboard must not pay that on every request."""
    seconds = settings.DASHBOARD_MEDIANS_CACHE_SECONDS
    since = now - timedelta(days=365)
    if not seconds:
        return stage_median_days(since=since)
    key = f"dashboard:stage-medians:{connection.settings_dict['NAME']}:{now:%Y-%m-%d}"
    medians = cache.get(key)
    if medians is None:
        medians = stage_median_days(since=since)
        cache.set(key, medians, seconds)
    return medians


def reps_deals(*, user: User, reps: list[User]) -> QuerySet[Deal]:
    """The deals the selected reps own, within the pipeline `user` may see (the funnel and
    the stuck deals are about the reps' own work). Read from crm_deal alone: the wider
    deals_visible_to would join every deal to its customer to find the same rows."""
    return pipeline_deals_for(user=user).filter(owner_id__in=[r.pk for r in reps])


def stuck_deals(*, deals: QuerySet[Deal], now: datetime, medians: dict[str, Decimal]):
    """Open deals whose time in their current stage exceeds STUCK_FACTOR × the median time
    deals spend there (STUCK_FALLBACK_DAYS for a stage without history), longest first,
    each annotated `in_stage_since` and `usual_days`. One query, filtered in SQL."""
    limits = {
        stage: Decimal(STUCK_FACTOR) * medians.get(stage, Decimal(STUCK_FALLBACK_DAYS))
        for stage in OPEN_STAGES
    }
    since = Coalesce("stage_changed_at", "created_at", output_field=DateTimeField())
    condition = Q()
    for stage, days in limits.items():
        condition |= Q(stage_id=stage, in_stage_since__lt=now - timedelta(days=float(days)))
    usual = Case(
        *(
            When(stage_id=stage, then=Value(medians.get(stage, Decimal(STUCK_FALLBACK_DAYS))))
            for stage in OPEN_STAGES
        ),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )
    return (
        deals.filter(stage_id__in=OPEN_STAGES)
        .annotate(in_stage_since=since, usual_days=usual)
        .filter(condition)
        .select_related("customer", "owner", "stage")
        .order_by("in_stage_since", "id")
    )


def days_since(moment: datetime, now: datetime) -> int:
    return max(0, (now - moment).days)


def unvisited_key_customers(*, reps: list[User], now: datetime) -> QuerySet[Customer]:
    """Key customers of the reps visited less often in the last 12 months than their
    owner's expectation profile asks (visits per primary / secondary customer per year;
    without a profile PRODUCT.md's 3 and 1), fewest visits first, annotated `visits` and
    `visits_target`. One query: the visit count and the target are correlated subqueries."""
    year_ago = now - timedelta(days=365)
    visits = (
        Activity.objects.filter(
            customer_id=OuterRef("pk"), kind=ActivityKind.VISIT, occurred_at__gte=year_ago
        )
        .order_by()
        .values("customer_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )

    def target(metric: str, default: int):
        item = ExpectationItem.objects.filter(
            profile__rep_id=OuterRef("owner_id"), metric=metric
        ).values("target")[:1]
        return Coalesce(
            Subquery(item, output_field=MONEY),
            Value(Decimal(default)),
            output_field=MONEY,
        )

    visits_target = Case(
        When(
            segment=Segment.PRIMARY,
            then=target(ExpectationMetric.VISITS_PER_PRIMARY, DEFAULT_VISITS[Segment.PRIMARY]),
        ),
        default=target(ExpectationMetric.VISITS_PER_SECONDARY, DEFAULT_VISITS[Segment.SECONDARY]),
        output_field=MONEY,
    )
    return (
        Customer.objects.filter(owner_id__in=[r.pk for r in reps], is_key=True)
        .annotate(
            visits=Coalesce(Subquery(visits, output_field=IntegerField()), Value(0)),
            visits_target=visits_target,
        )
        .filter(visits__lt=F("visits_target"))
        .select_related("owner")
        .order_by("visits", "name", "id")
    )


def missing_call_reports(*, reps: list[User], week: str) -> list:
    """Reps of the selection whose call report for the week is not submitted (not started,
    draft or returned), as activities.selectors.ReportStatusRow (same statuses and labels as
    the "Call reports" page). One query on the reports alone: unlike team_report_status it
    does not compute each rep's live figures, which the list does not show."""
    from activities.models import WeeklyCallReport
    from activities.selectors import ReportStatusRow

    reports = {
        r.rep_id: r
        for r in WeeklyCallReport.objects.filter(rep_id__in=[r.pk for r in reps], week=week)
    }
    rows = [ReportStatusRow(rep=rep, report=reports.get(rep.pk), figures={}) for rep in reps]
    return [row for row in rows if row.status not in ("submitted", "approved")]


# --- Everything one page shows ------------------------------------------------------------


@dataclass
class Dashboard:
    user: User
    week: str
    reps: list[User]
    team_id: int | None
    rep: User | None = None  # set on a rep's drill-down
    sort: str = "rep"
    rows: list[TeamRow] = field(default_factory=list)
    totals: TeamRow | None = None
    trend: dict = field(default_factory=dict)
    attainment: dict = field(default_factory=dict)
    yoy: dict = field(default_factory=dict)
    funnel: list[FunnelStep] = field(default_factory=list)
    stuck: list[Deal] = field(default_factory=list)
    stuck_total: int = 0
    unvisited: list[Customer] = field(default_factory=list)
    unvisited_total: int = 0
    missing: list = field(default_factory=list)
    rates_missing: list[str] = field(default_factory=list)  # currencies left out: no rate
    at_risk: list[AtRiskRep] = field(default_factory=list)

    def chart_data(self) -> dict:
        """The JSON the charts draw (json_script): money as decimal strings, month names
        and the charts' words in the user's language (static/js/dashboard.js holds none)."""
        months = self.attainment.get("months", [])
        return {
            "words": chart_words(),
            "trend": self.trend,
            "attainment": {
                "labels": [date_format(m, "M y") for m in months],
                "team": [_num(p) for p in self.attainment.get("team", [])],
                "reps": [
                    {"name": str(c.rep), "values": [_num(p) for p in c.percents]}
                    for c in self.attainment.get("reps", [])
                ],
            },
            "funnel": {
                "labels": [step.label for step in self.funnel],
                "reached": [step.reached for step in self.funnel],
                "conversion": [_num(step.conversion) for step in self.funnel],
            },
            "yoy": {
                "labels": [date_format(date(2000, m, 1), "M") for m in range(1, 13)],
                "year": self.yoy.get("year"),
                "this_year": [_num(v) for v in self.yoy.get("this_year", [])],
                "last_year": [_num(v) for v in self.yoy.get("last_year", [])],
            },
        }


def chart_words() -> dict[str, str]:
    return {
        "calls": _("Calls"),
        "calls_goal": _("Calls goal"),
        "meetings": _("Meetings"),
        "visits": _("Visits"),
        "new_prospects": _("New prospects"),
        "trend_right_axis": _("Meetings · visits · prospects"),
        "team": _("Team"),
        "attainment": _("Attainment"),
        "quota": _("Quota (100%)"),
        "no_quota": _("no quota"),
        "reached": _("Deals reaching the stage"),
        "moved_on": _("moved on to the next stage"),
    }


def _num(value) -> str | None:
    return None if value is None else str(value)


def week_end(week: str) -> date:
    return week_monday(week) + timedelta(days=6)


def first_page_and_total(qs: QuerySet, *, limit: int = PAGE_LIST_LIMIT) -> tuple[list, int]:
    """The first `limit` rows of an action list and how many rows it has in all, in ONE
    query: the total is a COUNT(*) OVER () window on the same filtered rows."""
    rows = list(qs.annotate(rows_in_all=Window(Count("pk")))[:limit])
    return rows, (rows[0].rows_in_all if rows else 0)


def _cached(name: str, *, rep_ids: list[int], extra: str, compute):
    """`compute()` cached for settings.DASHBOARD_CACHE_SECONDS (default 5 minutes; 0 turns
    the cache off), keyed by the selection of reps: the twelve-month figures (attainment,
    year over year, funnel, key customers' visits) move slowly, and on a big pipeline
    reading them on every request would blow the page's time budget."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    reps_key = hashlib.sha1(",".join(map(str, sorted(rep_ids))).encode()).hexdigest()
    key = f"dashboard:{name}:{connection.settings_dict['NAME']}:{reps_key}:{extra}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def build_dashboard(
    *,
    user: User,
    week: str,
    reps: list[User],
    team_id: int | None = None,
    rep: User | None = None,
    sort: str = "rep",
    now: datetime | None = None,
) -> Dashboard:
    """Every figure of the dashboard (or of one rep's drill-down when `rep` is given) for
    the reps in `reps`, all of them already in `user`'s scope, in a fixed number of queries
    whatever the team size: KPI table 1, trend 1, call reports 1, at-risk reps 2 (flags,
    sparklines; 1 when nobody is flagged); and, unless cached
    (_cached, cached_stage_median_days), attainment 2, year-over-year 1, funnel 1, unvisited
    key customers 1, stage medians 1, stuck deals 2 (top rows, count) and currencies
    without an exchange rate 1. Money is summed in the company currency (crm.currency)."""
    now = now or timezone.now()
    end = week_end(week)
    rep_ids = [r.pk for r in reps]
    deals = reps_deals(user=user, reps=reps)
    dash = Dashboard(user=user, week=week, reps=reps, team_id=team_id, rep=rep, sort=sort)
    dash.rows = team_table(reps=reps, week=week, sort=sort)
    dash.totals = team_totals(dash.rows) if len(dash.rows) > 1 else None
    dash.trend = activity_trend(reps=reps, week=week)

    def slow_moving() -> dict:
        unvisited, unvisited_total = first_page_and_total(
            unvisited_key_customers(reps=reps, now=now)
        )
        stuck = stuck_deals(deals=deals, now=now, medians=cached_stage_median_days(now=now))
        return {
            "stuck": list(stuck[:PAGE_LIST_LIMIT]),
            "stuck_total": stuck.count(),
            "attainment": monthly_attainment(reps=reps, end=end),
            "yoy": year_over_year(reps=reps, year=end.year),
            "funnel": funnel(deals=deals, since=_month_starts(end=end)[0]),
            "unvisited": unvisited,
            "unvisited_total": unvisited_total,
            # Currencies of the reps' deals (open, or won in the two years shown) without
            # a rate: their deals are left out of the converted sums (crm.currency).
            "rates_missing": rates_missing(
                deals=deals.filter(
                    Q(stage_id__in=OPEN_STAGES)
                    | Q(stage_id=DealStage.WON, closed_at__gte=date(end.year - 1, 1, 1))
                ),
                on=end,
            ),
        }

    bundle = _cached("figures", rep_ids=rep_ids, extra=f"{end}:{now:%Y-%m-%d}", compute=slow_moving)
    for name, value in bundle.items():
        setattr(dash, name, value)
    for deal in dash.stuck:
        deal.days_in_stage = days_since(deal.in_stage_since, now)
    dash.missing = missing_call_reports(reps=reps, week=week)
    dash.at_risk = at_risk_reps(reps=reps, week=week)
    return dash
