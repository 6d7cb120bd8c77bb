"""Malformed list parameters and ids are 400 field errors on every API, never a 500, a
silently dropped filter or an id read as another id (rule 4)."""

import pytest

from accounts.models import User
from activities.models import Task
from crm.models import Contact, Deal
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/activities/?week=%25", "week"),  # "%": messages are formatted with %
        ("/api/call-reports/?week=%25s", "week"),
        ("/api/activities/?week=２０２６-W47", "week"),  # full-width digits
        ("/api/activity-goals/?week=garbage", "week"),
        ("/api/customers/?is_key=garbage", "is_key"),
        ("/api/customers/?conflict=maybe", "conflict"),
        ("/api/contacts/?is_primary=zz", "is_primary"),
        ("/api/tasks/?done=abc", "done"),
        ("/api/tasks/?overdue=abc", "overdue"),
        ("/api/activities/?is_late=abc", "is_late"),
        ("/api/activity-goals/?standing=xyz", "standing"),
        ("/api/users/?is_active=zz", "is_active"),
        ("/api/deals/?customer=1.5", "customer"),
        ("/api/quotas/?rep=1.5", "rep"),
        ("/api/activity-goals/?team=1.5", "team"),
        ("/api/quotas/?year=0", "year"),
        ("/api/quotas/?year=10000", "year"),
        ("/api/quotas/?year=99999999999999999999", "year"),
    ],
)
def test_a_malformed_list_parameter_is_a_400_naming_the_field(company, api_as, url, field):
    response = api_as(company["admin"]).get(url)

    assert response.status_code == 400, response.content
    assert response.json()[field]


@pytest.mark.parametrize(("value", "keys"), [("true", ["Key"]), ("1", ["Key"]), ("no", ["Plain"])])
def test_yes_and_no_are_understood_in_their_usual_spellings(company, api_as, value, keys):
    CustomerFactory(owner=company["rep"], name="Key", is_key=True)
    CustomerFactory(owner=company["rep"], name="Plain", is_key=False)

    response = api_as(company["rep"]).get(f"/api/customers/?is_key={value}")

    assert [c["name"] for c in response.json()["results"]] == keys


def test_the_customer_list_page_says_what_is_wrong_with_a_yes_no_filter(client, company):
    client.force_login(company["rep"])

    response = client.get("/customers/?is_key=abc")

    assert "“abc” is not true or false." in response.content.decode()


@pytest.mark.parametrize("bad_id", [1.5, True, "１", "1.5"])
def test_an_id_that_is_not_a_whole_number_is_refused_not_truncated(company, api_as, bad_id):
    customer = CustomerFactory(owner=company["rep"])
    api = api_as(company["admin"])
    # given: objects with id 1 might exist; 1.5 must never be read as 1
    requests = [
        ("/api/contacts/", {"customer": bad_id, "first_name": "A", "last_name": "B"}, "customer"),
        ("/api/deals/", {"customer": bad_id, "title": "T", "amount": "1.00"}, "customer"),
        (
            "/api/tasks/",
            {"title": "T", "customer": customer.pk, "deal": bad_id, "due_date": "2026-12-01"},
            "deal",
        ),
        (
            "/api/users/",
            {"username": "newbie", "password": "s3cret-Pass!", "role": "rep", "team": bad_id},
            "team",
        ),
    ]
    for url, body, field in requests:
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (url, response.content)
        assert response.json()[field]
    assert not Contact.objects.exists()
    assert not Deal.objects.exists()
    assert not Task.objects.exists()
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "3000-01-01"])
def test_dates_outside_1900_to_2999_are_refused_where_they_plan_something(company, api_as, day):
    from reports.models import Quota

    customer = CustomerFactory(owner=company["rep"])
    rep_api, mgr_api = api_as(company["rep"]), api_as(company["north_mgr"])
    start = day[:8] + "01"  # a first day, so only the range is wrong

    task = rep_api.post(
        "/api/tasks/", {"title": "T", "customer": customer.pk, "due_date": day}, format="json"
    )
    quota = mgr_api.post(
        "/api/quotas/",
        {"rep": company["rep"].pk, "period": "month", "period_start": start, "revenue": "1"},
        format="json",
    )

    assert task.status_code == 400 and "between 1900 and 2999" in task.json()["due_date"][0]
    assert quota.status_code == 400 and "between 1900 and 2999" in quota.json()["period_start"][0]
    assert not Task.objects.exists() and not Quota.objects.exists()


def test_an_incentive_for_a_year_outside_1900_to_2999_is_a_form_error(company, client):
    from reports.models import Incentive

    client.force_login(company["north_mgr"])
    data = {"name": "I", "reward": "R", "attainment": "100", "rep": company["rep"].pk}

    response = client.post(
        "/targets/incentives/", {**data, "period": "year", "period_start": "9999-01-01"}
    )

    assert "between 1900 and 2999" in response.content.decode()
    assert not Incentive.objects.exists()
