"""Executing now or on the last day, through the service and POST /api/handovers/{id}/execute/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crm.models import Customer
from handover import tasks
from handover.execution import handover_run_scheduled, handover_schedule
from handover.models import Handover
from tests.handover.helpers_execute import build_portfolio, start_handover

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Capture execute_handover.apply_async instead of running it (eager mode would run it
    at once): [(args, eta)]."""
    calls = []
    monkeypatch.setattr(
        tasks.execute_handover, "apply_async", lambda args, eta: calls.append((args, eta))
    )
    return calls


def test_scheduling_queues_the_execution_for_that_moment_and_moves_nothing_yet(
    company, queued, django_capture_on_commit_callbacks
):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    at = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        handover = handover_schedule(handover=handover, by=company["admin"], at=at)
    assert (handover.status, handover.scheduled_for) == ("scheduled", at)
    assert queued == [([handover.pk], at)]
    assert Customer.objects.filter(owner=company["rep"]).count() == 3


def test_the_scheduled_task_executes_when_its_time_comes(company, queued):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    handover_schedule(
        handover=handover, by=company["north_mgr"], at=timezone.now() + timedelta(days=3)
    )
    # delivered early (e.g. an eager run), the task waits
    assert handover_run_scheduled(handover_id=handover.pk) == "not yet"
    Handover.objects.filter(pk=handover.pk).update(scheduled_for=timezone.now())
    assert tasks.execute_handover.run(handover.pk) == "done"
    handover.refresh_from_db()
    assert handover.status == "done" and handover.executed_by == company["north_mgr"]
    assert not Customer.objects.filter(owner=company["rep"]).exists()


def test_a_scheduled_run_refused_for_missing_notes_keeps_the_reason(company, queued):
    build_portfolio(company["rep"], key=1)
    handover = start_handover(company, notes=False)
    handover_schedule(handover=handover, by=company["admin"], at=timezone.now())
    assert handover_run_scheduled(handover_id=handover.pk) == "refused"
    handover.refresh_from_db()
    assert handover.status == "scheduled"
    assert "knowledge-transfer note" in handover.report["execution_error"]


def test_a_handover_no_longer_scheduled_is_skipped(company, queued):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    assert handover_run_scheduled(handover_id=handover.pk) == "skipped"  # still a draft
    assert handover_run_scheduled(handover_id=999999) == "skipped"


# --- API ---------------------------------------------------------------------------------


def _url(handover) -> str:
    return f"/api/handovers/{handover.pk}/execute/"


def test_api_execute_now_returns_the_report(company, api_as):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    response = api_as(company["admin"]).post(_url(handover), {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "done"
    assert response.json()["report"]["counts"]["customers"] == 3


def test_api_execute_with_a_past_moment_executes_now(company, api_as):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = api_as(company["north_mgr"]).post(_url(handover), {"at": past}, format="json")
    assert response.status_code == 200
    assert Handover.objects.get(pk=handover.pk).status == "done"


def test_api_execute_in_the_future_schedules(company, api_as, queued):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    at = "2099-12-18T17:00:00+01:00"
    response = api_as(company["admin"]).post(_url(handover), {"at": at}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "scheduled"
    assert Customer.objects.filter(owner=company["rep"]).count() == 3


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-45T10:00", 17, ["x"]])
def test_api_execute_with_a_bad_moment_is_a_400_and_changes_nothing(company, api_as, bad):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    response = api_as(company["admin"]).post(_url(handover), {"at": bad}, format="json")
    assert response.status_code == 400
    assert "at" in response.json()
    assert Handover.objects.get(pk=handover.pk).status == "draft"


def test_api_missing_notes_are_a_400_naming_the_customer(company, api_as):
    data = build_portfolio(company["rep"], key=1)
    handover = start_handover(company, notes=False)
    response = api_as(company["admin"]).post(_url(handover), {}, format="json")
    assert response.status_code == 400
    assert data["key"][0].name in response.json()["waive_notes_reason"][0]
    waived = api_as(company["admin"]).post(
        _url(handover), {"waive_notes_reason": "Left in a hurry"}, format="json"
    )
    assert waived.status_code == 200


def test_api_only_admins_and_the_reps_manager_execute(company, api_as):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    # the departing rep sees their handover (to write notes) but may not execute it
    assert api_as(company["rep"]).post(_url(handover), {}, format="json").status_code == 403
    # another team's manager does not even see it
    assert api_as(company["south_mgr"]).post(_url(handover), {}, format="json").status_code == 404
    assert api_as(company["other_rep"]).post(_url(handover), {}, format="json").status_code == 404
    assert Handover.objects.get(pk=handover.pk).status == "draft"


def test_api_executing_twice_is_safe(company, api_as):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    client = api_as(company["admin"])
    first = client.post(_url(handover), {}, format="json").json()
    second = client.post(_url(handover), {}, format="json")
    assert second.status_code == 200
    assert second.json()["report"] == first["report"]


def test_a_scheduled_run_whose_scheduler_is_gone_is_refused_not_crashed(company, queued):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    handover_schedule(handover=handover, by=company["admin"], at=timezone.now())
    Handover.objects.filter(pk=handover.pk).update(report={}, created_by=None)
    assert handover_run_scheduled(handover_id=handover.pk) == "refused"
    assert Customer.objects.filter(owner=company["rep"]).count() == 3
