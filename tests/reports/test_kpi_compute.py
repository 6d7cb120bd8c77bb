"""The weekly KPI job proves its numbers: a hand-built week whose rows are known in advance,
credit that stays with the rep who won, idempotence and a fixed query count."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from activities.models import Activity
from crm.models import Customer, Deal, DealStageChange
from reports.kpis import compute_weekly_kpis
from reports.models import ActivityGoal, Quota, StaleWeek, WeeklyKPI
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory, DealFactory

WEEK = "2026-W10"  # Monday 2 March to Sunday 8 March 2026
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def activity(owner, customer, kind, when, *, prospecting=False, week=WEEK):
    return Activity.objects.create(
        owner=owner,
        customer=customer,
        kind=kind,
        occurred_at=when,
        week=week,
        is_prospecting=prospecting,
    )


def deal(owner, *, amount, stage, created, probability=10, closed_at=None, history=()):
    d = DealFactory(
        customer=CustomerFactory(owner=owner),
        owner=owner,
        amount=Decimal(amount),
        stage_id=stage,
        probability=probability,
        closed_at=closed_at,
        credited_to=owner if stage == "won" else None,
    )
    Deal.objects.filter(pk=d.pk).update(created_at=created)
    for to_stage, when in history:
        DealStageChange.objects.create(deal=d, to_stage=to_stage, changed_at=when)
    return d


def figures(row: WeeklyKPI) -> dict:
    return {
        f.name: getattr(row, f.attname)
        for f in WeeklyKPI._meta.concrete_fields
        if f.name not in ("id", "computed_at")
    }


@pytest.fixture
def week_data(company):
    """rep_a's (North, Berlin) week 2026-W10, built by hand."""
    rep, other = company["rep"], company["other_rep"]
    rep.commission_rate = Decimal("5.00")
    rep.save()
    old_customer = CustomerFactory(owner=rep)
    Customer.objects.filter(pk=old_customer.pk).update(created_at=at(1, month=1))
    new_customer = CustomerFactory(owner=rep)
    Customer.objects.filter(pk=new_customer.pk).update(created_at=at(3, 9))
    # Activities: 3 calls (1 prospecting), 2 meetings, 1 visit, 1 email, 1 note in W10.
    activity(rep, new_customer, "call", at(3, 11), prospecting=True)
    activity(rep, new_customer, "call", at(4))
    activity(rep, old_customer, "call", at(5))
    activity(rep, old_customer, "meeting", at(5, 14))
    activity(rep, new_customer, "meeting", at(6))
    activity(rep, old_customer, "visit", at(6, 15))
    activity(rep, old_customer, "email", at(7))
    activity(rep, old_customer, "note", at(7, 12))
    activity(rep, old_customer, "call", at(26, month=2), week="2026-W09")  # not this week
    activity(other, CustomerFactory(owner=other), "call", at(4))
    # Deals.
    deal(rep, amount="1000", stage="proposal", probability=50, created=at(4))  # new, open
    deal(rep, amount="2000", stage="lead", probability=10, created=at(2, month=2))  # open
    deal(rep, amount="5000", stage="won", closed_at=date(2026, 3, 4), created=at(2, month=2))
    deal(rep, amount="1000", stage="won", closed_at=date(2026, 2, 10), created=at(2, month=1))
    deal(rep, amount="9000", stage="lost", closed_at=date(2026, 3, 1), created=at(5, month=1))
    # Open at the week's end, won the week after: the history says "lead" then.
    deal(
        rep,
        amount="4000",
        stage="won",
        closed_at=date(2026, 3, 12),
        created=at(2, month=2),
        history=[("lead", at(2, month=2)), ("won", at(12))],
    )
    # Created after the week: not in its pipeline.
    deal(rep, amount="7000", stage="lead", created=at(10))
    # Goals: rep_a has a goal for the week; rep_b falls back to the team default.
    ActivityGoal.objects.create(team=company["north"], calls=100, meetings=5)
    ActivityGoal.objects.create(rep=rep, week=WEEK, calls=50, meetings=4, visits=2, new_prospects=1)
    # Quotas: March 10,000; Q1 from its months; the year entered directly.
    for month in (1, 2, 3):
        Quota.objects.create(
            rep=rep, period="month", period_start=date(2026, month, 1), revenue=Decimal("10000")
        )
    Quota.objects.create(
        rep=rep, period="year", period_start=date(2026, 1, 1), revenue=Decimal("120000")
    )
    return company


def test_a_hand_built_week_gives_the_rows_known_in_advance(week_data):
    rep, other = week_data["rep"], week_data["other_rep"]

    written = compute_weekly_kpis(week=WEEK)

    assert written == 3  # rep_a, rep_b (North) and rep_c (South); managers have no rows
    row = WeeklyKPI.objects.get(rep=rep, week=WEEK)
    assert figures(row) == {
        "rep": rep.pk,
        "team": week_data["north"].pk,
        "week": WEEK,
        "calls": 3,
        "meetings": 2,
        "visits": 1,
        "emails": 1,
        "prospecting": 1,
        "new_prospects": 1,
        "deals_created": 1,
        "deals_won": 1,
        "won_value": Decimal("5000.00"),
        # 1000 (proposal) + 2000 (lead) + 4000 (lead at the week's end)
        "pipeline_value": Decimal("7000.00"),
        # 1000 x 50% + 2000 x 10% + 4000 x 10% (the lead stage's default)
        "forecast": Decimal("1100.00"),
        "goal_calls": 50,
        "goal_meetings": 4,
        "goal_visits": 2,
        "goal_new_prospects": 1,
        "revenue_mtd": Decimal("5000.00"),
        "revenue_qtd": Decimal("6000.00"),
        "revenue_ytd": Decimal("6000.00"),
        "quota_month": Decimal("10000.00"),
        "quota_quarter": Decimal("30000.00"),
        "quota_year": Decimal("120000.00"),
        "commission": Decimal("250.00"),  # 5% of 5,000
        # next quarter (Q2): no deal expected to close in it, no quota (issue 13)
        "pipeline_next_quarter": Decimal("0.00"),
        "quota_next_quarter": Decimal("0.00"),
    }
    other_row = WeeklyKPI.objects.get(rep=other, week=WEEK)
    assert (other_row.calls, other_row.goal_calls, other_row.goal_meetings) == (1, 100, 5)
    assert other_row.won_value == Decimal("0.00")
    assert WeeklyKPI.objects.get(rep=week_data["south_rep"], week=WEEK).calls == 0


def test_a_team_run_computes_only_that_team(week_data):
    assert compute_weekly_kpis(week=WEEK, team=week_data["south"]) == 1

    assert list(WeeklyKPI.objects.values_list("rep__username", flat=True)) == ["rep_c"]


def test_a_team_run_and_an_every_team_run_give_the_team_the_same_rows(week_data):
    # given a manager who logged a call and won a deal themself that week
    manager = week_data["north_mgr"]
    activity(manager, CustomerFactory(owner=manager), "call", at(4))
    deal(manager, amount="300", stage="won", closed_at=date(2026, 3, 4), created=at(2, month=2))
    north = week_data["north"]

    # when the week is computed for every team, then for North alone
    compute_weekly_kpis(week=WEEK)
    every_team = {row.rep_id: figures(row) for row in WeeklyKPI.objects.filter(team=north)}
    WeeklyKPI.objects.all().delete()
    compute_weekly_kpis(week=WEEK, team=north)

    # then North's rows are the same, and the manager's own work makes no row
    assert {row.rep_id: figures(row) for row in WeeklyKPI.objects.all()} == every_team
    assert set(every_team) == {week_data["rep"].pk, week_data["other_rep"].pk}


def test_computing_twice_gives_identical_rows(week_data):
    compute_weekly_kpis(week=WEEK)
    first = {row.rep_id: figures(row) for row in WeeklyKPI.objects.all()}

    compute_weekly_kpis(week=WEEK)

    assert {row.rep_id: figures(row) for row in WeeklyKPI.objects.all()} == first
    assert WeeklyKPI.objects.count() == 3


def test_credit_stays_with_the_rep_who_won_after_the_deal_is_reassigned(week_data):
    rep, other = week_data["rep"], week_data["other_rep"]
    won = Deal.objects.get(owner=rep, amount=Decimal("5000"))
    Deal.objects.filter(pk=won.pk).update(owner=other)  # later reassignment / handover

    compute_weekly_kpis(week=WEEK)

    assert WeeklyKPI.objects.get(rep=rep, week=WEEK).won_value == Decimal("5000.00")
    assert WeeklyKPI.objects.get(rep=rep, week=WEEK).deals_won == 1
    assert WeeklyKPI.objects.get(rep=other, week=WEEK).won_value == Decimal("0.00")


def test_a_rep_who_left_the_team_loses_the_row_and_a_leaver_keeps_past_weeks(week_data):
    compute_weekly_kpis(week=WEEK)
    rep, other = week_data["rep"], week_data["other_rep"]
    other.is_active, other.last_day = False, date(2026, 3, 1)  # left before W10
    other.save()
    rep.is_active, rep.last_day = False, date(2026, 3, 31)  # left after W10
    rep.save()

    compute_weekly_kpis(week=WEEK)

    assert set(WeeklyKPI.objects.values_list("rep__username", flat=True)) == {"rep_a", "rep_c"}


def test_the_run_clears_the_weeks_stale_marks(week_data):
    StaleWeek.objects.create(team=week_data["north"], week=WEEK)
    StaleWeek.objects.create(team=week_data["north"], week="2026-W11")

    compute_weekly_kpis(week=WEEK, team=week_data["north"])

    assert list(StaleWeek.objects.values_list("week", flat=True)) == ["2026-W11"]


def test_a_bad_week_is_refused_with_a_field_error(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        compute_weekly_kpis(week="2026-W60")
    assert "week" in exc.value.message_dict


def _team_of(size: int, company) -> None:
    team = company["north"]
    for _ in range(size):
        rep = RepFactory(team=team)
        customer = CustomerFactory(owner=rep)
        activity(rep, customer, "call", at(3))
        deal(rep, amount="100", stage="lead", created=at(2, month=2))
        deal(rep, amount="100", stage="won", closed_at=date(2026, 3, 3), created=at(2, month=2))


def _queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_job_runs_the_same_number_of_queries_for_2_and_20_reps(
    company, django_assert_max_num_queries
):
    north = company["north"]
    _team_of(2, company)
    # 20 for the KPI rows + at most 5 for the at-risk flags (issue 13: earlier weeks' rows,
    # neglected key customers, stored flags, upsert, delete)
    with django_assert_max_num_queries(25):
        small = _queries(lambda: compute_weekly_kpis(week=WEEK, team=north))
    _team_of(18, company)

    large = _queries(lambda: compute_weekly_kpis(week=WEEK, team=north))

    assert large == small
    assert WeeklyKPI.objects.filter(week=WEEK, team=north).count() == 22  # 20 + rep_a, rep_b
    assert WeeklyKPI.objects.filter(week=WEEK, deals_won=1, calls=1).count() == 20


def test_the_week_end_in_the_teams_time_zone_bounds_created_deals(company):
    """South is in New York: a deal created Sunday 23:30 local (Monday 04:30 UTC) belongs
    to that week, one created Monday 00:30 local to the next."""
    rep = company["south_rep"]
    ny = ZoneInfo("America/New_York")
    deal(rep, amount="10", stage="lead", created=datetime(2026, 3, 8, 23, 30, tzinfo=ny))
    deal(rep, amount="20", stage="lead", created=datetime(2026, 3, 9, 0, 30, tzinfo=ny))

    compute_weekly_kpis(week=WEEK, team=company["south"])

    row = WeeklyKPI.objects.get(rep=rep, week=WEEK)
    assert (row.deals_created, row.pipeline_value) == (1, Decimal("10.00"))


def test_commission_follows_the_commission_rule_with_tiers(company):
    """The job's set-based commission equals area 5A's per-deal commission: a quarter plan
    at 4% with 6% from 100% attainment; Q1 quota 10,000 reached by a later deal."""
    from reports.models import CommissionPlan, CommissionTier
    from reports.selectors import commission_for_deal

    rep = company["rep"]
    plan = CommissionPlan.objects.create(rep=rep, base_rate=Decimal("4.00"), tier_period="quarter")
    CommissionTier.objects.create(plan=plan, attainment_from=Decimal("100"), rate=Decimal("6.00"))
    Quota.objects.create(
        rep=rep, period="quarter", period_start=date(2026, 1, 1), revenue=Decimal("10000")
    )
    in_week = deal(rep, amount="3333.33", stage="won", closed_at=date(2026, 3, 4), created=at(2))
    deal(rep, amount="7000", stage="won", closed_at=date(2026, 3, 20), created=at(2))
    other = company["other_rep"]  # no plan: the user's rate
    other.commission_rate = Decimal("2.50")
    other.save()
    other_deal = deal(other, amount="101", stage="won", closed_at=date(2026, 3, 5), created=at(2))

    compute_weekly_kpis(week=WEEK, team=company["north"])

    assert WeeklyKPI.objects.get(rep=rep).commission == commission_for_deal(deal=in_week)
    assert WeeklyKPI.objects.get(rep=rep).commission == Decimal("200.00")  # 6% of 3,333.33
    assert WeeklyKPI.objects.get(rep=other).commission == commission_for_deal(deal=other_deal)
    assert WeeklyKPI.objects.get(rep=other).commission == Decimal("2.53")  # 2.525 rounds up


def test_a_year_without_its_own_quota_rolls_up_four_quarters_or_else_the_months(company):
    """rep_a entered four quarters (and some months): the year is the quarters' sum.
    rep_b entered only months: the year is the months' sum, and so is the quarter."""
    rep, other = company["rep"], company["other_rep"]
    for q, revenue in enumerate(("1000", "2000", "3000", "4000")):
        Quota.objects.create(
            rep=rep,
            period="quarter",
            period_start=date(2026, 3 * q + 1, 1),
            revenue=Decimal(revenue),
        )
    for month in (1, 3, 7):
        for who in (rep, other):
            Quota.objects.create(
                rep=who, period="month", period_start=date(2026, month, 1), revenue=Decimal("500")
            )

    compute_weekly_kpis(week=WEEK, team=company["north"])

    mine = WeeklyKPI.objects.get(rep=rep, week=WEEK)
    theirs = WeeklyKPI.objects.get(rep=other, week=WEEK)
    assert (mine.quota_month, mine.quota_quarter, mine.quota_year) == (
        Decimal("500.00"),
        Decimal("1000.00"),
        Decimal("10000.00"),
    )
    assert (theirs.quota_month, theirs.quota_quarter, theirs.quota_year) == (
        Decimal("500.00"),
        Decimal("1000.00"),
        Decimal("1500.00"),
    )
