"""Executing a handover: the departing rep's whole portfolio moves to the receivers, in one
transaction, logged, with intro tasks for key customers, and the rep is shut out at the end
of their last day (PRODUCT.md rule 2)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_issue
from activities.models import Task
from crm.choices import OwnershipChangeSource
from crm.models import Contact, Customer, Deal, OwnershipChange
from crm.selectors import deals_visible_to
from crm.services import deal_move_stage
from handover import execution
from handover.execution import add_working_days, handover_execute, last_day_end
from handover.models import HandoverAssignment
from tests.factories.accounts import PASSWORD, RepFactory, TeamFactory
from tests.factories.crm import CustomerFactory
from tests.handover.helpers_execute import build_portfolio, start_handover

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    """Everything execution may touch, to compare before and after a failure."""
    return {
        "customers": sorted(Customer.objects.values_list("pk", "owner_id")),
        "deals": sorted(Deal.objects.values_list("pk", "owner_id", "credited_to_id")),
        "tasks": sorted(Task.objects.values_list("pk", "assignee_id", "done")),
        "log": OwnershipChange.objects.count(),
        "assignments": sorted(HandoverAssignment.objects.values_list("customer_id", "receiver_id")),
    }


def test_after_execution_the_departing_rep_owns_no_customer_open_deal_or_open_task(company):
    # given: rep_a leaves with 3 customers, open deals and tasks; rep_b is their teammate
    rep, rep_b = company["rep"], company["other_rep"]
    data = build_portfolio(rep)
    handover = start_handover(company)
    # when
    handover = handover_execute(handover=handover, by=company["admin"])
    # then: nothing open is left with rep_a; it all sits with the planned receiver
    assert handover.status == "done"
    assert not Customer.objects.filter(owner=rep).exists()
    assert not Deal.objects.filter(owner=rep, stage_id__in=["lead", "proposal"]).exists()
    assert not Task.objects.filter(assignee=rep, done=False).exists()
    assert Customer.objects.filter(owner=rep_b).count() == 3
    assert Task.objects.filter(pk__in=[t.pk for t in data["tasks"]], assignee=rep_b).count() == 3
    # done tasks are history: they stay with whoever did them
    data["done_task"].refresh_from_db()
    assert data["done_task"].assignee_id == rep.pk


def test_every_move_is_logged_with_the_handover(company):
    rep, rep_b = company["rep"], company["other_rep"]
    build_portfolio(rep)
    handover = start_handover(company)
    handover_execute(handover=handover, by=company["admin"])
    log = OwnershipChange.objects.filter(handover=handover, source=OwnershipChangeSource.HANDOVER)
    kinds = sorted(log.values_list("object_type", flat=True))
    # 3 customers, 3 open deals, 3 open tasks (contacts have no owner: they follow their
    # customer and are listed in the report)
    assert kinds == ["customer"] * 3 + ["deal"] * 3 + ["task"] * 3
    assert set(log.values_list("from_user_id", "to_user_id", "changed_by_id")) == {
        (rep.pk, rep_b.pk, company["admin"].pk)
    }


def test_closed_deals_keep_their_owner_and_credit_but_the_new_owner_sees_them(company):
    rep, rep_b = company["rep"], company["other_rep"]
    data = build_portfolio(rep)
    handover = start_handover(company)
    handover_execute(handover=handover, by=company["admin"])
    won = Deal.objects.get(pk=data["won"].pk)
    assert (won.owner_id, won.credited_to_id) == (rep.pk, rep.pk)
    assert deals_visible_to(user=rep_b).filter(pk=won.pk).exists()


def test_a_moved_deal_won_later_is_credited_to_the_receiver(company):
    rep, rep_b = company["rep"], company["other_rep"]
    data = build_portfolio(rep)
    handover = start_handover(company)
    handover_execute(handover=handover, by=company["admin"])
    deal = Deal.objects.get(pk=data["open_deals"][1].pk)
    deal_move_stage(deal=deal, stage="won", by=rep_b, closed_at=timezone.localdate())
    deal.refresh_from_db()
    assert deal.credited_to_id == rep_b.pk
    assert Deal.objects.get(pk=data["won"].pk).credited_to_id == rep.pk


def test_each_key_customer_gets_an_intro_task_for_its_new_owner(company):
    rep, rep_b = company["rep"], company["other_rep"]
    data = build_portfolio(rep, customers=3, key=2)
    handover = start_handover(company)
    at = timezone.now()
    handover = handover_execute(handover=handover, by=company["admin"], at=at)
    intro = Task.objects.filter(title__startswith="Introduce yourself")
    assert sorted(intro.values_list("customer_id", flat=True)) == sorted(c.pk for c in data["key"])
    assert set(intro.values_list("assignee_id", flat=True)) == {rep_b.pk}
    latest = add_working_days(start=timezone.localdate(), days=5)
    assert all(t.due_date <= latest + timedelta(days=1) for t in intro)
    assert handover.report["counts"]["intro_tasks"] == 2


def test_five_working_days_skip_the_weekend():
    assert add_working_days(start=date(2026, 11, 20), days=5) == date(2026, 11, 27)  # Fri
    assert add_working_days(start=date(2026, 11, 23), days=5) == date(2026, 11, 30)  # Mon


def test_a_missing_key_note_blocks_execution_and_changes_nothing(company):
    rep = company["rep"]
    data = build_portfolio(rep, key=1)
    handover = start_handover(company, notes=False)
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        handover_execute(handover=handover, by=company["admin"])
    assert data["key"][0].name in str(exc.value.message_dict["waive_notes_reason"])
    assert _snapshot() == before
    handover.refresh_from_db()
    assert handover.status == "draft"


def test_a_waived_note_is_kept_with_its_reason(company):
    build_portfolio(company["rep"], key=1)
    handover = start_handover(company, notes=False)
    handover = handover_execute(
        handover=handover, by=company["admin"], waive_notes_reason="Rep left without notice"
    )
    assert handover.status == "done"
    assert handover.notes_waived_reason == "Rep left without notice"


def test_all_or_nothing_a_failure_half_way_leaves_the_database_as_before(company, monkeypatch):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    before = _snapshot()

    def boom(**kwargs):
        raise RuntimeError("database went away")

    # the UPDATEs have run when the log is written: the failure comes half-way
    monkeypatch.setattr(execution, "ownership_log_write", boom)
    with pytest.raises(RuntimeError):
        handover_execute(handover=handover, by=company["admin"])
    assert _snapshot() == before
    handover.refresh_from_db()
    assert handover.status == "draft"
    assert company["rep"].__class__.objects.get(pk=company["rep"].pk).is_active


def test_all_or_nothing_when_the_intro_tasks_fail(company, monkeypatch):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    before = _snapshot()
    real = Task.objects.bulk_create

    def boom(objs, *args, **kwargs):
        if any(t.title.startswith("Introduce") for t in objs):
            raise RuntimeError("disk full")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Task.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        handover_execute(handover=handover, by=company["admin"])
    assert _snapshot() == before


def test_executing_a_done_handover_again_changes_nothing(company):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    handover_execute(handover=handover, by=company["admin"])
    before = _snapshot()
    tasks = Task.objects.count()
    again = handover_execute(handover=handover, by=company["admin"])
    assert again.status == "done"
    assert _snapshot() == before
    assert Task.objects.count() == tasks


def test_a_customer_added_after_the_plan_is_caught_and_listed(company):
    rep, rep_b = company["rep"], company["other_rep"]
    build_portfolio(rep)
    handover = start_handover(company)
    # given: during the notice period rep_a wins a new prospect the plan does not know
    late = CustomerFactory(owner=rep, name="Latecomer GmbH")
    # when
    handover = handover_execute(handover=handover, by=company["admin"])
    # then: it moved by the default rule, is in the plan now, and the report lists it
    late.refresh_from_db()
    assert late.owner_id == rep_b.pk
    assert HandoverAssignment.objects.filter(handover=handover, customer=late).exists()
    assert handover.report["late_customers"] == [
        {"id": late.pk, "name": "Latecomer GmbH", "receiver_id": rep_b.pk}
    ]


def test_the_report_lists_what_moved_where_per_receiver(company):
    rep, rep_b = company["rep"], company["other_rep"]
    data = build_portfolio(rep)
    handover = handover_execute(handover=start_handover(company), by=company["admin"])
    [lot] = handover.report["receivers"]
    assert lot["id"] == rep_b.pk
    assert {c["id"] for c in lot["customers"]} == {c.pk for c in data["customers"]}
    assert {d["id"] for d in lot["deals"]} == {d.pk for d in data["open_deals"]}
    assert {t["id"] for t in lot["tasks"]} == {t.pk for t in data["tasks"]}
    assert {c["id"] for c in lot["contacts"]} == {c.pk for c in data["contacts"]}
    assert Contact.objects.filter(customer__owner=rep_b).count() == 3


def test_each_receiver_is_emailed_their_list(company, django_capture_on_commit_callbacks):
    build_portfolio(company["rep"], prefix="Mailco")
    handover = start_handover(company)
    with django_capture_on_commit_callbacks(execute=True):
        handover_execute(handover=handover, by=company["admin"])
    [message] = mail.outbox
    assert message.to == [company["other_rep"].email]
    assert "Mailco 0000" in message.body and "key customer" in message.body


def test_only_admins_and_the_reps_own_manager_execute(company):
    build_portfolio(company["rep"])
    handover = start_handover(company)
    for outsider in (company["south_mgr"], company["other_rep"], company["rep"]):
        with pytest.raises(PermissionDenied):
            handover_execute(handover=handover, by=outsider)
    assert handover_execute(handover=handover, by=company["north_mgr"]).status == "done"


def test_executed_after_the_last_day_the_rep_is_shut_out_at_once(company):
    rep = company["rep"]
    build_portfolio(rep)
    token, _ = api_token_issue(user=rep)
    browser = Client()
    assert browser.login(username=rep.username, password=PASSWORD)
    handover = start_handover(company, last_day=timezone.localdate())
    after = last_day_end(handover=handover) + timedelta(seconds=1)
    handover_execute(handover=handover, by=company["admin"], at=after)
    rep.refresh_from_db()
    assert not rep.is_active
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    # the open session is over and a new login is refused
    assert browser.get("/week/").status_code == 302
    assert not Client().login(username=rep.username, password=PASSWORD)


def test_executed_before_the_last_day_the_rep_is_shut_out_at_its_end(
    company, monkeypatch, django_capture_on_commit_callbacks
):
    rep = company["rep"]
    build_portfolio(rep)
    handover = start_handover(company)
    queued = []
    monkeypatch.setattr(
        execution_tasks().deactivate_departing_rep,
        "apply_async",
        lambda args, eta: queued.append((args, eta)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        handover_execute(handover=handover, by=company["admin"])
    rep.refresh_from_db()
    assert rep.is_active  # still working out the notice period
    end = last_day_end(handover=handover)
    assert queued == [([handover.pk], end)]
    assert (end.hour, end.minute, end.second) == (23, 59, 59)
    # the task does nothing early, and shuts the rep out once the day is over
    assert not execution.handover_deactivate_if_due(handover_id=handover.pk)
    assert execution.handover_deactivate_if_due(
        handover_id=handover.pk, now=end + timedelta(seconds=1)
    )
    rep.refresh_from_db()
    assert not rep.is_active


def execution_tasks():
    from handover import tasks

    return tasks


def _queries_for_execution(company, size: int) -> int:
    """A team of its own per run: the departing rep and two receivers."""
    team = TeamFactory(name=f"Team {size}")
    rep = RepFactory(team=team)
    RepFactory.create_batch(2, team=team)
    build_portfolio(rep, customers=size, key=2, prefix=f"Q{size}")
    handover = start_handover(company, rep=rep)
    with CaptureQueriesContext(connection) as ctx:
        handover_execute(handover=handover, by=company["admin"])
    assert not Customer.objects.filter(owner=rep).exists()
    return len(ctx.captured_queries)


def test_execution_runs_the_same_number_of_queries_for_10_or_200_customers(company):
    small = _queries_for_execution(company, 10)
    large = _queries_for_execution(company, 200)
    assert large == small
    assert small <= 40
