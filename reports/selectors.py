"""Reads of targets and results: which goal applies to whom, and how reps measure against it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
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
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import users_visible_to
from activities.weeks import user_tz
from crm.choices import CustomerSource, DealStage, Segment
from crm.currency import company_currency, rate_subquery, rate_to_company, to_company
from crm.models import Customer, Deal
from crm.selectors import owner_scope_q
from reports.choices import ExpectationMetric, PeriodKind
from reports.models import (
    ActivityGoal,
    CommissionPlan,
    ExpectationProfile,
    Incentive,
    Quota,
    WeeklyKPI,
)

GOAL_FIELDS = ("calls", "meetings", "visits", "new_prospects")

# --- Activity goals (issue 4: tasks, plan and my week area) -----------------------------


def _zero_goal() -> dict:
    return dict.fromkeys(GOAL_FIELDS, 0)


def _goal_dict(goal: ActivityGoal | None) -> dict:
    if goal is None:
        return _zero_goal()
    return {name: getattr(goal, name) for name in GOAL_FIELDS}


def _resolve(*, rep: User, week: str, goals: list[ActivityGoal], ramps: dict) -> dict:
    """Pick the most specific goal that applies to `rep` in `week`, in this order:
    rep goal for the week > rep standing goal > team default for the week >
    team standing default > zeros. A team default is ramped for a new rep (`ramps`, from
    coaching.ramp.ramp_statuses: schedule % x the team default); a rep's own goal is not."""
    from coaching.ramp import ramped_goal

    ranked = {}
    for goal in goals:
        if goal.rep_id is not None:
            if goal.rep_id != rep.pk:
                continue
            rank = 0 if goal.week == week else 1
        else:
            if goal.team_id is None or goal.team_id != rep.team_id:
                continue
            rank = 2 if goal.week == week else 3
        ranked.setdefault(rank, goal)
    if not ranked:
        return _zero_goal()
    best = min(ranked)
    goal = _goal_dict(ranked[best])
    return ramped_goal(goal, ramps.get(rep.pk)) if best >= 2 else goal


def _goals_query(*, rep_ids: set[int], team_ids: set[int], week: str):
    weeks = [week, ""]
    return ActivityGoal.objects.filter(
        Q(rep_id__in=rep_ids, week__in=weeks)
        | Q(rep__isnull=True, team_id__in=team_ids, week__in=weeks)
    )


def activity_goal_for(*, rep: User, week: str) -> dict:
    """The weekly activity goal a rep is measured against, as
    {calls, meetings, visits, new_prospects}; one query. Managers set team defaults and
    override them per rep, per week or standing; without any goal everything is zero. A new
    rep's team default is ramped (coaching.ramp; one more query while they ramp)."""
    return goals_for_reps(reps=[rep], week=week)[rep.pk]


def goals_for_reps(
    *, reps: Iterable[User], week: str, ramps: dict | None = None
) -> dict[int, dict]:
    """activity_goal_for for many reps in one query: {rep id: goal dict}. For the manager's
    dashboard, where a query per rep would grow with the team. New reps' team defaults are
    ramped (coaching.ramp.ramp_statuses: no query when no rep is ramping or the reps carry
    their team's schedule, else one); `ramps` passes statuses the caller already has."""
    from coaching.ramp import ramp_statuses

    reps = list(reps)
    if not reps:
        return {}
    if ramps is None:
        ramps = ramp_statuses(reps=reps, week=week)
    rep_ids = {rep.pk for rep in reps}
    team_ids = {rep.team_id for rep in reps if rep.team_id}
    goals = list(_goals_query(rep_ids=rep_ids, team_ids=team_ids, week=week))
    return {rep.pk: _resolve(rep=rep, week=week, goals=goals, ramps=ramps) for rep in reps}


# --- Targets a manager sets (issue 5, area 5A: quotas, goals, expectations, commission) -----

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
RATE = DecimalField(max_digits=9, decimal_places=4)


def period_bounds(*, period: str, start: date) -> tuple[date, date]:
    """[start, end) of a month, quarter or year that begins on `start`."""
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[period]
    index = start.year * 12 + start.month - 1 + months
    return start, date(index // 12, index % 12 + 1, 1)


def period_start_of(*, period: str, day: date) -> date:
    """The first day of the month, quarter or year that contains `day`."""
    if period == PeriodKind.MONTH:
        return day.replace(day=1)
    if period == PeriodKind.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def target_reps_for(*, user: User) -> QuerySet[User]:
    """Reps whose targets the user may see: an admin everyone, a manager their teams' reps,
    a rep only themself. Managers and admins are not given quotas."""
    return users_visible_to(user=user).filter(role="rep", is_active=True)


def reps_with_targets(*, user: User, year: int) -> QuerySet[User]:
    """Every rep in the user's scope with the year's quota (entered, and the sum of its
    months) and whether a profile and a commission plan exist: one query."""
    year_quota = Quota.objects.filter(
        rep_id=OuterRef("pk"), period=PeriodKind.YEAR, period_start=date(year, 1, 1)
    )
    months_total = (  # in the company currency: months may be set in different currencies
        Quota.objects.filter(rep_id=OuterRef("pk"), period=PeriodKind.MONTH)
        .filter(period_start__year=year)
        .order_by()
        .values("rep_id")
        .annotate(total=Sum(to_company("revenue", on="period_start")))
        .values("total")[:1]
    )
    return (
        target_reps_for(user=user)
        .annotate(
            year_quota=Subquery(year_quota.values("revenue")[:1]),
            year_quota_currency=Subquery(year_quota.values("currency")[:1]),
            months_quota=Subquery(months_total, output_field=MONEY),
            has_profile=Exists(ExpectationProfile.objects.filter(rep_id=OuterRef("pk"))),
            has_plan=Exists(CommissionPlan.objects.filter(rep_id=OuterRef("pk"))),
        )
        .order_by("team__name", "first_name", "last_name", "username")
    )


def can_set_targets_for(*, user: User, rep: User) -> bool:
    """Only the rep's own manager (the manager of the rep's team) or an admin sets targets."""
    if user.is_admin:
        return True
    return bool(user.is_manager and rep.team_id and rep.team.manager_id == user.pk)


def quotas_visible_to(*, user: User) -> QuerySet[Quota]:
    return Quota.objects.filter(owner_scope_q(user=user, field="rep"))


def activity_goals_visible_to(*, user: User) -> QuerySet[ActivityGoal]:
    """Team defaults of the teams the user sees, and rep goals of the reps they see."""
    if user.is_admin:
        return ActivityGoal.objects.all()
    if user.is_manager:
        return ActivityGoal.objects.filter(
            Q(rep__isnull=True, team__manager=user) | Q(rep__team__manager=user)
        )
    team_default = Q(rep__isnull=True, team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return ActivityGoal.objects.filter(team_default | Q(rep=user))


@dataclass(frozen=True)
class QuotaCell:
    period: str
    period_start: date
    label: str
    quota: Quota | None


def quota_grid(*, rep: User, year: int) -> list[QuotaCell]:
    """The rep's year as 12 months, 4 quarters and the year, each with its quota or None;
    one query."""
    found = {
        (q.period, q.period_start): q
        for q in Quota.objects.filter(
            rep=rep, period_start__gte=date(year, 1, 1), period_start__lt=date(year + 1, 1, 1)
        )
    }
    # Labels in the active language: "Jan" / "Jan" / "jan"; "Q1" / "K1".
    months = [date(year, m, 1) for m in range(1, 13)]
    cells = [(PeriodKind.MONTH, day, date_format(day, "M")) for day in months]
    cells += [
        (PeriodKind.QUARTER, date(year, 3 * q - 2, 1), _("Q%(number)s") % {"number": q})
        for q in range(1, 5)
    ]
    cells.append((PeriodKind.YEAR, date(year, 1, 1), str(year)))
    return [
        QuotaCell(period=str(p), period_start=s, label=label, quota=found.get((p, s)))
        for p, s, label in cells
    ]


# --- Commission ------------------------------------------------------------------------
#
# The rule: a won deal earns amount x rate / 100, rounded half-up to the cent. The rate is
# the rep's plan's base rate (the user's commission_rate without a plan), or the rate of
# the highest tier whose `attainment_from` the rep reached in the deal's tier period (the
# month, quarter or year of the plan containing the deal's close date). Attainment =
# revenue of all deals won and credited to the rep in that whole period / the rep's quota
# revenue for it x 100; without a quota (or a zero quota) only the base rate applies. So
# every deal of a period earns the same rate, and a late deal that lifts the period over a
# tier lifts the period's earlier deals too.
#
# ONE implementation, set-based: annotate_commission reads the reps' terms, quotas and won
# revenue per (rep, month) in three queries and applies the rule in Python. A correlated
# subquery per deal (won revenue of its period) took 17 s on 300,000 deals. The commission
# page, the deal page, and the weekly KPI job (reports.kpis) all go through it.


@dataclass(frozen=True)
class CommissionTerms:
    """What a rep's commission is computed from: their plan, or their user rate."""

    base_rate: Decimal
    tier_period: str
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()  # (attainment_from, rate), highest first
    currency: str = ""  # the plan's: what the commission is paid in (company's without a plan)
    pay_rate: Decimal | None = Decimal(1)  # that currency's rate to the company's, today


def commission_terms(*, rep_ids: Iterable[int]) -> dict[int, CommissionTerms]:
    """Each rep's plan (base rate, tier period, tiers, the currency it pays in and that
    currency's rate today), or for a rep without a plan their user commission_rate with the
    quarter as period, paid in the company currency; one query (user, plan, tiers joined)."""
    company = company_currency()
    pay_rate = Case(
        When(commission_plan__currency=company, then=Value(Decimal(1))),
        default=rate_subquery(
            currency=OuterRef("commission_plan__currency"), on=Value(timezone.localdate())
        ),
        output_field=RATE,
    )
    rows = (
        User.objects.filter(pk__in=set(rep_ids))
        .annotate(pay_rate=pay_rate)
        .values_list(
            "pk",
            "commission_rate",
            "commission_plan__base_rate",
            "commission_plan__tier_period",
            "commission_plan__tiers__attainment_from",
            "commission_plan__tiers__rate",
            "commission_plan__currency",
            "pay_rate",
        )
    )
    found: dict[int, tuple[Decimal, str, list, str, Decimal | None]] = {}
    for rep_id, user_rate, base_rate, period, tier_from, tier_rate, code, rate in rows:
        if base_rate is None:
            found[rep_id] = (user_rate, PeriodKind.QUARTER, [], company, Decimal(1))
            continue
        _, _, tiers, _, _ = found.setdefault(rep_id, (base_rate, period, [], code, rate))
        if tier_from is not None:
            tiers.append((tier_from, tier_rate))
    return {
        rep_id: CommissionTerms(
            base_rate=base_rate,
            tier_period=str(period),
            tiers=tuple(sorted(tiers, reverse=True)),
            currency=code,
            pay_rate=rate,
        )
        for rep_id, (base_rate, period, tiers, code, rate) in found.items()
    }


def _earns_commission(deal: Deal) -> bool:
    return deal.stage_id == DealStage.WON and bool(deal.credited_to_id and deal.closed_at)


def annotate_commission(*, deals: Iterable[Deal]) -> list[Deal]:
    """Set c_period_start, c_attainment (%, None without a quota), c_rate (%) and
    c_commission on each won deal by the commission rule above (all four None on a deal
    that is not won). The deals need stage_id, credited_to_id, amount and closed_at loaded.
    At most three queries whatever the number of deals: the reps' terms, the quotas of the
    tier periods involved, and won revenue per rep and month over those periods.

    Currencies (crm.currency): c_commission is in the deal's currency; attainment compares
    won revenue and quota both converted into the company currency (a deal or quota in a
    currency without a rate is left out). Deals annotated `fx` (rate_to_company on the
    close date, as commissions_for_reps and commission_totals do) also get c_commission_company
    and, in the currency the rep's plan pays in, c_commission_paid and c_amount_paid (None
    without a rate)."""
    deals = list(deals)
    won = [deal for deal in deals if _earns_commission(deal)]
    for deal in deals:
        deal.c_period_start = deal.c_attainment = deal.c_rate = deal.c_commission = None
        deal.c_commission_company = deal.c_commission_paid = deal.c_amount_paid = None
        deal.c_currency = None
    if not won:
        return deals
    terms = commission_terms(rep_ids={deal.credited_to_id for deal in won})
    periods = []  # each won deal's tier period [start, end)
    for deal in won:
        kind = terms[deal.credited_to_id].tier_period
        periods.append(
            period_bounds(period=kind, start=period_start_of(period=kind, day=deal.closed_at))
        )
    first = min(start for start, _ in periods)
    last = max(end for _, end in periods)
    rep_ids = {deal.credited_to_id for deal in won}
    quotas = {
        (rep_id, period, start): revenue
        for rep_id, period, start, revenue in Quota.objects.filter(
            rep_id__in=rep_ids,
            period__in={t.tier_period for t in terms.values()},
            period_start__gte=first,
            period_start__lt=last,
            revenue__gt=0,
        )
        .annotate(revenue_c=to_company("revenue", on="period_start"))
        .values_list("rep_id", "period", "period_start", "revenue_c")
        if revenue  # a quota in a currency without a rate: as if none
    }
    monthly: dict[int, dict[date, Decimal]] = {}
    if quotas:
        rows = (
            Deal.objects.filter(
                stage_id=DealStage.WON,
                credited_to_id__in={rep_id for rep_id, _, _ in quotas},
                closed_at__gte=first,
                closed_at__lt=last,
            )
            .annotate(month=Trunc("closed_at", PeriodKind.MONTH, output_field=DateField()))
            .order_by()
            .values_list("credited_to_id", "month")
            .annotate(total=Sum(to_company(on="closed_at")))
        )
        for rep_id, month, total in rows:
            monthly.setdefault(rep_id, {})[month] = total
    period_won: dict[tuple[int, date, date], Decimal] = {}
    for deal, (start, end) in zip(won, periods, strict=True):
        rep_terms = terms[deal.credited_to_id]
        rate, attainment = rep_terms.base_rate, None
        quota = quotas.get((deal.credited_to_id, rep_terms.tier_period, start))
        if quota is not None:
            key = (deal.credited_to_id, start, end)
            if key not in period_won:
                months = monthly.get(deal.credited_to_id, {})
                period_won[key] = sum(
                    (total for month, total in months.items() if start <= month < end),
                    ZERO,
                )
            attainment = period_won[key] * 100 / quota
            rate = next((r for t, r in rep_terms.tiers if t <= attainment), rate)
        deal.c_period_start = start
        deal.c_attainment = attainment
        deal.c_rate = rate
        deal.c_commission = (deal.amount * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        fx = getattr(deal, "fx", None)
        if fx is not None:
            deal.c_commission_company = (deal.amount * fx * rate / 100).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
            if rep_terms.pay_rate:
                deal.c_currency = rep_terms.currency
                deal.c_commission_paid = (deal.c_commission_company / rep_terms.pay_rate).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
                deal.c_amount_paid = (deal.amount * fx / rep_terms.pay_rate).quantize(
                    CENT, rounding=ROUND_HALF_UP
                )
    return deals


def commission_for_deal(*, deal: Deal) -> Decimal | None:
    """The commission a won deal earns its credited rep (see the rule above); None for a deal
    that is not won. At most three queries."""
    if not _earns_commission(deal):
        return None
    return annotate_commission(deals=[deal])[0].c_commission


def commissions_for_reps(*, rep_ids: Iterable[int], start: date, end: date) -> list[Deal]:
    """Won deals credited to the reps and closed in [start, end], latest first, with customer
    and credited_to loaded and annotated by annotate_commission. At most four queries,
    whatever the number of reps or deals."""
    rep_ids = list(rep_ids)
    if not rep_ids:
        return []
    deals = (
        Deal.objects.filter(
            stage_id=DealStage.WON,
            credited_to_id__in=rep_ids,
            closed_at__gte=start,
            closed_at__lte=end,
        )
        .select_related("customer", "credited_to")
        .annotate(fx=rate_to_company(on="closed_at"))
        .order_by("-closed_at", "-pk")
    )
    return annotate_commission(deals=deals)


def commissions_for(*, rep: User, start: date, end: date) -> list[Deal]:
    """A rep's won deals closed in [start, end] with their commission (see the rule)."""
    return commissions_for_reps(rep_ids=[rep.pk], start=start, end=end)


def commission_totals(*, rep_ids: Iterable[int], start: date, end: date) -> dict[int, Decimal]:
    """{rep id: commission earned on the deals won and credited to them in [start, end]},
    in the company currency (a deal in a currency without a rate is left out); reps
    without such deals are left out. For the weekly KPI job: at most four queries,
    loading only the fields the rule needs."""
    rep_ids = list(rep_ids)
    if not rep_ids:
        return {}
    deals = Deal.objects.filter(
        stage_id=DealStage.WON,
        credited_to_id__in=rep_ids,
        closed_at__gte=start,
        closed_at__lte=end,
    ).only("pk", "stage_id", "credited_to_id", "amount", "currency", "closed_at")
    deals = deals.annotate(fx=rate_to_company(on="closed_at"))
    totals: dict[int, Decimal] = {}
    for deal in annotate_commission(deals=deals):
        if deal.c_commission_company is None:
            continue
        totals[deal.credited_to_id] = (
            totals.get(deal.credited_to_id, ZERO) + deal.c_commission_company
        )
    return totals


def _won_in(kind: str) -> Subquery:
    won = (
        Deal.objects.filter(stage_id=DealStage.WON, credited_to_id=OuterRef("i_rep"))
        .annotate(ps=Trunc("closed_at", kind, output_field=DateField()))
        .filter(ps=OuterRef("period_start"))
        .order_by()
        .values("credited_to_id")
        .annotate(total=Sum(to_company(on="closed_at")))
        .values("total")[:1]
    )
    return Subquery(won, output_field=MONEY)


def incentives_for(*, rep: User, year: int) -> QuerySet[Incentive]:
    """The incentives offered to a rep for periods starting in `year` (their own, their team's,
    and company-wide ones), each annotated with i_won, i_quota, i_attainment (%) and
    i_earned; one query."""
    scope = Q(rep=rep) | Q(rep__isnull=True, team__isnull=True)
    if rep.team_id:
        scope |= Q(rep__isnull=True, team_id=rep.team_id)
    quota = (
        Quota.objects.filter(
            rep_id=OuterRef("i_rep"),
            period=OuterRef("period"),
            period_start=OuterRef("period_start"),
        )
        .annotate(revenue_c=to_company("revenue", on="period_start"))
        .values("revenue_c")[:1]
    )
    return (
        Incentive.objects.filter(scope, period_start__year=year)
        .annotate(i_rep=Value(rep.pk))
        .annotate(
            i_won=Coalesce(
                Case(
                    *[When(period=kind, then=_won_in(kind)) for kind in PeriodKind.values],
                    output_field=MONEY,
                ),
                Value(Decimal("0")),
                output_field=MONEY,
            ),
            i_quota=Subquery(quota, output_field=MONEY),
        )
        .annotate(
            i_attainment=Case(
                When(
                    i_quota__gt=0,
                    then=ExpressionWrapper(F("i_won") * 100 / F("i_quota"), output_field=RATE),
                ),
                default=Value(None),
                output_field=RATE,
            )
        )
        .order_by("period_start", "name")
    )


def incentives_visible_to(*, user: User) -> QuerySet[Incentive]:
    """Incentives offered in the user's scope: an admin all, a manager their teams' and their
    reps', a rep their own and their team's."""
    if user.is_admin:
        return Incentive.objects.all()
    if user.is_manager:
        return Incentive.objects.filter(Q(team__manager=user) | Q(rep__team__manager=user))
    team = Q(rep__isnull=True, team_id=user.team_id) if user.team_id else Q(pk__in=[])
    return Incentive.objects.filter(team | Q(rep=user))


def incentives_earned(*, rep: User, year: int) -> list[Incentive]:
    """Incentives whose attainment level the rep reached (quota revenue of the incentive's
    period; no quota, nothing earned)."""
    return [
        i
        for i in incentives_for(rep=rep, year=year)
        if i.i_attainment is not None and i.i_attainment >= i.attainment
    ]


# --- Expectation profile: each item against what happened since starts_on ---------------

PRORATED = {
    ExpectationMetric.REVENUE_12M,
    ExpectationMetric.NEW_CUSTOMERS_PRIMARY,
    ExpectationMetric.NEW_CUSTOMERS_SECONDARY,
    ExpectationMetric.PROSPECTING_COLD_CALLS,
    ExpectationMetric.PROSPECTING_VISITS,
    ExpectationMetric.PROSPECTING_REFERRALS,
    ExpectationMetric.HOUSE_ACCOUNTS,
}
PROSPECTING_METRICS = {
    ExpectationMetric.PROSPECTING_COLD_CALLS: "call",
    ExpectationMetric.PROSPECTING_VISITS: "visit",
    ExpectationMetric.PROSPECTING_REFERRALS: "referral",
}


@dataclass(frozen=True)
class ExpectationProgress:
    metric: str
    label: str
    target: Decimal
    expected_so_far: Decimal
    actual: Decimal
    weight: int
    actual_share: Decimal | None  # prospecting: share (%) of all prospecting activities
    on_track: bool
    note: str


def expectation_actuals(*, rep: User, since: date, today: date | None = None) -> dict:
    """What the rep actually did since `since`, per ExpectationMetric, plus the prospecting
    total; three queries (won deals, customers, activities with conditional aggregates).

    - revenue: won deals credited to the rep, closed since `since`;
    - new customers per segment: customers the rep owns, created since `since`;
    - prospecting by method: prospecting activities of kind call / visit / referral;
    - house accounts: the rep's house-account customers with an activity since `since`;
    - visits per customer per year: visits to the rep's customers of the segment / number
      of those customers, annualised over the elapsed time;
    - travel share: visit minutes / all activity minutes x 100."""
    from activities.models import Activity

    tz = user_tz(rep)
    today = today or timezone.localdate(timezone=tz)
    since_at = datetime.combine(since, time.min, tzinfo=tz)
    days = max((today - since).days + 1, 1)
    revenue = Deal.objects.filter(
        stage_id=DealStage.WON, credited_to=rep, closed_at__gte=since
    ).aggregate(total=Sum(to_company(on="closed_at")))["total"] or Decimal("0")
    customers = Customer.objects.filter(owner=rep).aggregate(
        new_primary=Count("id", filter=Q(segment=Segment.PRIMARY, created_at__gte=since_at)),
        new_secondary=Count("id", filter=Q(segment=Segment.SECONDARY, created_at__gte=since_at)),
        n_primary=Count("id", filter=Q(segment=Segment.PRIMARY)),
        n_secondary=Count("id", filter=Q(segment=Segment.SECONDARY)),
    )
    acts = Activity.objects.filter(owner=rep, occurred_at__gte=since_at)
    agg = acts.aggregate(
        p_call=Count("id", filter=Q(is_prospecting=True, kind="call")),
        p_visit=Count("id", filter=Q(is_prospecting=True, kind="visit")),
        p_referral=Count("id", filter=Q(is_prospecting=True, kind="referral")),
        p_all=Count("id", filter=Q(is_prospecting=True)),
        house=Count(
            "customer_id",
            distinct=True,
            filter=Q(customer__owner=rep, customer__source=CustomerSource.HOUSE_ACCOUNT),
        ),
        v_primary=Count(
            "id", filter=Q(kind="visit", customer__owner=rep, customer__segment=Segment.PRIMARY)
        ),
        v_secondary=Count(
            "id",
            filter=Q(kind="visit", customer__owner=rep, customer__segment=Segment.SECONDARY),
        ),
        visit_minutes=Coalesce(Sum("duration_minutes", filter=Q(kind="visit")), 0),
        all_minutes=Coalesce(Sum("duration_minutes"), 0),
    )
    years = Decimal(days) / Decimal(365)

    def per_year(visits: int, n: int) -> Decimal:
        if not n:
            return Decimal("0")
        return (Decimal(visits) / n / years).quantize(CENT, rounding=ROUND_HALF_UP)

    share = Decimal(agg["visit_minutes"] * 100) / agg["all_minutes"] if agg["all_minutes"] else 0
    m = ExpectationMetric
    return {
        m.REVENUE_12M: Decimal(revenue),
        m.NEW_CUSTOMERS_PRIMARY: Decimal(customers["new_primary"]),
        m.NEW_CUSTOMERS_SECONDARY: Decimal(customers["new_secondary"]),
        m.PROSPECTING_COLD_CALLS: Decimal(agg["p_call"]),
        m.PROSPECTING_VISITS: Decimal(agg["p_visit"]),
        m.PROSPECTING_REFERRALS: Decimal(agg["p_referral"]),
        m.HOUSE_ACCOUNTS: Decimal(agg["house"]),
        m.VISITS_PER_PRIMARY: per_year(agg["v_primary"], customers["n_primary"]),
        m.VISITS_PER_SECONDARY: per_year(agg["v_secondary"], customers["n_secondary"]),
        m.TRAVEL_SHARE: Decimal(share).quantize(CENT, rounding=ROUND_HALF_UP),
        "prospecting_total": agg["p_all"],
        "elapsed_days": days,
    }


def expectation_progress(
    *, profile: ExpectationProfile, today: date | None = None
) -> list[ExpectationProgress]:
    """Each item of the profile against the actuals, on track or behind; four queries.

    Cumulative items (revenue, new customers, prospecting counts, house accounts) are
    pro-rated: on track when actual >= target x elapsed share of the 12 months since
    starts_on. Rates (visits per customer per year, travel share) are on track when the
    annualised actual reaches the target."""
    items = list(profile.items.all())
    actuals = expectation_actuals(rep=profile.rep, since=profile.starts_on, today=today)
    elapsed = min(Decimal(actuals["elapsed_days"]) / Decimal(365), Decimal(1))
    total_prospecting = actuals["prospecting_total"]
    rows = []
    for item in items:
        actual = actuals.get(item.metric, Decimal("0"))
        if item.metric in PRORATED:
            expected = (item.target * elapsed).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            expected = item.target
        share = None
        if item.metric in PROSPECTING_METRICS and total_prospecting:
            share = (actual * 100 / total_prospecting).quantize(CENT, rounding=ROUND_HALF_UP)
        rows.append(
            ExpectationProgress(
                metric=item.metric,
                label=item.get_metric_display(),
                target=item.target,
                expected_so_far=expected,
                actual=actual,
                weight=item.weight,
                actual_share=share,
                on_track=actual >= expected,
                note=item.note,
            )
        )
    return rows


# --- Weekly KPI snapshots (issue 5, area 5B: the weekly KPI job and its API) -------------


def weekly_kpis_visible_to(*, user: User) -> QuerySet[WeeklyKPI]:
    """KPI rows scoped like everything else: a rep their own, a manager their team's, an
    admin all."""
    return WeeklyKPI.objects.filter(owner_scope_q(user=user, field="rep"))


def _percent(actual, target) -> Decimal | None:
    if not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def kpi_attainment(row: WeeklyKPI) -> dict[str, Decimal | None]:
    """A snapshot row's attainment figures in percent (None where there is no goal or
    quota to measure against): activity goal per kind, and quota month/quarter/year to
    date. Derived from the row alone, so no query."""
    figures = {
        f"{kind}_goal_pct": _percent(getattr(row, kind), getattr(row, f"goal_{kind}"))
        for kind in GOAL_FIELDS
    }
    figures["quota_mtd_pct"] = _percent(row.revenue_mtd, row.quota_month)
    figures["quota_qtd_pct"] = _percent(row.revenue_qtd, row.quota_quarter)
    figures["quota_ytd_pct"] = _percent(row.revenue_ytd, row.quota_year)
    return figures
