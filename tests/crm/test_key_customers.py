"""Key customers: the few customers that together bring 80% of the trailing-12-month won
revenue. Every scenario is hand-built so the expected key set is known in advance."""

import pytest
from django.urls import reverse

from crm.models import Customer
from crm.services import recompute_key_customers
from crm.tasks import recompute_key_customers as recompute_task
from tests.factories.crm import CustomerFactory, DealFactory, won_deal

pytestmark = pytest.mark.django_db


def _customers(owner, *names):
    return {name: CustomerFactory(name=name, owner=owner) for name in names}


def _key_names() -> set[str]:
    return set(Customer.objects.filter(is_key=True).values_list("name", flat=True))


def test_customers_bringing_80_percent_of_revenue_are_key(company):
    # Given revenue 50 / 30 / 10 / 10 (total 100)
    c = _customers(company["rep"], "A", "B", "C", "D")
    won_deal(customer=c["A"], amount="50")
    won_deal(customer=c["B"], amount="30")
    won_deal(customer=c["C"], amount="6")
    won_deal(customer=c["C"], amount="4")
    won_deal(customer=c["D"], amount="10")
    # When recomputed
    count = recompute_key_customers()
    # Then A (0 before it) and B (50 before it) are key; C/D have 80 before them: not key
    assert _key_names() == {"A", "B"}
    assert count == 2


def test_a_customer_that_crosses_the_80_percent_line_is_key(company):
    # 60 before C is < 80, so C (which takes the running total to 90) is key too.
    c = _customers(company["rep"], "A", "B", "C", "D")
    for name, amount in {"A": "40", "B": "20", "C": "30", "D": "10"}.items():
        won_deal(customer=c[name], amount=amount)
    recompute_key_customers()
    assert _key_names() == {"A", "C", "B"}


def test_ties_are_treated_alike(company):
    # 40 / 20 / 20 / 20: before each 20 is 40 (< 80), so all three 20s are key.
    c = _customers(company["rep"], "A", "B", "C", "D", "E")
    for name, amount in {"A": "40", "B": "20", "C": "20", "D": "20", "E": "0.00"}.items():
        won_deal(customer=c[name], amount=amount)
    recompute_key_customers()
    assert _key_names() == {"A", "B", "C", "D"}


def test_ties_after_the_line_are_all_left_out(company):
    # 80 / 10 / 10: before each 10 is 80 (not < 80): neither is key.
    c = _customers(company["rep"], "A", "B", "C")
    for name, amount in {"A": "80", "B": "10", "C": "10"}.items():
        won_deal(customer=c[name], amount=amount)
    recompute_key_customers()
    assert _key_names() == {"A"}


def test_zero_revenue_old_revenue_and_open_or_lost_deals_do_not_count(company):
    c = _customers(company["rep"], "Recent", "Old", "Open", "Lost", "Nothing")
    won_deal(customer=c["Recent"], amount="100", days_ago=364)
    won_deal(customer=c["Old"], amount="5000", days_ago=366)
    DealFactory(customer=c["Open"], amount="9000", stage_id="negotiation")
    DealFactory(customer=c["Lost"], amount="9000", stage_id="lost", lost_reason="price")
    recompute_key_customers()
    assert _key_names() == {"Recent"}


def test_no_revenue_at_all_means_no_key_customers(company):
    c = _customers(company["rep"], "A", "B")
    won_deal(customer=c["A"], amount="0")
    Customer.objects.filter(pk=c["B"].pk).update(is_key=True)
    assert recompute_key_customers() == 0
    assert _key_names() == set()


def test_revenue_is_company_wide_across_teams(company):
    north = CustomerFactory(name="North big", owner=company["rep"])
    south = CustomerFactory(name="South small", owner=company["south_rep"])
    won_deal(customer=north, amount="900")
    won_deal(customer=south, amount="100")
    recompute_key_customers()
    assert _key_names() == {"North big"}


def test_recompute_clears_flags_that_no_longer_hold_and_is_repeatable(company):
    c = _customers(company["rep"], "A", "B")
    won_deal(customer=c["A"], amount="10")
    Customer.objects.filter(pk=c["B"].pk).update(is_key=True)
    recompute_key_customers()
    recompute_key_customers()
    assert _key_names() == {"A"}


def test_recompute_runs_a_fixed_number_of_queries(company, django_assert_max_num_queries):
    owner = company["rep"]
    for i in range(30):
        won_deal(customer=CustomerFactory(owner=owner), amount=str(100 + i))
    with django_assert_max_num_queries(5):
        recompute_key_customers()


def test_celery_task_recomputes(company):
    c = _customers(company["rep"], "A")
    won_deal(customer=c["A"], amount="10")
    assert recompute_task.delay().get() == 1
    assert _key_names() == {"A"}


@pytest.mark.parametrize("who", ["north_mgr", "admin"])
def test_manager_or_admin_triggers_recompute_from_the_list(company, client, who):
    c = _customers(company["rep"], "A")
    won_deal(customer=c["A"], amount="10")
    client.force_login(company[who])
    response = client.post(reverse("crm:key-customers-recompute"), follow=True)
    assert response.status_code == 200
    assert "being recomputed" in response.content.decode()
    assert _key_names() == {"A"}


def test_rep_may_not_trigger_recompute(company, client):
    client.force_login(company["rep"])
    assert client.post(reverse("crm:key-customers-recompute")).status_code == 403
    assert client.get(reverse("crm:key-customers-recompute")).status_code == 405


@pytest.mark.parametrize(("who", "expected"), [("rep", 403), ("north_mgr", 202), ("admin", 202)])
def test_api_recompute_is_queued_for_managers_and_admins(company, api_as, who, expected):
    c = _customers(company["rep"], "A")
    won_deal(customer=c["A"], amount="10")
    response = api_as(company[who]).post("/api/customers/recompute-key-customers/")
    assert response.status_code == expected
    if expected == 202:
        assert response.json()["status"] == "queued"
        assert _key_names() == {"A"}
    else:
        assert _key_names() == set()


def test_key_badge_and_filter_on_the_list(company, client):
    c = _customers(company["rep"], "Big", "Small")
    won_deal(customer=c["Big"], amount="1000")
    recompute_key_customers()
    client.force_login(company["rep"])
    page = client.get(reverse("crm:customer-list"), {"is_key": "true"}).content.decode()
    assert "Big" in page and 'class="badge key"' in page
    assert "Small" not in page
