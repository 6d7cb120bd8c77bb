"""Task pages: the list, create/edit and "done with one click"."""

from datetime import timedelta

import pytest
from django.urls import reverse

from activities.models import Task
from activities.selectors import local_today
from activities.services import task_create
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db
LIST = reverse("activities:task-list")
CREATE = reverse("activities:task-create")


def test_overdue_rows_stand_out_with_a_badge(client, company):
    rep = company["rep"]
    today = local_today(user=rep)
    late = task_create(by=rep, title="Late call", due_date=today - timedelta(days=1))
    task_create(by=rep, title="Fresh call", due_date=today + timedelta(days=1))
    client.force_login(rep)
    html = client.get(LIST).content.decode()
    row = html[html.index(f'id="task-{late.pk}"') :].split("</tr>")[0]
    assert "task-overdue" in row and "Overdue</span>" in row
    assert html.count("Overdue</span>") == 1


def test_the_list_filters_and_a_bad_filter_shows_a_message(client, company):
    rep = company["rep"]
    today = local_today(user=rep)
    task_create(by=rep, title="Late call", due_date=today - timedelta(days=1))
    task_create(by=rep, title="Fresh call", due_date=today + timedelta(days=1))
    client.force_login(rep)
    html = client.get(LIST, {"overdue": "true"}).content.decode()
    assert "Late call" in html and "Fresh call" not in html
    response = client.get(LIST, {"due_after": "soon"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_a_manager_sees_the_team_and_can_narrow_to_their_own(client, company):
    today = local_today(user=company["rep"])
    task_create(by=company["rep"], title="Rep A task", due_date=today)
    task_create(by=company["south_rep"], title="South task", due_date=today)
    mgr = company["north_mgr"]
    task_create(by=mgr, title="Manager task", due_date=today)
    client.force_login(mgr)
    html = client.get(LIST).content.decode()
    assert "Rep A task" in html and "Manager task" in html and "South task" not in html
    html = client.get(LIST, {"assignee": mgr.pk}).content.decode()
    assert "Manager task" in html and "Rep A task" not in html


def test_htmx_filtering_returns_only_the_table(client, company):
    client.force_login(company["rep"])
    response = client.get(LIST, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_create_a_task_from_the_form(client, company):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)
    response = client.post(
        CREATE, {"title": "Call back", "due_date": "2026-12-01", "customer": customer.pk}
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.assignee, task.customer, task.title) == (rep, customer, "Call back")
    assert "created" in str(list(client.get(LIST).context["messages"])[0])


def test_create_with_bad_input_shows_field_errors_and_saves_nothing(client, company):
    client.force_login(company["rep"])
    foreign = CustomerFactory(owner=company["south_rep"])
    response = client.post(CREATE, {"title": "", "due_date": "", "customer": foreign.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"title", "due_date", "customer"}
    assert "field-error" in response.content.decode()
    assert not Task.objects.exists()


def test_a_rep_cannot_assign_a_task_to_a_colleague_by_tampering(client, company):
    client.force_login(company["rep"])
    client.post(
        CREATE, {"title": "x", "due_date": "2026-12-01", "assignee": company["other_rep"].pk}
    )
    # The assignee field is fixed for reps: the task is theirs whatever was posted
    assert Task.objects.get().assignee == company["rep"]


def test_edit_a_task_and_an_error_keeps_it_unchanged(client, company):
    rep = company["rep"]
    task = task_create(by=rep, title="Call", due_date=local_today(user=rep))
    client.force_login(rep)
    url = reverse("activities:task-edit", args=[task.pk])
    response = client.post(url, {"title": "Call twice", "due_date": "2026-12-05"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Call twice"
    response = client.post(url, {"title": "Nope", "due_date": "05/12"})
    assert response.status_code == 200 and response.context["form"].errors["due_date"]
    task.refresh_from_db()
    assert task.title == "Call twice"


def test_done_with_one_click_swaps_the_row(client, company):
    rep = company["rep"]
    task = task_create(by=rep, title="Call", due_date=local_today(user=rep) - timedelta(days=1))
    client.force_login(rep)
    response = client.post(
        reverse("activities:task-done", args=[task.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="task-{task.pk}"')
    assert "task-done" in html and "Overdue" not in html
    task.refresh_from_db()
    assert task.done
    response = client.post(
        reverse("activities:task-reopen", args=[task.pk]), headers={"HX-Request": "true"}
    )
    assert "Overdue</span>" in response.content.decode()


def test_done_without_htmx_redirects_with_a_message(client, company):
    rep = company["rep"]
    task = task_create(by=rep, title="Call", due_date=local_today(user=rep))
    client.force_login(rep)
    response = client.post(reverse("activities:task-done", args=[task.pk]), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "“Call” done" in response.content.decode()


def test_done_ignores_an_offsite_next(client, company):
    rep = company["rep"]
    task = task_create(by=rep, title="Call", due_date=local_today(user=rep))
    client.force_login(rep)
    response = client.post(
        reverse("activities:task-done", args=[task.pk]), {"next": "//evil.example/"}
    )
    assert response["Location"] == LIST


def test_the_list_runs_a_fixed_number_of_queries(client, company, django_assert_max_num_queries):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep)
    client.force_login(rep)
    for i in range(2):
        task_create(by=rep, title=f"t{i}", due_date=local_today(user=rep), customer=customer)
    with django_assert_max_num_queries(8) as few:
        client.get(LIST)
    for i in range(30):
        task_create(by=rep, title=f"u{i}", due_date=local_today(user=rep), customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)
