"""At-risk reps (issue 13): flags the weekly KPI job computes beside the week's KPI rows.

A rep is flagged in an ISO week by each rule that fires; every flag keeps the figures it
fired on. The rules, with their settings (env, defaults):

- activity: under the activity goal in at least CRM_RISK_GOAL_MISSED_WEEKS (3) of the last
  CRM_RISK_WINDOW_WEEKS (4) weeks, this week included. A week counts as missed when its
  WeeklyKPI row has a goal (any goal_* above zero) and at least one of calls, meetings,
  visits, new prospects is under its goal; a week without a row or without a goal is not
  missed. Figures: {"missed": 3, "window": 4, "weeks": [the missed weeks]}.
- attainment: quarter-to-date quota attainment (revenue_qtd / quota_quarter of the week's
  row, the quarter of the week's Sunday) trails the share of the quarter elapsed up to the
  week's Sunday by MORE than CRM_RISK_ATTAINMENT_MARGIN (20) points; exactly 20 behind
  does not fire. No quarter quota, no flag. Figures: {"attainment": 31.5, "elapsed": 58.0,
  "gap": 26.5, "margin": 20.0}.
- coverage: the rep's open pipeline expected to close (expected_close) in the quarter after
  the week's Sunday's is worth LESS than CRM_RISK_COVERAGE_RATIO (3) x the remaining quota of
  that quarter. Both figures are on the week's WeeklyKPI row (pipeline_next_quarter: open
  at the week's end like pipeline_value; quota_next_quarter: entered, or the sum of its
  months). Nothing of next quarter can have been won by the week's end, so the remaining
  quota is the whole quota. No quota, no flag. Figures: {"coverage": 1.8, "needed": 3.0,
  "pipeline": "18000.00", "quota": "10000.00", "quarter": "2027-Q1"}.
- neglect: a key customer (crm.Customer.is_key) the rep owns had no activity logged on it
  (by anyone) in the CRM_RISK_KEY_CUSTOMER_DAYS (30) days up to the week's end (team time
  zone): days = the week's Sunday - the day of the last activity (or of the customer's
  creation when it never had one) >= 30. One flag per rep listing every such customer,
  most neglected first; "customer" and "days" name the worst one, "count" says how many,
  "customers" lists the first NEGLECT_LISTED (10). Figures: {"customer": "Acme",
  "customer_id": 7, "days": 41, "count": 2, "customers": [...]}.

compute_risk_flags reads what the week's KPI rows do not hold for all the reps at once in
two queries (the earlier weeks' KPI rows, the neglected key customers) and store_risk_flags
in at most three (the week's stored flags, an upsert keyed on (rep, week, rule) of the new
or changed ones, a delete of those that no longer fire), whatever the number of reps or
customers.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext, ngettext

from accounts.models import Team, User
from activities.weeks import parse_week, shift_week, week_bounds, week_monday
from crm.selectors import owner_scope_q
from reports.choices import RiskRule
from reports.models import RiskFlag, WeeklyKPI

TENTH = Decimal("0.1")
CENT = Decimal("0.01")
ZERO = Decimal("0")
GOAL_KINDS = ("calls", "meetings", "visits", "new_prospects")
NEGLECT_LISTED = 10  # neglected key customers a flag lists (worst first); "count" has them all


@dataclass(frozen=True)
class RiskSettings:
    missed_weeks: int
    window_weeks: int
    attainment_margin: Decimal
    coverage_ratio: Decimal
    key_customer_days: int


def risk_settings() -> RiskSettings:
    return RiskSettings(
        missed_weeks=settings.CRM_RISK_GOAL_MISSED_WEEKS,
        window_weeks=settings.CRM_RISK_WINDOW_WEEKS,
        attainment_margin=Decimal(str(settings.CRM_RISK_ATTAINMENT_MARGIN)),
        coverage_ratio=Decimal(str(settings.CRM_RISK_COVERAGE_RATIO)),
        key_customer_days=settings.CRM_RISK_KEY_CUSTOMER_DAYS,
    )


def _tenth(value: Decimal) -> float:
    return float(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP))


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter_of(day: date) -> tuple[date, date]:
    """[start, end) of the calendar quarter after the one containing `day`."""
    start = _quarter_start(day)
    index = start.year * 12 + start.month - 1 + 3
    nxt = date(index // 12, index % 12 + 1, 1)
    index += 3
    return nxt, date(index // 12, index % 12 + 1, 1)


def _zone(name: str):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


# --- the rules, each on figures already read ---------------------------------------------


@dataclass(frozen=True)
class WeekFigures:
    """What the activity rule reads of an earlier week's WeeklyKPI row."""

    week: str
    calls: int
    meetings: int
    visits: int
    new_prospects: int
    goal_calls: int
    goal_meetings: int
    goal_visits: int
    goal_new_prospects: int


def _missed_goal(row) -> bool:
    goals = [getattr(row, f"goal_{kind}") for kind in GOAL_KINDS]
    if not any(goals):
        return False
    return any(getattr(row, kind) < goal for kind, goal in zip(GOAL_KINDS, goals, strict=True))


def activity_rule(*, rows: list, conf: RiskSettings) -> dict | None:
    """`rows`: the rep's KPI rows (WeeklyKPI or WeekFigures) of the window, any order,
    missing weeks left out."""
    missed = sorted(row.week for row in rows if _missed_goal(row))
    if len(missed) < conf.missed_weeks:
        return None
    return {"missed": len(missed), "window": conf.window_weeks, "weeks": missed}


def attainment_rule(*, row: WeeklyKPI, sunday: date, conf: RiskSettings) -> dict | None:
    quota = Decimal(row.quota_quarter)
    if quota <= 0:
        return None
    start = _quarter_start(sunday)
    total_days = (next_quarter_of(sunday)[0] - start).days
    days = (sunday - start).days + 1
    revenue = Decimal(row.revenue_qtd)
    # elapsed% - attainment% > margin, cross-multiplied so the boundary is exact
    lhs = Decimal(days) * 100 * quota - revenue * 100 * total_days
    if lhs <= conf.attainment_margin * quota * total_days:
        return None
    attainment = revenue * 100 / quota
    elapsed = Decimal(days) * 100 / total_days
    return {
        "attainment": _tenth(attainment),
        "elapsed": _tenth(elapsed),
        "gap": _tenth(elapsed - attainment),
        "margin": float(conf.attainment_margin),
    }


def coverage_rule(*, row: WeeklyKPI, sunday: date, conf: RiskSettings) -> dict | None:
    pipeline, quota = Decimal(row.pipeline_next_quarter), Decimal(row.quota_next_quarter)
    start, _ = next_quarter_of(sunday)
    quarter = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if quota <= 0 or pipeline >= conf.coverage_ratio * quota:
        return None
    return {
        "coverage": _tenth(pipeline / quota),
        "needed": float(conf.coverage_ratio),
        "pipeline": str(pipeline.quantize(CENT)),
        "quota": str(quota.quantize(CENT)),
        "quarter": quarter,
    }


# --- set-based reads: one query each ------------------------------------------------------


def _earlier_rows(*, week: str, rep_ids: list[int], conf: RiskSettings) -> dict[int, list]:
    weeks = [shift_week(week, -n) for n in range(1, conf.window_weeks)]
    if not weeks:
        return {}
    found: dict[int, list] = defaultdict(list)
    fields = [*GOAL_KINDS, *[f"goal_{k}" for k in GOAL_KINDS]]
    rows = WeeklyKPI.objects.filter(rep_id__in=rep_ids, week__in=weeks).values_list(
        "rep_id", "week", *fields
    )
    for rep_id, row_week, *values in rows:  # plain tuples: no model instances to build
        found[rep_id].append(WeekFigures(week=row_week, **dict(zip(fields, values, strict=True))))
    return found


def _neglected(
    *, reps: list[User], week: str, conf: RiskSettings
) -> dict[int, tuple[int, list[dict]]]:
    """{rep id: (how many, [{"customer", "customer_id", "days", "never"}] of the
    NEGLECT_LISTED worst)}: the key customers each rep owns without an activity in the
    `key_customer_days` days up to the week's end (the rep's team time zone). One query:
    the reps' key customers created before the cutoff, each with its last activity before
    the week's end (one backward probe of activities (customer, occurred_at), index only)."""
    by_tz: dict[str, list[int]] = defaultdict(list)
    for rep in reps:
        by_tz[rep.team.time_zone if rep.team_id else "UTC"].append(rep.pk)
    sunday = week_monday(week) + timedelta(days=6)
    ends = []  # (rep ids, week end, cutoff) per time zone
    zones: dict[int, object] = {}
    for tz_name, ids in sorted(by_tz.items()):
        _, end = week_bounds(week, _zone(tz_name))
        ends.append((ids, end, end - timedelta(days=conf.key_customer_days)))
        zones.update(dict.fromkeys(ids, _zone(tz_name)))
    if connection.vendor == "postgresql":
        rows = _neglected_rows_pg(ends=ends)
    else:
        rows = _neglected_rows(ends=ends)
    cutoffs = {rep_id: cutoff for ids, _, cutoff in ends for rep_id in ids}
    found: dict[int, list[tuple]] = defaultdict(list)
    counts: dict[int, int] = {}
    for pk, name, owner_id, created_at, last_at, count in rows:
        if last_at is not None and last_at >= cutoffs[owner_id]:
            continue  # touched within the window (the portable query returns these)
        found[owner_id].append((last_at or created_at, pk, name, last_at is None))
        if count is not None:
            counts[owner_id] = count
    result = {}
    for owner_id, items in found.items():
        zone = zones[owner_id]
        listed = [
            {
                "customer": name,
                "customer_id": pk,
                "days": (sunday - since.astimezone(zone).date()).days,
                "never": never,
            }
            for since, pk, name, never in sorted(items)[:NEGLECT_LISTED]  # longest ago first
        ]
        listed.sort(key=lambda item: (-item["days"], item["customer"], item["customer_id"]))
        result[owner_id] = (counts.get(owner_id, len(items)), listed)
    return result


NEGLECT_SQL = """
WITH reps (owner_id, w_end, cutoff) AS (
    SELECT * FROM unnest(%(owners)s::bigint[], %(ends)s::timestamptz[], %(cutoffs)s::timestamptz[])
), neglected AS (
    SELECT c.id, c.name, c.owner_id, c.created_at, l.last_at,
           COALESCE(l.last_at, c.created_at) AS since
    FROM {customer} c
    JOIN reps r ON r.owner_id = c.owner_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN c.last_activity_at < r.w_end THEN c.last_activity_at ELSE (
            SELECT a.occurred_at FROM {activity} a
            WHERE a.customer_id = c.id AND a.occurred_at < r.w_end
            ORDER BY a.occurred_at DESC LIMIT 1
        ) END AS last_at
    ) l
    WHERE c.is_key AND c.created_at < r.cutoff
      AND (c.last_activity_at IS NULL OR c.last_activity_at < r.cutoff
           OR c.last_activity_at >= r.w_end)
      AND (l.last_at IS NULL OR l.last_at < r.cutoff)
)
SELECT id, name, owner_id, created_at, last_at, n FROM (
    SELECT neglected.*,
           ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY since, id) AS rank,
           COUNT(*) OVER (PARTITION BY owner_id) AS n
    FROM neglected
) ranked
WHERE rank <= %(listed)s
"""


def _neglected_rows_pg(*, ends: list) -> list[tuple]:
    """PostgreSQL: the neglected key customers only, the NEGLECT_LISTED longest untouched
    per rep with the rep's count; the last activity is probed once per key customer in a
    LATERAL join (an ORM subquery filtered on would be evaluated twice)."""
    from activities.models import Activity
    from crm.models import Customer

    owners, week_ends, cutoffs = [], [], []
    for ids, end, cutoff in ends:
        owners += ids
        week_ends += [end] * len(ids)
        cutoffs += [cutoff] * len(ids)
    sql = NEGLECT_SQL.format(
        customer=connection.ops.quote_name(Customer._meta.db_table),
        activity=connection.ops.quote_name(Activity._meta.db_table),
    )
    params = {
        "owners": owners,
        "ends": week_ends,
        "cutoffs": cutoffs,
        "listed": NEGLECT_LISTED,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _neglected_rows(*, ends: list) -> list[tuple]:
    """Portable (SQLite): every key customer of the reps created before the cutoff, with
    its last activity before the week's end and no count; the caller drops the touched."""
    from activities.models import Activity
    from crm.models import Customer

    scope = Q(pk__in=[])
    for ids, _, cutoff in ends:
        scope |= Q(owner_id__in=ids, created_at__lt=cutoff)
    if len(ends) == 1:
        week_end = Value(ends[0][1], output_field=DateTimeField())
    else:
        week_end = Case(
            *[When(owner_id__in=ids, then=Value(end)) for ids, end, _ in ends],
            output_field=DateTimeField(),
        )
    last = (
        Activity.objects.filter(customer_id=OuterRef("pk"), occurred_at__lt=OuterRef("r_end"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return list(
        Customer.objects.filter(scope, is_key=True)
        .annotate(r_end=week_end)
        .annotate(r_last=Subquery(last), r_count=Value(None, output_field=IntegerField()))
        .order_by()
        .values_list("pk", "name", "owner_id", "created_at", "r_last", "r_count")
    )


# --- the job's step ------------------------------------------------------------------------


def compute_risk_flags(*, week: str, reps: list[User], rows: list[WeeklyKPI]) -> list[RiskFlag]:
    """The week's flags for the reps, unsaved, from the week's KPI rows (built by
    reports.kpis.build_kpi_rows, not necessarily saved yet); two queries."""
    if not reps:
        return []
    conf = risk_settings()
    rep_ids = [rep.pk for rep in reps]
    sunday = week_monday(week) + timedelta(days=6)
    this_week = {row.rep_id: row for row in rows}
    earlier = _earlier_rows(week=week, rep_ids=rep_ids, conf=conf)
    neglected = _neglected(reps=reps, week=week, conf=conf)
    flags = []
    for rep in reps:
        row = this_week.get(rep.pk)
        fired: dict[str, dict | None] = {}
        if row is not None:
            window = [row, *earlier.get(rep.pk, [])]
            fired[RiskRule.ACTIVITY] = activity_rule(rows=window, conf=conf)
            fired[RiskRule.ATTAINMENT] = attainment_rule(row=row, sunday=sunday, conf=conf)
            fired[RiskRule.COVERAGE] = coverage_rule(row=row, sunday=sunday, conf=conf)
        if rep.pk in neglected:
            count, customers = neglected[rep.pk]
            fired[RiskRule.NEGLECT] = {
                "customer": customers[0]["customer"],
                "customer_id": customers[0]["customer_id"],
                "days": customers[0]["days"],
                "count": count,
                "customers": customers,
            }
        for rule in RiskRule.values:
            figures = fired.get(rule)
            if figures is not None:
                flags.append(
                    RiskFlag(
                        rep_id=rep.pk, team_id=rep.team_id, week=week, rule=rule, figures=figures
                    )
                )
    return flags


def store_risk_flags(
    *, week: str, reps: list[User], flags: list[RiskFlag], team: Team | None, now
) -> None:
    """Replace the week's flags of the reps in scope (the caller holds the transaction and
    the week's lock): read the week's stored flags, upsert those that fire and are new or
    changed (keyed on (rep, week, rule); computed_at is when the figures last changed), and
    delete the stored ones that did not fire this time (and those of reps no longer in
    scope). At most three queries; a recompute of unchanged data writes nothing."""
    stored = RiskFlag.objects.filter(week=week)
    if team is not None:
        stored = stored.filter(Q(team=team) | Q(rep_id__in=[rep.pk for rep in reps]))
    current = {
        (rep_id, rule): (pk, team_id, figures)
        for pk, rep_id, rule, team_id, figures in stored.values_list(
            "pk", "rep_id", "rule", "team_id", "figures"
        )
    }
    fired = {(flag.rep_id, flag.rule) for flag in flags}
    changed = []
    for flag in flags:
        known = current.get((flag.rep_id, flag.rule))
        if known is None or known[1:] != (flag.team_id, flag.figures):
            flag.computed_at = now
            changed.append(flag)
    if changed:
        RiskFlag.objects.bulk_create(
            changed,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["rep", "week", "rule"],
            update_fields=["team", "figures", "computed_at"],
        )
    gone = [pk for key, (pk, _, _) in current.items() if key not in fired]
    if gone:
        RiskFlag.objects.filter(pk__in=gone).delete()


# --- reads -----------------------------------------------------------------------------


def risk_flags_visible_to(*, user: User) -> QuerySet[RiskFlag]:
    """Flags scoped like the KPI rows: a rep their own, a manager their team's, an admin
    all."""
    return RiskFlag.objects.filter(owner_scope_q(user=user, field="rep"))


def risk_flags_for(*, reps, week: str) -> dict[int, list[RiskFlag]]:
    """{rep id: [the rep's flags of the ISO week, in rule order]} for the given reps (users
    or ids); reps without a flag are left out. One query. Each flag has .rule, .figures,
    .label and .reason (the figures in words). The caller scopes `reps`."""
    parse_week(week)
    rep_ids = [getattr(rep, "pk", rep) for rep in reps]
    if not rep_ids:
        return {}
    order = {rule: i for i, rule in enumerate(RiskRule.values)}
    found: dict[int, list[RiskFlag]] = defaultdict(list)
    for flag in RiskFlag.objects.filter(rep_id__in=rep_ids, week=week):
        found[flag.rep_id].append(flag)
    return {
        rep_id: sorted(items, key=lambda f: order.get(f.rule, 99))
        for rep_id, items in found.items()
    }


def describe_flag(*, rule: str, figures: dict) -> str:
    """A flag's reason in words, from its figures."""
    f = figures or {}
    if rule == RiskRule.ACTIVITY:
        return gettext("Under the activity goal in %(missed)s of the last %(window)s weeks") % {
            "missed": f.get("missed"),
            "window": f.get("window"),
        }
    if rule == RiskRule.ATTAINMENT:
        return gettext(
            "Quota attainment %(attainment)s%% with %(elapsed)s%% of the quarter "
            "elapsed (%(gap)s points behind)"
        ) % {"attainment": f.get("attainment"), "elapsed": f.get("elapsed"), "gap": f.get("gap")}
    if rule == RiskRule.COVERAGE:
        return gettext(
            "Pipeline for %(quarter)s covers %(coverage)s× the quota (%(needed)s× needed)"
        ) % {
            "quarter": f.get("quarter"),
            "coverage": f.get("coverage"),
            "needed": f.get("needed"),
        }
    if rule == RiskRule.NEGLECT:
        others = f.get("count", len(f.get("customers") or [])) - 1
        values = {"customer": f.get("customer"), "days": f.get("days"), "others": others}
        if others > 0:
            return (
                ngettext(
                    "No activity on key customer %(customer)s for %(days)s days "
                    "and %(others)s more key customer",
                    "No activity on key customer %(customer)s for %(days)s days "
                    "and %(others)s more key customers",
                    others,
                )
                % values
            )
        return gettext("No activity on key customer %(customer)s for %(days)s days") % values
    return str(rule)
