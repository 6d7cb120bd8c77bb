"""/api/tasks/: the contract other programs rely on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Task
from activities.selectors import local_today
from activities.services import task_create
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db
URL = "/api/tasks/"


def test_a_rep_creates_a_task_and_gets_it_back(company, api_as):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep)
    deal = DealFactory(customer=customer, owner=rep)
    due = (timezone.localdate() + timedelta(days=7)).isoformat()  # not overdue, whatever today
    response = api_as(rep).post(
        URL,
        {"title": "Send quote", "customer": customer.pk, "deal": deal.pk, "due_date": due},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["assignee"] == rep.pk
    assert body["customer"] == customer.pk
    assert body["deal"] == deal.pk
    assert body["due_date"] == due
    assert body["done"] is False
    assert body["is_overdue"] is False
    assert Task.objects.get(pk=body["id"]).created_by == rep


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x"}, "due_date"),
        ({"title": "x", "due_date": "tomorrow"}, "due_date"),
        ({"title": "", "due_date": "2026-12-01"}, "title"),
        ({"title": "x", "due_date": "2026-12-01", "customer": "abc"}, "customer"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(company, api_as, payload, field):
    response = api_as(company["rep"]).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Task.objects.exists()


def test_ids_outside_scope_read_like_ids_that_do_not_exist(company, api_as):
    foreign_customer = CustomerFactory(owner=company["other_rep"])
    foreign_deal = DealFactory(customer=CustomerFactory(owner=company["south_rep"]))
    client = api_as(company["rep"])
    payload = {
        "title": "x",
        "due_date": "2026-12-01",
        "customer": foreign_customer.pk,
        "deal": foreign_deal.pk,
        "assignee": company["other_rep"].pk,
    }
    body = client.post(URL, payload, format="json").json()
    missing = client.post(
        URL,
        {**payload, "customer": 999999, "deal": 999999, "assignee": 999999},
        format="json",
    ).json()
    assert set(body) == {"customer", "deal", "assignee"}
    # Then each message reads exactly like the one for an id that does not exist
    for field, obj in (
        ("customer", foreign_customer),
        ("deal", foreign_deal),
        ("assignee", company["other_rep"]),
    ):
        assert body[field][0].replace(str(obj.pk), "N") == missing[field][0].replace("999999", "N")
    assert not Task.objects.exists()


def test_a_manager_assigns_to_a_team_rep_and_the_service_checks_their_scope(company, api_as):
    client = api_as(company["north_mgr"])
    ok = client.post(
        URL, {"title": "x", "due_date": "2026-12-01", "assignee": company["rep"].pk}, format="json"
    )
    assert ok.status_code == 201
    # rep_b's customer assigned to rep_a: rep_a could not see it
    refused = client.post(
        URL,
        {
            "title": "y",
            "due_date": "2026-12-01",
            "assignee": company["rep"].pk,
            "customer": CustomerFactory(owner=company["other_rep"]).pk,
        },
        format="json",
    )
    assert refused.status_code == 400
    assert "customer" in refused.json()


def test_list_filters_by_field_name_overdue_and_orders(company, api_as):
    rep = company["rep"]
    today = local_today(user=rep)
    customer = CustomerFactory(owner=rep)
    late = task_create(by=rep, title="late", due_date=today - timedelta(days=2))
    soon = task_create(by=rep, title="soon", due_date=today + timedelta(days=2), customer=customer)
    done = task_create(by=rep, title="done", due_date=today + timedelta(days=1))
    api_as(rep).post(f"{URL}{done.pk}/complete/")
    client = api_as(rep)

    def titles(query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        return [row["title"] for row in response.json()["results"]]

    assert titles("overdue=true") == ["late"]
    assert titles("done=true") == ["done"]
    assert titles(f"customer={customer.pk}") == ["soon"]
    assert titles("ordering=-due_date") == ["soon", "done", "late"]
    assert titles(f"due_after={today}") == ["soon", "done"]
    body = client.get(f"{URL}?page_size=1").json()
    assert body["count"] == 3 and len(body["results"]) == 1 and body["next"]
    assert late.pk and soon.pk


def test_a_bad_filter_value_is_a_400_not_a_500(company, api_as):
    response = api_as(company["rep"]).get(f"{URL}?due_after=not-a-date")
    assert response.status_code == 400
    assert "due_after" in response.json()


def test_patch_done_completes_and_complete_reopen_actions_work(company, api_as):
    rep = company["rep"]
    task = task_create(by=rep, title="Call", due_date=local_today(user=rep))
    client = api_as(rep)
    body = client.patch(f"{URL}{task.pk}/", {"done": True}, format="json").json()
    assert body["done"] is True and body["done_at"]
    body = client.post(f"{URL}{task.pk}/reopen/").json()
    assert body["done"] is False and body["done_at"] is None
    body = client.post(f"{URL}{task.pk}/complete/").json()
    assert body["done"] is True


def test_an_unknown_or_foreign_task_is_a_404(company, api_as):
    task = task_create(
        by=company["other_rep"], title="theirs", due_date=local_today(user=company["rep"])
    )
    client = api_as(company["rep"])
    assert client.get(f"{URL}{task.pk}/").status_code == 404
    assert client.patch(f"{URL}{task.pk}/", {"title": "mine"}, format="json").status_code == 404
    assert client.post(f"{URL}{task.pk}/complete/").status_code == 404
    task.refresh_from_db()
    assert task.title == "theirs" and not task.done


def test_the_list_runs_a_fixed_number_of_queries(company, api_as, django_assert_max_num_queries):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep)
    deal = DealFactory(customer=customer, owner=rep)
    client = api_as(rep)
    for i in range(3):
        task_create(by=rep, title=f"t{i}", due_date=local_today(user=rep), customer=customer)
    with django_assert_max_num_queries(4):
        assert client.get(URL).json()["count"] == 3
    for i in range(40):
        task_create(by=rep, title=f"u{i}", due_date=local_today(user=rep), deal=deal)
    with django_assert_max_num_queries(4):
        assert client.get(URL).json()["count"] == 43
