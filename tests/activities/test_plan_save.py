"""The weekly plan: the rep's sprint of planned activities and customers to contact."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activities.models import WeeklyPlan
from activities.selectors import current_week
from activities.services import weekly_plan_save
from activities.weeks import shift_week
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db
MY_WEEK = reverse("activities:my-week")
PLAN = reverse("activities:week-plan")


def test_a_rep_plans_their_week_and_saving_again_replaces_it(company):
    rep = company["rep"]
    week = current_week(user=rep)
    a, b = CustomerFactory(owner=rep), CustomerFactory(owner=rep)
    plan = weekly_plan_save(
        rep=rep, week=week, by=rep, planned_calls=100, planned_meetings=5, customers=[a, b]
    )
    assert (plan.planned_calls, plan.planned_meetings, plan.planned_visits) == (100, 5, 0)
    assert set(plan.customers.all()) == {a, b}
    weekly_plan_save(rep=rep, week=week, by=rep, planned_calls=80, customers=[b.pk])
    plan = WeeklyPlan.objects.get(rep=rep, week=week)
    assert plan.planned_calls == 80 and plan.planned_meetings == 0
    assert list(plan.customers.all()) == [b]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"planned_calls": -1}, "planned_calls", "Plan zero or more, not a negative number."),
        ({"planned_visits": -3}, "planned_visits", "Plan zero or more, not a negative number."),
        ({"planned_meetings": 10**6}, "planned_meetings", "Plan at most 10,000."),
        ({"planned_prospects": "5"}, "planned_prospects", "Enter a whole number."),
        ({"customers": ["x"]}, "customers", "Choose customers by id."),
    ],
)
def test_bad_numbers_are_field_errors_and_nothing_is_saved(company, fields, field, message):
    rep = company["rep"]
    with pytest.raises(ValidationError) as exc:
        weekly_plan_save(rep=rep, week=current_week(user=rep), by=rep, **fields)
    assert exc.value.message_dict[field] == [message]
    assert not WeeklyPlan.objects.exists()


def test_customers_outside_the_portfolio_are_refused(company):
    rep = company["rep"]
    mine, theirs = CustomerFactory(owner=rep), CustomerFactory(owner=company["other_rep"])
    with pytest.raises(ValidationError) as exc:
        weekly_plan_save(rep=rep, week=current_week(user=rep), by=rep, customers=[mine, theirs])
    assert exc.value.message_dict["customers"] == ["Plan only customers in your portfolio."]
    assert not WeeklyPlan.objects.exists()


def test_a_bad_or_past_week_is_refused(company):
    rep = company["rep"]
    with pytest.raises(ValidationError) as exc:
        weekly_plan_save(rep=rep, week="2026-W99", by=rep)
    assert exc.value.message_dict["week"] == ["2026 has no ISO week 99."]
    with pytest.raises(ValidationError) as exc:
        weekly_plan_save(rep=rep, week=shift_week(current_week(user=rep), -1), by=rep)
    assert "over" in exc.value.message_dict["week"][0]
    # next week is fine
    weekly_plan_save(rep=rep, week=shift_week(current_week(user=rep), 1), by=rep)


def test_only_the_rep_plans_their_own_week(company):
    rep = company["rep"]
    with pytest.raises(PermissionDenied):
        weekly_plan_save(rep=rep, week=current_week(user=rep), by=company["north_mgr"])
    assert not WeeklyPlan.objects.exists()


def test_the_plan_form_on_my_week_saves_and_flashes(client, company):
    rep = company["rep"]
    week = current_week(user=rep)
    customer = CustomerFactory(owner=rep, name="Acme Tools")
    client.force_login(rep)
    response = client.post(
        PLAN,
        {
            "week": week,
            "planned_calls": "50",
            "planned_meetings": "4",
            "planned_visits": "2",
            "planned_prospects": "3",
            "customers": [customer.pk],
        },
        follow=True,
    )
    html = response.content.decode()
    assert f"Plan for {week} saved." in html
    assert "Acme Tools" in html and "contacted: no" in html
    plan = WeeklyPlan.objects.get(rep=rep, week=week)
    assert (plan.planned_calls, plan.planned_prospects) == (50, 3)


def test_the_plan_form_shows_field_errors_and_saves_nothing(client, company):
    rep = company["rep"]
    foreign = CustomerFactory(owner=company["south_rep"])
    client.force_login(rep)
    response = client.post(
        PLAN,
        {
            "week": current_week(user=rep),
            "planned_calls": "-5",
            "planned_meetings": "",
            "planned_visits": "1",
            "planned_prospects": "1",
            "customers": [foreign.pk],
        },
    )
    assert response.status_code == 200
    errors = response.context["plan_form"].errors
    assert set(errors) == {"planned_calls", "planned_meetings", "customers"}
    assert "field-error" in response.content.decode()
    assert not WeeklyPlan.objects.exists()


def test_posting_a_plan_for_a_bad_week_redirects_with_a_message(client, company):
    client.force_login(company["rep"])
    response = client.post(PLAN, {"week": "soon", "planned_calls": "1"}, follow=True)
    assert response.status_code == 200
    assert "is not an ISO week" in response.content.decode()
    assert not WeeklyPlan.objects.exists()


def test_a_manager_sees_a_reps_plan_but_no_form_to_change_it(client, company):
    rep = company["rep"]
    week = current_week(user=rep)
    weekly_plan_save(rep=rep, week=week, by=rep, planned_calls=42)
    client.force_login(company["north_mgr"])
    response = client.get(MY_WEEK, {"rep": rep.pk})
    assert response.context["plan_form"] is None
    assert response.context["data"].plan.planned_calls == 42
