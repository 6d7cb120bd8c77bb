"""The execute page, the handover report (page and CSV) and the undo page."""

import pytest
from django.test import Client
from django.urls import reverse

from crm.models import Customer
from handover import tasks
from handover.execution import handover_execute
from handover.models import Handover
from tests.factories.accounts import PASSWORD
from tests.handover.helpers_execute import build_portfolio, start_handover
from tests.helpers import csv_dicts

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_execute_page_shows_the_missing_notes_and_refuses_without_a_waiver(company):
    data = build_portfolio(company["rep"], key=1)
    handover = start_handover(company, notes=False)
    admin = _client(company["admin"])
    url = reverse("handover:execute", args=[handover.pk])
    page = admin.get(url)
    assert page.status_code == 200
    assert data["key"][0].name in page.content.decode()
    refused = admin.post(url, {"when": "now", "waive_notes_reason": ""})
    assert refused.status_code == 400
    assert "no knowledge-transfer note yet" in refused.content.decode()
    assert Handover.objects.get(pk=handover.pk).status == "draft"


def test_executing_from_the_page_moves_everything_and_shows_the_report(company):
    data = build_portfolio(company["rep"], key=1)
    handover = start_handover(company, notes=False)
    admin = _client(company["admin"])
    response = admin.post(
        reverse("handover:execute", args=[handover.pk]),
        {"when": "now", "waive_notes_reason": "Left on short notice"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("handover:report", args=[handover.pk])
    body = response.content.decode()
    assert "Handover executed: 3 customers moved." in body
    assert data["customers"][0].name in body
    assert reverse("crm:customer-detail", args=[data["customers"][0].pk]) in body
    assert not Customer.objects.filter(owner=company["rep"]).exists()


def test_scheduling_from_the_page_leaves_everything_in_place(company, monkeypatch):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    monkeypatch.setattr(tasks.execute_handover, "apply_async", lambda args, eta: None)
    response = _client(company["north_mgr"]).post(
        reverse("handover:execute", args=[handover.pk]), {"when": "last_day"}
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.status == "scheduled" and handover.scheduled_for is not None
    assert Customer.objects.filter(owner=company["rep"]).count() == 3


def test_a_bad_choice_on_the_execute_page_is_a_field_error(company):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    response = _client(company["admin"]).post(
        reverse("handover:execute", args=[handover.pk]), {"when": "yesterday"}
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert Handover.objects.get(pk=handover.pk).status == "draft"


def test_the_report_csv_has_a_line_per_object_moved(company):
    data = build_portfolio(company["rep"], customers=2, key=1)
    handover = handover_execute(handover=start_handover(company), by=company["admin"])
    response = _client(company["admin"]).get(reverse("handover:report-csv", args=[handover.pk]))
    assert response.status_code == 200
    rows = csv_dicts(response)
    # 2 customers, 2 open deals, 2 open tasks, 2 contacts, 1 intro task
    assert len(rows) == 9
    customers = [r for r in rows if r["type"] == "customer"]
    assert {r["name"] for r in customers} == {c.name for c in data["customers"]}
    assert {r["receiver_id"] for r in rows} == {str(company["other_rep"].pk)}


def test_the_report_page_runs_a_fixed_number_of_queries(company, django_assert_max_num_queries):
    build_portfolio(company["rep"], customers=30, key=3)
    handover = handover_execute(handover=start_handover(company), by=company["admin"])
    admin = _client(company["admin"])
    with django_assert_max_num_queries(8):
        assert admin.get(reverse("handover:report", args=[handover.pk])).status_code == 200


def test_the_departing_rep_and_outsiders_cannot_open_execute_or_report(company):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    for name in ("execute", "report", "report-csv"):
        url = reverse(f"handover:{name}", args=[handover.pk])
        assert _client(company["rep"]).get(url).status_code == 403
        assert _client(company["south_mgr"]).get(url).status_code == 404
    assert (
        _client(company["rep"])
        .post(reverse("handover:execute", args=[handover.pk]), {"when": "now"})
        .status_code
        == 403
    )
    assert Handover.objects.get(pk=handover.pk).status == "draft"


def test_undo_from_the_page(company):
    build_portfolio(company["rep"])
    handover = handover_execute(handover=start_handover(company), by=company["admin"])
    url = reverse("handover:undo", args=[handover.pk])
    assert _client(company["north_mgr"]).post(url).status_code == 403
    admin = _client(company["admin"])
    report = admin.get(reverse("handover:report", args=[handover.pk])).content.decode()
    assert url in report  # the undo button
    response = admin.post(url, follow=True)
    assert "Handover undone: 12 items went back, 0 could not." in response.content.decode()
    assert Customer.objects.filter(owner=company["rep"]).count() == 3


def test_api_report_is_for_admins_and_the_reps_manager(company, api_as):
    build_portfolio(company["rep"])
    handover = handover_execute(handover=start_handover(company), by=company["admin"])
    url = f"/api/handovers/{handover.pk}/report/"
    assert api_as(company["rep"]).get(url).status_code == 403
    assert api_as(company["south_mgr"]).get(url).status_code == 404
    response = api_as(company["north_mgr"]).get(url)
    assert response.status_code == 200
    assert response.json()["report"]["counts"]["customers"] == 3
