"""The target services: who may set them, and what they refuse."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports.models import ActivityGoal, CommissionPlan, Quota
from reports.services import (
    activity_goal_set,
    commission_plan_save,
    incentive_create,
    quota_roll_up,
    quota_set,
)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["rep", "other_rep", "south_mgr"])
def test_only_the_reps_manager_or_an_admin_sets_a_quota(company, who):
    with pytest.raises(PermissionDenied):
        quota_set(
            rep=company["rep"],
            period="month",
            period_start=date(2026, 1, 1),
            by=company[who],
            revenue="1",
        )
    with pytest.raises(PermissionDenied):
        quota_roll_up(rep=company["rep"], year=2026, by=company[who])
    assert not Quota.objects.exists()


@pytest.mark.django_db
def test_quota_revenue_is_a_decimal_with_two_places(company):
    q = quota_set(
        rep=company["rep"],
        period="year",
        period_start=date(2026, 1, 1),
        by=company["admin"],
        revenue="1300000.5",
    )
    q.refresh_from_db()
    assert q.revenue == Decimal("1300000.50")
    with pytest.raises(ValidationError) as exc:
        quota_set(
            rep=company["rep"],
            period="year",
            period_start=date(2026, 1, 1),
            by=company["admin"],
            revenue="1.005",
        )
    assert "two decimal places" in exc.value.message_dict["revenue"][0]


@pytest.mark.django_db
def test_roll_up_months_only_into_the_year_leaves_quarters_alone(company):
    by = company["north_mgr"]
    for month in (1, 7):
        quota_set(
            rep=company["rep"],
            period="month",
            period_start=date(2026, month, 1),
            by=by,
            revenue="10",
        )
    rows = quota_roll_up(rep=company["rep"], year=2026, by=by, periods=("year",))
    assert [(q.period, q.revenue) for q in rows] == [("year", Decimal("20.00"))]
    assert not Quota.objects.filter(period="quarter").exists()


@pytest.mark.django_db
def test_team_default_only_by_the_teams_manager_or_an_admin(company):
    with pytest.raises(PermissionDenied):
        activity_goal_set(by=company["south_mgr"], team=company["north"], calls=1)
    activity_goal_set(by=company["north_mgr"], team=company["north"], calls=100)
    activity_goal_set(by=company["north_mgr"], team=company["north"], calls=120)  # replaces
    assert ActivityGoal.objects.get().calls == 120


@pytest.mark.django_db
def test_commission_plan_validation(company):
    by = company["north_mgr"]
    with pytest.raises(ValidationError) as exc:
        commission_plan_save(
            rep=company["rep"], by=by, base_rate="101", tiers=[("100", "8"), ("100", "9")]
        )
    errors = exc.value.message_dict
    assert "base_rate" in errors and "tiers-1-attainment_from" in errors
    assert not CommissionPlan.objects.exists()
    plan = commission_plan_save(rep=company["rep"], by=by, base_rate="5", tiers=[("100", "8")])
    assert [(t.attainment_from, t.rate) for t in plan.tiers.all()] == [
        (Decimal("100.00"), Decimal("8.00"))
    ]


@pytest.mark.django_db
def test_incentive_for_one_rep_or_one_team(company):
    base = {
        "name": "Club",
        "reward": "Dinner",
        "period": "quarter",
        "period_start": date(2026, 1, 1),
    }
    with pytest.raises(ValidationError):
        incentive_create(by=company["admin"], **base)
    with pytest.raises(PermissionDenied):
        incentive_create(by=company["south_mgr"], team=company["north"], **base)
    with pytest.raises(ValidationError) as exc:
        incentive_create(by=company["admin"], rep=company["rep"], attainment="0", **base)
    assert "attainment" in exc.value.message_dict
