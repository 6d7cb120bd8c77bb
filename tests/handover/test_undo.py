"""Undoing a done handover within 30 days (admins only): what still sits with the receiver
it was given goes back to the departing rep; what moved again, closed or vanished since is
reported and left alone; the log records the reversal."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from activities.models import Task
from crm.choices import OwnershipChangeSource
from crm.models import Contact, Customer, Deal, OwnershipChange
from crm.services import customer_update, deal_move_stage
from handover.execution import handover_execute, handover_undo, last_day_end
from handover.models import Handover
from tests.handover.helpers_execute import build_portfolio, start_handover

pytestmark = pytest.mark.django_db


def _done(company, **kwargs):
    data = build_portfolio(company["rep"], **kwargs)
    handover = handover_execute(handover=start_handover(company), by=company["admin"])
    return handover, data


def test_undo_gives_everything_back_when_nothing_changed_since(company):
    rep, rep_b = company["rep"], company["other_rep"]
    handover, data = _done(company)
    handover = handover_undo(handover=handover, by=company["admin"])
    assert handover.status == "reversed" and handover.reversed_by == company["admin"]
    assert Customer.objects.filter(owner=rep).count() == 3
    assert Deal.objects.filter(owner=rep, stage_id="proposal").count() == 3
    assert Task.objects.filter(assignee=rep, done=False).count() == 3
    assert not Customer.objects.filter(owner=rep_b).exists()
    # the reversal is in the log, linked to the handover
    undo_log = OwnershipChange.objects.filter(
        handover=handover, source=OwnershipChangeSource.HANDOVER_UNDO
    )
    assert undo_log.count() == 9
    assert handover.report["undo"]["returned"] == {
        "customer": 3,
        "deal": 3,
        "task": 3,
        "contact": 3,
    }
    assert set(undo_log.values_list("from_user_id", "to_user_id")) == {(rep_b.pk, rep.pk)}
    assert handover.report["undo"]["not_returned"] == []


def test_intro_tasks_not_yet_done_are_deleted_done_ones_stay(company):
    handover, _ = _done(company, customers=3, key=2)
    intro = Task.objects.filter(title__startswith="Introduce yourself").order_by("pk")
    done = intro.first()
    Task.objects.filter(pk=done.pk).update(done=True)
    handover = handover_undo(handover=handover, by=company["admin"])
    assert list(intro.values_list("pk", flat=True)) == [done.pk]
    assert handover.report["undo"]["intro_tasks_deleted"] == 1


def test_items_that_moved_again_closed_or_vanished_are_reported_not_returned(company):
    rep, rep_b = company["rep"], company["other_rep"]
    rep_c = company["south_rep"]
    handover, data = _done(company)
    c0, c1, c2 = data["customers"]
    # since the handover: c0 went to someone else, a deal was won, a task done, c2 deleted
    customer_update(customer=Customer.objects.get(pk=c0.pk), by=company["admin"], owner=rep_c)
    won = Deal.objects.get(pk=data["open_deals"][1].pk)
    deal_move_stage(deal=won, stage="won", by=rep_b, closed_at=timezone.localdate())
    Task.objects.filter(pk=data["tasks"][1].pk).update(done=True)
    Customer.objects.filter(pk=c2.pk).delete()
    # when
    handover = handover_undo(handover=handover, by=company["admin"])
    # then: only c1 (still rep_b's, untouched) comes back
    assert list(Customer.objects.filter(owner=rep).values_list("pk", flat=True)) == [c1.pk]
    assert Customer.objects.get(pk=c0.pk).owner_id == rep_c.pk
    won.refresh_from_db()
    assert (won.owner_id, won.credited_to_id) == (rep_b.pk, rep_b.pk)
    reasons = {(r["type"], r["id"]): r["reason"] for r in handover.report["undo"]["not_returned"]}
    assert reasons[("customer", c0.pk)] == "changed owner again since"
    assert reasons[("customer", c2.pk)] == "deleted since"
    assert reasons[("deal", won.pk)].startswith("closed since")
    assert reasons[("task", data["tasks"][1].pk)] == "done since"
    assert handover.report["undo"]["returned"]["customer"] == 1
    # c0's open deal, task and contact stay with c0's owner's side, not with rep_a
    assert reasons[("deal", data["open_deals"][0].pk)] == "its customer stays with its new owner"
    assert Deal.objects.get(pk=data["open_deals"][0].pk).owner_id == rep_b.pk
    assert Contact.objects.get(pk=data["contacts"][0].pk).customer.owner_id == rep_c.pk


def test_undo_needs_confirmation_to_reactivate_a_deactivated_rep(company):
    rep = company["rep"]
    build_portfolio(rep)
    handover = start_handover(company, last_day=timezone.localdate())
    after = last_day_end(handover=handover) + timedelta(seconds=1)
    handover = handover_execute(handover=handover, by=company["admin"], at=after)
    rep.refresh_from_db()
    assert not rep.is_active
    with pytest.raises(ValidationError) as exc:
        handover_undo(handover=handover, by=company["admin"])
    assert "reactivate" in exc.value.message_dict
    assert Handover.objects.get(pk=handover.pk).status == "done"
    handover = handover_undo(handover=handover, by=company["admin"], reactivate=True)
    rep.refresh_from_db()
    assert rep.is_active and handover.report["undo"]["reactivated"]
    assert Customer.objects.filter(owner=rep).count() == 3


def test_only_admins_undo_and_only_within_30_days(company):
    handover, _ = _done(company)
    with pytest.raises(PermissionDenied):
        handover_undo(handover=handover, by=company["north_mgr"])
    late = timezone.now() + timedelta(days=31)
    with pytest.raises(ValidationError):
        handover_undo(handover=handover, by=company["admin"], at=late)
    assert Handover.objects.get(pk=handover.pk).status == "done"


def test_a_draft_or_reversed_handover_cannot_be_undone(company):
    build_portfolio(company["rep"])
    draft = start_handover(company)
    with pytest.raises(ValidationError):
        handover_undo(handover=draft, by=company["admin"])
    handover = handover_execute(handover=draft, by=company["admin"])
    handover_undo(handover=handover, by=company["admin"])
    with pytest.raises(ValidationError):
        handover_undo(handover=handover, by=company["admin"])


def test_a_deactivation_queued_for_the_last_day_does_nothing_after_an_undo(company):
    from handover.execution import handover_deactivate_if_due

    handover, _ = _done(company)
    handover_undo(handover=handover, by=company["admin"])
    end = last_day_end(handover=handover)
    assert not handover_deactivate_if_due(handover_id=handover.pk, now=end + timedelta(hours=1))
    company["rep"].refresh_from_db()
    assert company["rep"].is_active


def test_api_undo_is_for_admins(company, api_as):
    handover, _ = _done(company)
    url = f"/api/handovers/{handover.pk}/undo/"
    assert api_as(company["north_mgr"]).post(url, {}, format="json").status_code == 403
    response = api_as(company["admin"]).post(url, {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "reversed"
    again = api_as(company["admin"]).post(url, {}, format="json")
    assert again.status_code == 400 and "status" in again.json()
