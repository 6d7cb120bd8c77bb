"""The targets pages a manager uses: the quota grid (with roll-up), activity goals, the
expectation profile and its progress, the commission plan and page, incentives."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import ActivityGoal, CommissionPlan, ExpectationProfile, Incentive, Quota
from tests.factories.crm import CustomerFactory, DealFactory
from tests.helpers import quota_grid_post as grid


def grid_url(rep, year=2026):
    return reverse("reports:quota-grid", args=[rep.pk]) + f"?year={year}"


@pytest.mark.django_db
def test_manager_fills_months_and_rolls_quarters_and_year_up(company, client):
    rep = company["rep"]
    client.force_login(company["north_mgr"])
    data = grid(roll_up_quarters="on", roll_up_year="on")
    for month in (1, 2, 3, 4):
        data[f"month-2026-{month:02d}-01-revenue"] = "1000.25"
        data[f"month-2026-{month:02d}-01-new_customers_primary"] = "1"
    data["quarter-2026-01-01-revenue"] = "5"  # ignored: rolled up
    response = client.post(grid_url(rep), data, follow=True)
    assert response.status_code == 200
    assert "Quotas for" in response.content.decode()
    q1 = Quota.objects.get(rep=rep, period="quarter", period_start=date(2026, 1, 1))
    assert q1.revenue == Decimal("3000.75") and q1.rolled_up and q1.new_customers_primary == 3
    year = Quota.objects.get(rep=rep, period="year")
    assert year.revenue == Decimal("4001.00") and year.rolled_up
    assert Quota.objects.filter(rep=rep, period="month").count() == 4
    assert "rolled up" in client.get(grid_url(rep)).content.decode()


@pytest.mark.django_db
def test_entered_quarter_is_kept_when_not_rolled_up(company, client):
    client.force_login(company["north_mgr"])
    client.post(
        grid_url(company["rep"]),
        grid(**{"quarter-2026-04-01-revenue": "7777"}),
    )
    q2 = Quota.objects.get(rep=company["rep"], period="quarter")
    assert q2.period_start == date(2026, 4, 1) and q2.revenue == Decimal("7777.00")
    assert not q2.rolled_up


@pytest.mark.django_db
def test_bad_grid_cell_shows_a_field_error_and_saves_nothing(company, client):
    client.force_login(company["north_mgr"])
    response = client.post(
        grid_url(company["rep"]),
        grid(**{"month-2026-01-01-revenue": "100", "month-2026-02-01-revenue": "-5"}),
    )
    assert response.status_code == 200
    assert "Must not be negative." in response.content.decode()
    assert not Quota.objects.exists()


@pytest.mark.django_db
def test_rep_sees_own_grid_read_only(company, client):
    Quota.objects.create(
        rep=company["rep"], period="month", period_start=date(2026, 1, 1), revenue=42
    )
    client.force_login(company["rep"])
    page = client.get(grid_url(company["rep"])).content.decode()
    assert "read-only" in page and "42" in page and "Save quotas" not in page


@pytest.mark.django_db
def test_goals_page_sets_team_default_and_shows_errors(company, client):
    client.force_login(company["north_mgr"])
    ok = client.post(
        reverse("reports:activity-goals"),
        {
            "team": company["north"].pk,
            "week": "",
            "calls": 100,
            "meetings": 5,
            "visits": 0,
            "new_prospects": 0,
        },
        follow=True,
    )
    assert "Goal saved" in ok.content.decode()
    assert ActivityGoal.objects.get(team=company["north"], rep=None).calls == 100
    bad = client.post(
        reverse("reports:activity-goals"),
        {
            "rep": company["rep"].pk,
            "week": "week 47",
            "calls": 1,
            "meetings": 0,
            "visits": 0,
            "new_prospects": 0,
        },
    )
    assert "is not an ISO week" in bad.content.decode()
    neither = client.post(
        reverse("reports:activity-goals"),
        {"calls": 1, "meetings": 0, "visits": 0, "new_prospects": 0},
    )
    assert "team default" in neither.content.decode()
    assert ActivityGoal.objects.count() == 1


@pytest.mark.django_db
def test_goal_delete(company, client):
    goal = ActivityGoal.objects.create(rep=company["rep"], calls=3)
    client.force_login(company["north_mgr"])
    response = client.post(reverse("reports:activity-goal-delete", args=[goal.pk]), follow=True)
    assert "Goal removed" in response.content.decode()
    assert not ActivityGoal.objects.exists()


@pytest.mark.django_db
def test_expectations_edit_then_progress_page(company, client):
    rep = company["rep"]
    client.force_login(company["north_mgr"])
    url = reverse("reports:expectations-edit", args=[rep.pk])
    bad = client.post(
        url,
        {
            "starts_on": "2026-01-01",
            "prospecting_cold_calls-target": "10",
            "prospecting_cold_calls-weight": "70",
        },
    )
    assert "must add up to 100" in bad.content.decode()
    assert not ExpectationProfile.objects.exists()
    ok = client.post(
        url,
        {
            "starts_on": "2026-01-01",
            "summary": "Grow the south-west",
            "revenue_12m-target": "1300000",
            "prospecting_cold_calls-target": "10",
            "prospecting_cold_calls-weight": "100",
        },
        follow=True,
    )
    page = ok.content.decode()
    assert "Expectations for" in page
    assert "Revenue in the next 12 months" in page and "behind" in page


@pytest.mark.django_db
def test_commission_plan_and_commission_page(company, client):
    rep = company["rep"]
    deal = DealFactory(
        customer=CustomerFactory(owner=rep),
        stage_id="won",
        amount=Decimal("500"),
        closed_at=date(2026, 3, 1),
        credited_to=rep,
    )
    client.force_login(company["north_mgr"])
    plan_url = reverse("reports:commission-plan", args=[rep.pk])
    bad = client.post(
        plan_url, {"base_rate": "5", "tier_period": "quarter", "tiers-0-attainment_from": "100"}
    )
    assert "needs both" in bad.content.decode()
    client.post(plan_url, {"base_rate": "5", "tier_period": "quarter"})
    assert CommissionPlan.objects.get(rep=rep).base_rate == Decimal("5.00")
    team_page = client.get(reverse("reports:commissions") + "?year=2026").content.decode()
    assert f"commission-deal-{deal.pk}" in team_page and "25.00" in team_page
    client.force_login(rep)
    own = client.get(reverse("reports:commissions") + "?year=2026").content.decode()
    assert "25.00" in own


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", [{"prospecting_cold_calls-weight": "100"}, {"prospecting_cold_calls-note": "Phone"}]
)
def test_a_weight_or_note_without_a_target_is_asked_for_not_dropped(company, client, typed):
    client.force_login(company["north_mgr"])
    data = {"starts_on": "2026-01-01", "new_customers_primary-target": "10", **typed}

    response = client.post(reverse("reports:expectations-edit", args=[company["rep"].pk]), data)

    assert response.context["form"].errors["prospecting_cold_calls-target"] == [
        "Give a target for this measure, or clear its weight and note."
    ]
    assert not ExpectationProfile.objects.exists()


@pytest.mark.django_db
def test_a_tier_error_shows_on_the_row_it_was_typed_in_after_an_empty_row(company, client):
    # given: the first tier row left empty, the third with a rate over 100%
    client.force_login(company["north_mgr"])
    data = {
        "base_rate": "5",
        "tier_period": "quarter",
        "tiers-1-attainment_from": "120",
        "tiers-1-rate": "8",
        "tiers-2-attainment_from": "150",
        "tiers-2-rate": "150",
    }

    # when
    response = client.post(reverse("reports:commission-plan", args=[company["rep"].pk]), data)

    # then: the third row carries the error, the second none
    form = response.context["form"]
    assert form.errors["tiers-2-rate"] == ["Must be at most 100."]
    assert "tiers-1-rate" not in form.errors
    assert not CommissionPlan.objects.exists()


@pytest.mark.django_db
def test_incentive_offered_then_earned_on_the_reps_commission_page(company, client):
    rep = company["rep"]
    Quota.objects.create(rep=rep, period="quarter", period_start=date(2026, 1, 1), revenue=500)
    DealFactory(
        customer=CustomerFactory(owner=rep),
        stage_id="won",
        amount=Decimal("500"),
        closed_at=date(2026, 3, 1),
        credited_to=rep,
    )
    client.force_login(company["north_mgr"])
    bad = client.post(
        reverse("reports:incentives"),
        {
            "name": "Club",
            "reward": "Dinner",
            "period": "quarter",
            "period_start": "2026-02-01",
            "attainment": "100",
            "team": company["north"].pk,
        },
    )
    assert "2026-01-01" in bad.content.decode()
    client.post(
        reverse("reports:incentives"),
        {
            "name": "Club",
            "reward": "Dinner",
            "period": "quarter",
            "period_start": "2026-01-01",
            "attainment": "100",
            "team": company["north"].pk,
        },
    )
    assert Incentive.objects.count() == 1
    client.force_login(rep)
    page = client.get(reverse("reports:commissions") + "?year=2026").content.decode()
    assert "Club" in page and "earned" in page


@pytest.mark.django_db
def test_overview_runs_a_fixed_number_of_queries(company, client, django_assert_max_num_queries):
    from tests.factories.accounts import RepFactory

    for _ in range(10):
        rep = RepFactory(team=company["north"])
        Quota.objects.create(rep=rep, period="year", period_start=date(2026, 1, 1), revenue=9)
    client.force_login(company["north_mgr"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reports:targets") + "?year=2026")
    assert response.content.decode().count('id="rep-') == 12


@pytest.mark.django_db
def test_commission_page_runs_a_fixed_number_of_queries(
    company, client, django_assert_max_num_queries
):
    from tests.factories.accounts import RepFactory

    for _ in range(8):
        rep = RepFactory(team=company["north"])
        for month in (1, 5, 9):
            DealFactory(
                customer=CustomerFactory(owner=rep),
                stage_id="won",
                amount=Decimal("100"),
                closed_at=date(2026, month, 1),
                credited_to=rep,
            )
    client.force_login(company["north_mgr"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:commissions") + "?year=2026")
    assert response.content.decode().count('id="commission-deal-') == 24


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["abc", "", "99999999999", "-1"])
def test_nonsense_year_falls_back_to_this_year_never_a_500(company, client, year):
    client.force_login(company["north_mgr"])
    grid = reverse("reports:quota-grid", args=[company["rep"].pk])
    assert client.get(grid, {"year": year}).status_code == 200
    assert client.post(grid, {"year": year}).status_code == 200  # refused, see below
    assert client.get(reverse("reports:commissions"), {"year": year, "rep": year}).status_code in (
        200,
        404,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["1999", "abc", "", "\x00", "1e30", "2101"])
def test_a_grid_posted_for_a_bad_year_is_refused_and_keeps_this_years_quotas(company, client, year):
    # given: rep_a's January and February quotas for this year
    rep = company["rep"]
    this_year = timezone.localdate().year
    for month, revenue in ((1, "1000"), (2, "500")):
        Quota.objects.create(
            rep=rep, period="month", period_start=date(this_year, month, 1), revenue=revenue
        )
    client.force_login(company["north_mgr"])

    # when: a grid comes back with a year the page never offers, or cut short
    bad_year = client.post(
        grid_url(rep), {"year": year, "month-1999-01-01-revenue": "7"}, follow=True
    )
    cut_short = client.post(
        grid_url(rep, this_year), {"year": str(this_year), "month-2026-01-01-revenue": "7"}
    )

    # then: nothing saved, and the page says why
    assert "nothing was saved" in bad_year.content.decode().lower()
    assert "came back incomplete" in cut_short.content.decode()
    assert sorted(Quota.objects.filter(rep=rep).values_list("revenue", flat=True)) == [
        Decimal("500.00"),
        Decimal("1000.00"),
    ]
