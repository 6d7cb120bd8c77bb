"""Commission per won deal and incentives earned: amount x rate / 100, the rate from the tier
the rep's attainment reached in the deal's tier period (see reports.selectors)."""

from datetime import date
from decimal import Decimal

import pytest

from reports.models import CommissionPlan, CommissionTier, Incentive, Quota
from reports.selectors import (
    commission_for_deal,
    commission_totals,
    commissions_for,
    commissions_for_reps,
    incentives_earned,
)
from tests.factories.crm import CustomerFactory, DealFactory


def won(rep, amount, closed_at, **fields):
    customer = fields.pop("customer", None) or CustomerFactory(owner=rep)
    return DealFactory(
        customer=customer,
        owner=fields.pop("owner", rep),
        amount=Decimal(amount),
        stage_id="won",
        probability=100,
        closed_at=closed_at,
        credited_to=rep,
        **fields,
    )


def plan(rep, base, tiers=(), period="quarter"):
    p = CommissionPlan.objects.create(rep=rep, base_rate=Decimal(base), tier_period=period)
    for start, rate in tiers:
        CommissionTier.objects.create(plan=p, attainment_from=Decimal(start), rate=Decimal(rate))
    return p


@pytest.mark.django_db
def test_five_percent_of_a_500_sale_is_25(company):
    rep = company["rep"]
    plan(rep, "5")
    deal = won(rep, "500", date(2026, 3, 10))
    assert commission_for_deal(deal=deal) == Decimal("25.00")


@pytest.mark.django_db
def test_without_a_plan_the_users_commission_rate_applies(company):
    rep = company["rep"]
    rep.commission_rate = Decimal("3.50")
    rep.save()
    deal = won(rep, "1000", date(2026, 3, 10))
    assert commission_for_deal(deal=deal) == Decimal("35.00")


@pytest.mark.django_db
def test_open_or_lost_deals_earn_nothing(company):
    plan(company["rep"], "5")
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]), stage_id="proposal")
    assert commission_for_deal(deal=deal) is None


@pytest.mark.django_db
def test_rate_follows_the_tier_reached_in_the_deals_quarter(company):
    rep = company["rep"]
    plan(rep, "5", tiers=[("100", "8"), ("150", "10")])
    Quota.objects.create(
        rep=rep, period="quarter", period_start=date(2026, 1, 1), revenue=Decimal("1000")
    )
    first = won(rep, "500", date(2026, 1, 15))
    # given only half the quarter's quota won, the base rate applies
    assert commission_for_deal(deal=first) == Decimal("25.00")
    # when the quarter reaches exactly 100% (the tier boundary), every deal of it earns 8%
    second = won(rep, "500", date(2026, 2, 20))
    assert commission_for_deal(deal=first) == Decimal("40.00")
    assert commission_for_deal(deal=second) == Decimal("40.00")
    # a deal in the next quarter (no quota) is at the base rate
    april = won(rep, "500", date(2026, 4, 2))
    assert commission_for_deal(deal=april) == Decimal("25.00")


@pytest.mark.django_db
def test_just_below_the_tier_boundary_stays_at_the_base_rate(company):
    rep = company["rep"]
    plan(rep, "5", tiers=[("100", "8")])
    Quota.objects.create(
        rep=rep, period="quarter", period_start=date(2026, 1, 1), revenue=Decimal("1000")
    )
    deal = won(rep, "999.99", date(2026, 1, 15))
    assert commission_for_deal(deal=deal) == Decimal("50.00")  # 5% of 999.99 = 49.9995


@pytest.mark.django_db
def test_monthly_tier_period_uses_the_months_quota(company):
    rep = company["rep"]
    plan(rep, "2", tiers=[("100", "4")], period="month")
    Quota.objects.create(
        rep=rep, period="month", period_start=date(2026, 5, 1), revenue=Decimal("100")
    )
    may = won(rep, "100", date(2026, 5, 31))
    june = won(rep, "100", date(2026, 6, 1))
    assert commission_for_deal(deal=may) == Decimal("4.00")
    assert commission_for_deal(deal=june) == Decimal("2.00")


@pytest.mark.django_db
def test_rounds_half_up_to_the_cent(company):
    rep = company["rep"]
    plan(rep, "5")
    deal = won(rep, "0.10", date(2026, 1, 1))  # 0.005
    assert commission_for_deal(deal=deal) == Decimal("0.01")


@pytest.mark.django_db
def test_commission_goes_to_the_rep_credited_at_close(company):
    # given a deal won by rep_a and later reassigned to rep_b
    plan(company["rep"], "5")
    plan(company["other_rep"], "10")
    deal = won(company["rep"], "1000", date(2026, 2, 1), owner=company["other_rep"])
    rows = commissions_for(rep=company["rep"], start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert [(d.pk, d.c_commission) for d in rows] == [(deal.pk, Decimal("50.00"))]
    assert (
        commissions_for(rep=company["other_rep"], start=date(2026, 1, 1), end=date(2026, 12, 31))
        == []
    )


@pytest.mark.django_db
def test_commissions_for_keeps_to_the_date_range(company):
    rep = company["rep"]
    plan(rep, "5")
    inside = won(rep, "100", date(2026, 6, 30))
    won(rep, "100", date(2026, 7, 1))
    won(rep, "100", date(2025, 12, 31))
    rows = commissions_for(rep=rep, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert [d.pk for d in rows] == [inside.pk]


@pytest.mark.django_db
def test_team_commissions_run_a_fixed_number_of_queries(company, django_assert_max_num_queries):
    reps = [company["rep"], company["other_rep"]]
    plan(reps[0], "5", period="quarter")
    plan(reps[1], "5", period="month")
    for rep in reps:
        for month in range(1, 13):
            won(rep, "100", date(2026, month, 5))
    with django_assert_max_num_queries(4):
        rows = commissions_for_reps(
            rep_ids=[r.pk for r in reps], start=date(2026, 1, 1), end=date(2026, 12, 31)
        )
        total = sum(d.c_commission for d in rows)
        names = {d.customer.name for d in rows} | {str(d.credited_to) for d in rows}
    assert total == Decimal("120.00") and names


@pytest.mark.django_db
def test_a_zero_quota_earns_the_base_rate_and_shows_no_attainment(company):
    rep = company["rep"]
    plan(rep, "5", tiers=[("0", "9")], period="year")
    Quota.objects.create(rep=rep, period="year", period_start=date(2026, 1, 1), revenue=0)
    deal = won(rep, "100", date(2026, 8, 1))
    [row] = commissions_for(rep=rep, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert (row.c_attainment, row.c_rate, row.c_commission) == (None, Decimal("5"), Decimal("5"))
    assert commission_for_deal(deal=deal) == Decimal("5.00")


@pytest.mark.django_db
def test_each_rep_is_measured_in_their_own_tier_period(company):
    """One call for reps on a month plan, a year plan and no plan: each deal's attainment
    is that of its own rep's period, and the page, the deal page and the KPI totals agree."""
    monthly, yearly, no_plan = company["rep"], company["other_rep"], company["south_rep"]
    plan(monthly, "2", tiers=[("100", "4")], period="month")
    plan(yearly, "3", tiers=[("50", "6")], period="year")
    no_plan.commission_rate = Decimal("1.00")
    no_plan.save()
    Quota.objects.create(rep=monthly, period="month", period_start=date(2026, 3, 1), revenue=200)
    Quota.objects.create(rep=yearly, period="year", period_start=date(2026, 1, 1), revenue=1000)
    Quota.objects.create(rep=no_plan, period="quarter", period_start=date(2026, 1, 1), revenue=50)
    m_march = won(monthly, "200", date(2026, 3, 31))  # 100% of March: 4%
    m_april = won(monthly, "200", date(2026, 4, 1))  # no April quota: 2%
    y_march = won(yearly, "100", date(2026, 3, 31))  # with December's 400: 50% of the year
    won(yearly, "400", date(2026, 12, 1))
    n_march = won(no_plan, "100", date(2026, 3, 1))  # 200% of Q1 but no plan: user rate

    rows = commissions_for_reps(
        rep_ids=[monthly.pk, yearly.pk, no_plan.pk], start=date(2026, 3, 1), end=date(2026, 4, 30)
    )
    got = {d.pk: (d.c_attainment, d.c_commission) for d in rows}
    assert got == {
        m_april.pk: (None, Decimal("4.00")),
        m_march.pk: (Decimal("100"), Decimal("8.00")),
        y_march.pk: (Decimal("50"), Decimal("6.00")),
        n_march.pk: (Decimal("200"), Decimal("1.00")),
    }
    assert [d.pk for d in rows][0] == m_april.pk  # latest first
    for deal in (m_march, m_april, y_march, n_march):
        assert commission_for_deal(deal=deal) == got[deal.pk][1]
    totals = commission_totals(
        rep_ids=[monthly.pk, yearly.pk, no_plan.pk], start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert totals == {monthly.pk: Decimal("8.00"), yearly.pk: Decimal("6.00"), no_plan.pk: 1}


@pytest.mark.django_db
def test_the_deal_pages_commission_runs_at_most_three_queries(
    company, django_assert_max_num_queries
):
    rep = company["rep"]
    plan(rep, "5", tiers=[("100", "8")])
    Quota.objects.create(rep=rep, period="quarter", period_start=date(2026, 1, 1), revenue=500)
    deals = [won(rep, "100", date(2026, 1, day)) for day in range(1, 6)]
    with django_assert_max_num_queries(3):
        assert commission_for_deal(deal=deals[0]) == Decimal("8.00")


@pytest.mark.django_db
def test_incentive_earned_when_the_level_is_reached(company):
    rep = company["rep"]
    Quota.objects.create(
        rep=rep, period="quarter", period_start=date(2026, 1, 1), revenue=Decimal("1000")
    )
    Quota.objects.create(
        rep=rep, period="quarter", period_start=date(2026, 4, 1), revenue=Decimal("1000")
    )
    won(rep, "1000", date(2026, 3, 31))
    won(rep, "999", date(2026, 5, 1))
    q1 = Incentive.objects.create(
        name="Q1 club",
        reward="Dinner",
        period="quarter",
        period_start=date(2026, 1, 1),
        team=company["north"],
    )
    Incentive.objects.create(
        name="Q2 club",
        reward="Dinner",
        period="quarter",
        period_start=date(2026, 4, 1),
        rep=rep,
    )
    Incentive.objects.create(
        name="South only",
        reward="Trip",
        period="quarter",
        period_start=date(2026, 1, 1),
        team=company["south"],
        attainment=Decimal("1"),
    )
    assert [i.pk for i in incentives_earned(rep=rep, year=2026)] == [q1.pk]
    assert incentives_earned(rep=company["other_rep"], year=2026) == []
