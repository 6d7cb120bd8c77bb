"""The weekly KPI job (issue 5, area 5B): one WeeklyKPI row per rep per ISO week.

compute_weekly_kpis works for all reps of a team (or of every team) at once with set-based
SQL: one GROUP BY query per measure group, whatever the number of reps, so the job's query
count is fixed. What each figure means:

- calls, meetings, visits, emails, prospecting, new_prospects: the rep's activities of the
  ISO week, counted exactly like the weekly call report (activities.selectors): by the
  activity's stored `week` (the ISO week in the owner's team time zone when it was logged);
  new prospects = distinct customers the week's activities touched that the rep owns and
  that were created within the week (team time zone).
- deals_created: deals created within the week (team time zone), by current owner.
- deals_won, won_value: won deals whose close date falls in the week, credited to
  `credited_to` (the owner when the deal was won), so a later reassignment or handover never
  moves past credit. Close dates are dates, so no time zone applies.
- pipeline_value, forecast: open deals at the week's end (Monday 00:00 local after the
  week): amount and amount x probability / 100, by current owner. "Open at the week's end"
  is read from the stage history (DealStageChange: the last change before the week's end;
  a deal without history counts with its current stage); for a deal whose stage then
  differs from today's, its probability is that stage's default. Amounts are today's (the
  history does not record amounts). For the current week this is the current state.
  pipeline_next_quarter: the part of pipeline_value expected to close (expected_close) in
  the quarter after the week's Sunday's (the at-risk coverage rule, issue 13).
- goal_*: reports.selectors.goals_for_reps (rep goal > team default, week > standing); a
  new rep's team default and quotas are ramped by the team's ramp schedule (coaching.ramp).
- revenue_mtd/qtd/ytd: won revenue credited to the rep from the first day of the month,
  quarter and year of the week's Sunday up to that Sunday; quota_*: the rep's Quota rows
  for that month, quarter and year (a missing quarter or year quota is the sum of its
  monthly quotas); quota_next_quarter: the quarter after's, the same way.
- commission: the commission of the deals won in the week by the commission rule of area
  5A (reports.selectors.commission_totals, the same code as the commission page and the
  deal page), as known when the snapshot is computed.

The job is idempotent (same data, same rows; only computed_at changes), upserts in one
transaction, removes rows of reps no longer in scope and clears the week's StaleWeek marks.
In the same transaction it computes the week's at-risk flags (reports.risk, issue 13) from
the rows just built and replaces the week's RiskFlag rows.
Two runs of the same week serialize on a PostgreSQL advisory lock.
"""

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Team, User
from activities.weeks import parse_week, week_bounds, week_label, week_monday
from crm.choices import OPEN_STAGES, DealStage
from crm.currency import to_company
from crm.ids import parse_id
from reports.choices import PeriodKind
from reports.models import Quota, StaleWeek, WeeklyKPI
from reports.risk import compute_risk_flags, next_quarter_of, store_risk_flags

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=4)

ACTIVITY_COUNTS = ("calls", "meetings", "visits", "emails", "prospecting")
UPDATE_FIELDS = [
    f.name
    for f in WeeklyKPI._meta.concrete_fields
    if f.name not in ("id", "rep", "week") and not f.primary_key
]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TzGroup:
    """Reps whose team shares one time zone, and that zone's bounds of the week."""

    rep_ids: tuple[int, ...]
    start: datetime
    end: datetime


def _tz_groups(*, reps: list[User], week: str) -> list[TzGroup]:
    by_tz: dict[str, list[int]] = defaultdict(list)
    for rep in reps:
        by_tz[rep.team.time_zone if rep.team_id else "UTC"].append(rep.pk)
    groups = []
    for tz_name, ids in sorted(by_tz.items()):
        start, end = week_bounds(week, _zone(tz_name))
        groups.append(TzGroup(rep_ids=tuple(ids), start=start, end=end))
    return groups


def _zone(name: str):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def reps_in_scope(*, week: str, team: Team | None = None) -> QuerySet[User]:
    """The reps a week's rows are computed for: reps of the team (or every rep), who had
    started by the week's end and had not left before it began. A rep who left keeps rows
    for the weeks they worked."""
    monday = week_monday(week)
    sunday = monday + timedelta(days=6)
    # Only what the job reads: the id, the start date, the team and its time zone (not 200
    # password hashes), and the team's ramp schedule (coaching.ramp: no query of its own).
    from coaching.ramp import with_ramp_steps

    qs = with_ramp_steps(
        User.objects.filter(role="rep").select_related("team").only("start_date", "team__time_zone")
    )
    if team is not None:
        qs = qs.filter(team=team)
    return (
        qs.filter(Q(is_active=True) | Q(last_day__gte=monday))
        .exclude(last_day__lt=monday)
        .exclude(start_date__gt=sunday)
        .order_by("pk")
    )


def _lock_key(text: str) -> int:
    """A stable signed 64-bit key for pg_advisory_xact_lock."""
    value = zlib.crc32(text.encode()) | (zlib.adler32(text.encode()) << 32)
    return value - (1 << 64) if value >= (1 << 63) else value


def _advisory_lock(*, week: str, team: Team | None) -> None:
    """Serialize runs of the same week: a run for every team takes the week's lock
    exclusively; a team run shares it and takes its (team, week) lock exclusively, so two
    runs of the same team and week (or a team run and an all-teams run) wait for each other
    while different teams proceed in parallel. Released at commit. SQLite: a no-op (it
    serializes writers anyway)."""
    if connection.vendor != "postgresql":
        return
    week_key = _lock_key(f"weekly_kpi:{week}")
    with connection.cursor() as cursor:
        # With the lock, SET LOCAL jit = off: the job's aggregates look expensive to the
        # planner, which then spends longer JIT-compiling them than running them (1.2 s of
        # 1.6 s at 300,000 deals).
        no_jit = "set_config('jit', 'off', true)"
        if team is None:
            cursor.execute(f"SELECT {no_jit}, pg_advisory_xact_lock(%s)", [week_key])
        else:
            team_key = _lock_key(f"weekly_kpi:{week}:{team.pk}")
            cursor.execute(
                f"SELECT {no_jit}, pg_advisory_xact_lock_shared(%s), pg_advisory_xact_lock(%s)",
                [week_key, team_key],
            )


# --- measure groups: one query each ---------------------------------------------------


def week_counts(
    *, week: str, monday: date, sunday: date, rep_ids: list[int] | None = None
) -> dict[int, dict]:
    """The figures the benchmark's hand-written floor computes, in the floor's shape: the
    week's activity counts per person (counted the call report's way, the shared Count
    expressions of activities.selectors) and the deals won in the week credited to each
    (count, value). Two queries, each reading one week through its index.

    `rep_ids` narrows both to a team's reps; None (a run for every team) reads the whole
    week and lets the caller pick its reps: a 200-id IN list costs more to check on every
    row than the few rows of other people it keeps out (~10 ms -> ~7 ms at 200 reps)."""
    from activities.models import Activity
    from activities.selectors import figure_aggregates
    from crm.models import Deal

    aggregates = {
        k: v for k, v in figure_aggregates(new_prospect_q=Q()).items() if k in ACTIVITY_COUNTS
    }
    activity = Activity.objects.filter(week=week)
    won = Deal.objects.filter(stage_id=DealStage.WON, closed_at__gte=monday, closed_at__lte=sunday)
    if rep_ids is not None:
        activity = activity.filter(owner_id__in=rep_ids)
        won = won.filter(credited_to_id__in=rep_ids)
    activity = activity.order_by().values("owner_id").annotate(**aggregates)
    counts = {row.pop("owner_id"): row for row in activity}
    won = (
        won.order_by()
        .values("credited_to_id")
        .annotate(deals_won=Count("id"), won_value=Sum(to_company(on="closed_at")))
    )
    for row in won:
        counts.setdefault(row.pop("credited_to_id"), {}).update(row)
    return counts


def _new_prospects(*, week: str, groups: list[TzGroup]) -> dict[int, int]:
    """New prospects per rep, the call report's rule: distinct customers the rep owns,
    created within the week (team time zone), that the rep's activities of the week
    touched. Counted from the customer side (few customers are new in a week) rather than
    by joining every activity of the week to its customer, which costs 8x more."""
    from activities.models import Activity
    from crm.models import Customer

    created = Q(pk__in=[])
    for g in groups:
        created |= Q(owner_id__in=g.rep_ids, created_at__gte=g.start, created_at__lt=g.end)
    touched = Activity.objects.filter(
        customer_id=OuterRef("pk"), owner_id=OuterRef("owner_id"), week=week
    )
    rows = (
        Customer.objects.filter(created)
        .filter(Exists(touched))
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {row["owner_id"]: row["n"] for row in rows}


def _deals_created(*, groups: list[TzGroup]) -> dict[int, int]:
    from crm.models import Deal

    window = Q(pk__in=[])
    for g in groups:
        window |= Q(owner_id__in=g.rep_ids, created_at__gte=g.start, created_at__lt=g.end)
    rows = Deal.objects.filter(window).order_by().values("owner_id").annotate(n=Count("id"))
    return {row["owner_id"]: row["n"] for row in rows}


def _revenue_to_date(*, rep_ids: list[int], sunday: date) -> dict[int, dict]:
    """Won revenue credited to the reps month, quarter and year to date (of the week's
    Sunday), in one conditional aggregate over the year's won deals (index-only on
    crm_deal_won_credit_idx)."""
    from crm.models import Deal

    month_start = sunday.replace(day=1)
    quarter_start = date(sunday.year, 3 * ((sunday.month - 1) // 3) + 1, 1)
    year_start = date(sunday.year, 1, 1)
    won = to_company(on="closed_at")  # in the company currency on the close date
    rows = (
        Deal.objects.filter(
            stage_id=DealStage.WON,
            credited_to_id__in=rep_ids,
            closed_at__gte=year_start,
            closed_at__lte=sunday,
        )
        .order_by()
        .values("credited_to_id")
        .annotate(
            revenue_mtd=Sum(won, filter=Q(closed_at__gte=month_start)),
            revenue_qtd=Sum(won, filter=Q(closed_at__gte=quarter_start)),
            revenue_ytd=Sum(won),
        )
    )
    return {row.pop("credited_to_id"): row for row in rows}


def _pipeline(*, groups: list[TzGroup], monday: date) -> dict[int, dict]:
    """Open pipeline and weighted forecast at the week's end, by current owner (see the
    module docstring), in two queries whose filters the planner can estimate:

    - deals whose stage has not changed since the week's end: their stage then is today's,
      so they count when open today, with today's probability (most of the pipeline; a
      plain filter over the open deals);
    - deals whose stage changed since (or never recorded a change): their stage then comes
      from the stage history (index deal, changed_at); for a recent week these are few
      (index stage_changed_at).

    One query with a CASE choosing between the two was estimated at 2,000 rows instead of
    134,000 and walked the owner index over every deal (~300 ms at 300,000 deals)."""
    from crm.models import Deal, DealStageChange, Stage

    unchanged, changed = Q(pk__in=[]), Q(pk__in=[])
    for g in groups:
        created = Q(owner_id__in=g.rep_ids, created_at__lt=g.end)
        unchanged |= created & Q(stage_changed_at__lt=g.end)
        changed |= created & (Q(stage_changed_at__gte=g.end) | Q(stage_changed_at__isnull=True))
    if len(groups) == 1:
        week_end = Value(groups[0].end)
    else:
        week_end = Case(
            *[When(owner_id__in=g.rep_ids, then=Value(g.end)) for g in groups],
            output_field=Deal._meta.get_field("created_at"),
        )
    stage_then = (
        DealStageChange.objects.filter(deal_id=OuterRef("pk"), changed_at__lt=OuterRef("w_end"))
        .order_by("-changed_at", "-id")
        .values("to_stage")[:1]
    )
    defaults = Stage.objects.filter(code__in=OPEN_STAGES).values_list("code", "default_probability")
    probability_then = Case(
        When(stage_then=F("stage_id"), then=F("probability")),
        *[When(stage_then=code, then=Value(p)) for code, p in defaults],
        default=Value(0),
    )
    still = Deal.objects.filter(unchanged, stage_id__in=OPEN_STAGES).annotate(
        weight=F("probability")
    )
    moved = (
        Deal.objects.filter(changed)
        .filter(Q(stage_id__in=OPEN_STAGES) | Q(closed_at__isnull=True) | Q(closed_at__gte=monday))
        .annotate(w_end=week_end)
        .annotate(stage_then=Coalesce(Subquery(stage_then), F("stage_id")))
        .filter(stage_then__in=OPEN_STAGES)
        .annotate(weight=probability_then)
    )
    # The part expected to close next quarter (the at-risk coverage rule, reports.risk),
    # summed in the same scan.
    nq_start, nq_end = next_quarter_of(monday + timedelta(days=6))
    next_quarter = Q(expected_close__gte=nq_start, expected_close__lt=nq_end)
    # In the company currency at the rate valid on the week's Sunday (crm.currency): the
    # same week always gives the same figures, whatever rates are added later.
    amount = to_company(on=monday + timedelta(days=6))
    result: dict[int, dict] = {}
    for part in (still, moved):
        rows = (
            part.order_by()
            .values("owner_id")
            .annotate(
                pipeline_value=Sum(amount),
                forecast=Sum(
                    ExpressionWrapper(amount * F("weight") / Value(100), output_field=MONEY)
                ),
                pipeline_next_quarter=Sum(amount, filter=next_quarter),
            )
        )
        for row in rows:
            totals = result.setdefault(
                row["owner_id"],
                {"pipeline_value": ZERO, "forecast": ZERO, "pipeline_next_quarter": ZERO},
            )
            totals["pipeline_value"] += row["pipeline_value"] or ZERO
            totals["forecast"] += row["forecast"] or ZERO
            totals["pipeline_next_quarter"] += row["pipeline_next_quarter"] or ZERO
    return result


def _quota_rows(*, rep_ids: list[int], monday: date, sunday: date) -> list[tuple]:
    """(rep id, period, period start, revenue) of every quota in the years the week
    touches, and up to the end of the quarter after the Sunday's; one query. Revenue in the
    company currency at the rate of the period's first day (crm.currency); a quota in a
    currency without a rate then is left out, as if not set."""
    rows = Quota.objects.filter(
        rep_id__in=rep_ids,
        period_start__gte=date(monday.year, 1, 1),
        period_start__lt=max(date(sunday.year + 1, 1, 1), next_quarter_of(sunday)[1]),
    ).annotate(revenue_c=to_company("revenue", on="period_start"))
    return [
        row
        for row in rows.values_list("rep_id", "period", "period_start", "revenue_c")
        if row[3] is not None
    ]


def _quotas(*, rep_ids: list[int], sunday: date, rows: list[tuple]) -> dict[int, dict]:
    """Quota revenue of the month, quarter and year of the week's Sunday, and of the quarter
    after; a missing quarter or year quota is rolled up from the monthly quotas."""
    month_start = sunday.replace(day=1)
    quarter_start = date(sunday.year, 3 * ((sunday.month - 1) // 3) + 1, 1)
    year_start = date(sunday.year, 1, 1)
    nq_start, nq_end = next_quarter_of(sunday)
    next_direct: dict[int, Decimal] = {}
    next_months: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for rep_id, period, start, revenue in rows:
        if period == PeriodKind.QUARTER and start == nq_start:
            next_direct[rep_id] = revenue
        elif period == PeriodKind.MONTH and nq_start <= start < nq_end:
            next_months[rep_id] += revenue
    rows = [row for row in rows if row[2].year == sunday.year]
    direct: dict[tuple, Decimal] = {}
    months: dict[int, dict[date, Decimal]] = defaultdict(dict)
    quarters: dict[int, list[Decimal]] = defaultdict(list)
    for rep_id, period, start, revenue in rows:
        direct[(rep_id, period, start)] = revenue
        if period == PeriodKind.MONTH:
            months[rep_id][start] = revenue
        elif period == PeriodKind.QUARTER:
            quarters[rep_id].append(revenue)
    result = {}
    quarter_months = {date(sunday.year, quarter_start.month + i, 1) for i in range(3)}
    for rep_id in rep_ids:
        monthly = months.get(rep_id, {})
        quarter = direct.get((rep_id, PeriodKind.QUARTER, quarter_start))
        if quarter is None:
            quarter = sum((v for k, v in monthly.items() if k in quarter_months), ZERO)
        year = direct.get((rep_id, PeriodKind.YEAR, year_start))
        if year is None:
            entered = quarters.get(rep_id, [])
            year = sum(entered, ZERO) if len(entered) == 4 else sum(monthly.values(), ZERO)
        result[rep_id] = {
            "quota_month": direct.get((rep_id, PeriodKind.MONTH, month_start), ZERO),
            "quota_quarter": quarter,
            "quota_year": year,
            "quota_next_quarter": next_direct.get(rep_id, next_months.get(rep_id, ZERO)),
        }
    return result


# --- the job ----------------------------------------------------------------------------


def build_kpi_rows(*, week: str, reps: list[User], every_team: bool = False) -> list[WeeklyKPI]:
    """The week's rows for the given reps, unsaved; a fixed number of queries.
    `every_team`: the reps are everyone's (the weekly figures then read the whole week)."""
    from coaching.ramp import ramp_statuses, ramped_quotas
    from reports.selectors import commission_totals, goals_for_reps

    if not reps:
        return []
    monday = week_monday(week)
    sunday = monday + timedelta(days=6)
    rep_ids = [rep.pk for rep in reps]
    groups = _tz_groups(reps=reps, week=week)
    counts = week_counts(
        week=week, monday=monday, sunday=sunday, rep_ids=None if every_team else rep_ids
    )
    prospects = _new_prospects(week=week, groups=groups)
    created = _deals_created(groups=groups)
    revenue = _revenue_to_date(rep_ids=rep_ids, sunday=sunday)
    pipeline = _pipeline(groups=groups, monday=monday)
    # A new rep's goals and quotas rise by their team's ramp schedule (coaching.ramp).
    ramps = ramp_statuses(reps=reps, week=week)
    goals = goals_for_reps(reps=reps, week=week, ramps=ramps)
    quota_rows = _quota_rows(rep_ids=rep_ids, monday=monday, sunday=sunday)
    quotas = _quotas(rep_ids=rep_ids, sunday=sunday, rows=quota_rows)
    quotas = {rep_id: ramped_quotas(q, ramps.get(rep_id)) for rep_id, q in quotas.items()}
    commissions = commission_totals(rep_ids=rep_ids, start=monday, end=sunday)
    now = timezone.now()
    rows = []
    for rep in reps:
        acts = counts.get(rep.pk, {})
        won = revenue.get(rep.pk, {})
        pipe = pipeline.get(rep.pk, {})
        goal = goals.get(rep.pk, {})
        rows.append(
            WeeklyKPI(
                rep_id=rep.pk,
                team_id=rep.team_id,
                week=week,
                **{name: acts.get(name, 0) for name in ACTIVITY_COUNTS},
                new_prospects=prospects.get(rep.pk, 0),
                deals_created=created.get(rep.pk, 0),
                deals_won=acts.get("deals_won", 0),
                won_value=_money(acts.get("won_value")),
                pipeline_value=_money(pipe.get("pipeline_value")),
                pipeline_next_quarter=_money(pipe.get("pipeline_next_quarter")),
                forecast=_money(pipe.get("forecast")),
                goal_calls=goal.get("calls", 0),
                goal_meetings=goal.get("meetings", 0),
                goal_visits=goal.get("visits", 0),
                goal_new_prospects=goal.get("new_prospects", 0),
                revenue_mtd=_money(won.get("revenue_mtd")),
                revenue_qtd=_money(won.get("revenue_qtd")),
                revenue_ytd=_money(won.get("revenue_ytd")),
                **{k: _money(v) for k, v in quotas[rep.pk].items()},
                commission=_money(commissions.get(rep.pk)),
                computed_at=now,
            )
        )
    return rows


def compute_weekly_kpis(*, week: str, team: Team | None = None) -> int:
    """Compute and store the ISO week's KPI rows for every rep of `team` (or of every team
    and none); returns how many rows were written. Safe to run again at any time: the rows
    are upserted, so the same data always gives the same rows."""
    try:
        parse_week(week)
    except ValidationError as exc:
        raise ValidationError({"week": exc.messages}) from exc
    started = timezone.now()
    with transaction.atomic():
        _advisory_lock(week=week, team=team)
        reps = list(reps_in_scope(week=week, team=team))
        rows = build_kpi_rows(week=week, reps=reps, every_team=team is None)
        if rows:
            WeeklyKPI.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["rep", "week"],
                update_fields=UPDATE_FIELDS,
            )
        gone = WeeklyKPI.objects.filter(week=week).exclude(rep_id__in=[r.pk for r in reps])
        if team is not None:
            gone = gone.filter(team=team)
        gone.delete()
        # At-risk flags (issue 13, reports.risk): from the rows just built, for all the
        # reps at once; at most five queries whatever the number of reps or customers.
        flags = compute_risk_flags(week=week, reps=reps, rows=rows)
        store_risk_flags(week=week, reps=reps, flags=flags, team=team, now=timezone.now())
        marks = StaleWeek.objects.filter(week=week, marked_at__lte=started)
        if team is not None:
            marks = marks.filter(team=team)
        marks.delete()
        # Badges (issue 13, coaching.recognition): a task of their own, queued on commit.
        from coaching.recognition import queue_badge_awards

        queue_badge_awards(week=week, team_id=team.pk if team is not None else None)
    return len(rows)


# --- late data: a change landing in a past week marks that week stale ------------------


def _maybe_past(week: str) -> bool:
    """Cheap pre-check without queries: could `week` be over in some time zone already?
    (Nowhere on earth is it later than UTC + 14 h.)"""
    return week < week_label((timezone.now() + timedelta(hours=14)).date())


def mark_weeks_stale(*, pairs) -> int:
    """Mark (team id, week) pairs stale when the week is over in that team's time zone
    (a running week is never snapshot-final, so it needs no mark). Upserts StaleWeek:
    at most two queries whatever the number of pairs; none when no week can be past."""
    pairs = {(team_id, week) for team_id, week in pairs if week and _maybe_past(week)}
    if not pairs:
        return 0
    zones = dict(
        Team.objects.filter(pk__in={t for t, _ in pairs if t}).values_list("pk", "time_zone")
    )
    past = [
        (team_id, week)
        for team_id, week in sorted(pairs, key=lambda p: (p[0] or 0, p[1]))
        if week < current_week_of(zones.get(team_id, "UTC"))
    ]
    if not past:
        return 0
    now = timezone.now()
    with_team = [StaleWeek(team_id=t, week=w, marked_at=now) for t, w in past if t]
    StaleWeek.objects.bulk_create(
        with_team,
        update_conflicts=True,
        unique_fields=["team", "week"],
        update_fields=["marked_at"],
    )
    for _, week in [p for p in past if not p[0]]:
        StaleWeek.objects.update_or_create(team=None, week=week)
    return len(past)


def mark_activities_stale(*, activities) -> int:
    """Activities logged, changed or removed for a week that is over: mark their weeks."""
    late = [a for a in activities if _maybe_past(a.week)]
    return mark_weeks_stale(pairs={(a.owner.team_id, a.week) for a in late})


def mark_deal_stale(*, deal) -> int:
    """A closed deal whose close date lies in a past week: mark that week and the later
    weeks of the same year (their revenue MTD/QTD/YTD include it) for the team of the rep
    it is credited to (or its owner). Call it before and after a change, so both the old
    and the new close date are covered. No query for an open deal or a current close."""
    if not deal.closed_at:
        return 0
    first = week_label(deal.closed_at)
    if not _maybe_past(first):
        return 0
    rep_id = deal.credited_to_id or deal.owner_id
    team_id = User.objects.filter(pk=rep_id).values_list("team_id", flat=True).first()
    weeks, monday = [], week_monday(first)
    last = week_label((timezone.now() + timedelta(hours=14)).date())
    while True:
        label = week_label(monday)
        sunday_year = (monday + timedelta(days=6)).year
        if label >= last or (weeks and sunday_year > deal.closed_at.year):
            break
        weeks.append(label)
        monday += timedelta(days=7)
    return mark_weeks_stale(pairs={(team_id, w) for w in weeks})


def current_week_of(tz_name: str) -> str:
    return week_label(timezone.localdate(timezone.now(), _zone(tz_name)))


# --- scheduling helpers -----------------------------------------------------------------


def run_weekly_kpi_job(*, local_hour: int) -> list[str]:
    """For each team where it is now Monday `local_hour`:00-59 local, compute the ISO week
    that just ended there, then mail the team's manager the digest (once per manager and
    week). Returns "team_id:week" for each team done."""
    from reports.digest import send_team_digest

    done = []
    for team, week in teams_due_for_weekly_run(local_hour=local_hour):
        compute_weekly_kpis(week=week, team=team)
        send_team_digest(team=team, week=week)
        done.append(f"{team.pk}:{week}")
    return done


def teams_due_for_weekly_run(*, local_hour: int, now: datetime | None = None) -> list:
    """[(team, week that just ended there)] for the teams where it is now Monday between
    local_hour:00 and local_hour:59 (team time zone). One query."""
    now = now or timezone.now()
    due = []
    for team in Team.objects.select_related("manager").order_by("pk"):
        local = timezone.localtime(now, _zone(team.time_zone))
        if local.isoweekday() == 1 and local.hour == local_hour:
            due.append((team, week_label(local.date() - timedelta(days=7))))
    return due


def recompute_stale_weeks(*, limit: int = 200) -> int:
    """Recompute the oldest `limit` (team, week) snapshots marked stale; each run clears
    its own mark (compute_weekly_kpis), so a mark added meanwhile survives for the next."""
    marks = list(StaleWeek.objects.select_related("team").order_by("marked_at", "pk")[:limit])
    for mark in marks:
        try:
            parse_week(mark.week)
        except ValidationError:  # a week no page can show (older data): nothing to compute
            mark.delete()
            continue
        compute_weekly_kpis(week=mark.week, team=mark.team)
    return len(marks)


# --- on demand: the API's and the dashboard's recompute ---------------------------------


def may_recompute_kpis(*, user: User) -> bool:
    """Managers and admins may queue the KPI job on demand; reps only read their numbers."""
    return bool(user.is_admin or user.is_manager)


def request_kpi_recompute(*, by: User, week: str, team_id=None) -> list[int | None]:
    """Queue the KPI job for a week, after the current transaction commits (so the job sees
    what the request wrote). The one entry point of the API's and the dashboard's
    "recompute": a manager recomputes their own team(s), an admin any team or all; reps may
    not (PermissionDenied). Bad week or a team outside the caller's scope: ValidationError
    with field errors. Returns the team ids queued (None = every team)."""
    from django.core.exceptions import PermissionDenied

    from accounts.selectors import teams_visible_to

    if not may_recompute_kpis(user=by):
        raise PermissionDenied(gettext("Only managers and admins recompute KPIs."))
    errors = {}
    if not week:
        errors["week"] = [gettext("Give the ISO week to recompute, e.g. 2026-W47.")]
    else:
        try:
            parse_week(week if isinstance(week, str) else "")
        except ValidationError as exc:
            errors["week"] = exc.messages
    teams = teams_visible_to(user=by)
    if team_id not in (None, ""):
        # Whole ids only: int(1.5), int(True) and int("１") would all read as team 1.
        team_ids = [tid] if (tid := parse_id(team_id)) is not None else []
        if not team_ids or not teams.filter(pk=team_ids[0]).exists():
            errors["team"] = [gettext("Choose one of your teams.")]
    elif by.is_admin:
        team_ids = [None]
    else:
        team_ids = list(teams.values_list("pk", flat=True))
        if not team_ids:
            errors["team"] = [gettext("You manage no team.")]
    if errors:
        raise ValidationError(errors)
    from reports.tasks import compute_weekly_kpis_task

    for tid in team_ids:
        transaction.on_commit(
            lambda tid=tid: compute_weekly_kpis_task.delay(week=week, team_id=tid), robust=True
        )
    return team_ids
