"""Tasks: follow-ups with a due date and an assignee, scoped like customers."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities.models import Task
from activities.selectors import local_today, tasks_for_list, tasks_visible_to
from activities.services import task_complete, task_create, task_reopen, task_update
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_a_rep_creates_a_task_for_themself_on_their_customer(company):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep)
    task = task_create(by=rep, title=" Call back ", due_date=date(2026, 12, 1), customer=customer)
    assert task.assignee == rep
    assert task.created_by == rep
    assert task.title == "Call back"
    assert task.customer == customer
    assert not task.done


def test_a_deal_without_a_customer_brings_its_customer_along(company):
    rep = company["rep"]
    deal = DealFactory(customer=CustomerFactory(owner=rep), owner=rep)
    task = task_create(by=rep, title="Send quote", due_date=date(2026, 12, 1), deal=deal)
    assert task.customer == deal.customer


def test_a_manager_assigns_a_task_to_a_rep_of_their_team(company):
    customer = CustomerFactory(owner=company["rep"])
    task = task_create(
        by=company["north_mgr"],
        title="Visit before Christmas",
        due_date=date(2026, 12, 10),
        assignee=company["rep"],
        customer=customer,
    )
    assert task.assignee == company["rep"]
    assert task in tasks_visible_to(user=company["rep"])


@pytest.mark.parametrize(
    ("who", "assignee"),
    [("rep", "other_rep"), ("north_mgr", "south_rep"), ("rep", "north_mgr")],
)
def test_assigning_to_someone_not_assignable_is_refused(company, who, assignee):
    with pytest.raises(ValidationError) as exc:
        task_create(
            by=company[who], title="x", due_date=date(2026, 12, 1), assignee=company[assignee]
        )
    assert "assignee" in errors_of(exc)
    assert not Task.objects.exists()


def test_an_admin_must_choose_an_assignee(company):
    with pytest.raises(ValidationError) as exc:
        task_create(by=company["admin"], title="x", due_date=date(2026, 12, 1))
    assert errors_of(exc)["assignee"] == ["Choose who does this task."]


def test_a_missing_due_date_and_title_are_field_errors(company):
    with pytest.raises(ValidationError) as exc:
        task_create(by=company["rep"], title="  ", due_date=None)
    errors = errors_of(exc)
    assert errors["due_date"] == ["Give the task a due date."]
    assert errors["title"] == ["Say what needs doing."]
    assert not Task.objects.exists()


def test_a_customer_outside_the_callers_scope_is_refused(company):
    foreign = CustomerFactory(owner=company["other_rep"])
    with pytest.raises(ValidationError) as exc:
        task_create(by=company["rep"], title="x", due_date=date(2026, 12, 1), customer=foreign)
    assert errors_of(exc)["customer"] == ["Choose one of your customers."]
    assert not Task.objects.exists()


def test_a_customer_the_assignee_cannot_see_is_refused(company):
    # Given rep_b's customer, which rep_a may not see
    customer = CustomerFactory(owner=company["other_rep"])
    # When their manager assigns a task on it to rep_a
    with pytest.raises(ValidationError) as exc:
        task_create(
            by=company["north_mgr"],
            title="x",
            due_date=date(2026, 12, 1),
            assignee=company["rep"],
            customer=customer,
        )
    # Then it is refused: the task would show rep_a a customer outside their portfolio
    assert "cannot see this customer" in errors_of(exc)["customer"][0]


def test_a_deal_outside_scope_or_of_another_customer_is_refused(company):
    rep = company["rep"]
    mine, other = CustomerFactory(owner=rep), CustomerFactory(owner=rep)
    foreign_deal = DealFactory(customer=CustomerFactory(owner=company["south_rep"]))
    with pytest.raises(ValidationError) as exc:
        task_create(by=rep, title="x", due_date=date(2026, 12, 1), deal=foreign_deal)
    assert errors_of(exc)["deal"] == ["Choose one of your deals."]
    deal = DealFactory(customer=other, owner=rep)
    with pytest.raises(ValidationError) as exc:
        task_create(by=rep, title="x", due_date=date(2026, 12, 1), customer=mine, deal=deal)
    assert errors_of(exc)["deal"] == ["This deal belongs to another customer."]
    assert not Task.objects.exists()


def test_update_changes_fields_and_bad_input_changes_nothing(company):
    rep = company["rep"]
    task = task_create(by=rep, title="Call", due_date=date(2026, 12, 1))
    task_update(task=task, by=rep, title="Call again", due_date=date(2026, 12, 3))
    task.refresh_from_db()
    assert (task.title, task.due_date) == ("Call again", date(2026, 12, 3))
    with pytest.raises(ValidationError) as exc:
        task_update(task=task, by=rep, title="Renamed", assignee=company["other_rep"])
    assert "assignee" in errors_of(exc)
    with pytest.raises(ValidationError):
        task_update(task=task, by=rep, created_by=company["admin"])
    task.refresh_from_db()
    assert task.title == "Call again"
    assert task.assignee == rep


def test_complete_and_reopen_keep_done_at_right(company):
    rep = company["rep"]
    task = task_create(by=rep, title="Call", due_date=date(2026, 12, 1))
    task_complete(task=task, by=rep)
    task.refresh_from_db()
    assert task.done and task.done_at is not None
    first_done_at = task.done_at
    task_complete(task=task, by=rep)  # idempotent
    task.refresh_from_db()
    assert task.done_at == first_done_at
    task_reopen(task=task, by=rep)
    task.refresh_from_db()
    assert not task.done and task.done_at is None


def test_someone_outside_scope_cannot_complete_a_task(company):
    task = task_create(by=company["rep"], title="Call", due_date=date(2026, 12, 1))
    with pytest.raises(PermissionDenied):
        task_complete(task=task, by=company["south_mgr"])
    task.refresh_from_db()
    assert not task.done


def test_open_tasks_due_before_today_are_flagged_overdue(company):
    rep = company["rep"]
    today = local_today(user=rep)
    late = task_create(by=rep, title="late", due_date=today - timedelta(days=1))
    due_today = task_create(by=rep, title="today", due_date=today)
    done_late = task_create(by=rep, title="done late", due_date=today - timedelta(days=3))
    task_complete(task=done_late, by=rep)
    flags = {t.title: t.is_overdue for t in tasks_for_list(user=rep)}
    assert flags == {"late": True, "today": False, "done late": False}
    assert late.pk and due_today.pk


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("rep", {"a"}),
        ("other_rep", {"b"}),
        ("north_mgr", {"a", "b"}),
        ("south_mgr", {"c"}),
        ("admin", {"a", "b", "c"}),
    ],
)
def test_tasks_are_scoped_by_assignee(company, who, sees):
    for title, rep in (("a", "rep"), ("b", "other_rep"), ("c", "south_rep")):
        task_create(by=company[rep], title=title, due_date=date(2026, 12, 1))
    assert {t.title for t in tasks_visible_to(user=company[who])} == sees
