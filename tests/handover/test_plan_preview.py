"""handover_preview: the single source of truth for what the execution moves where."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Task
from handover import services
from handover.selectors import handover_preview
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


def _task(company, **fields):
    return Task.objects.create(
        title="t", assignee=company["rep"], due_date=timezone.localdate(), **fields
    )


def _start(company):
    return services.handover_start(
        departing_rep=company["rep"],
        last_day=timezone.localdate() + timedelta(days=7),
        reason="burnout",
        by=company["admin"],
    )


def test_items_follow_their_customer_unless_overridden(company):
    rep, rep_b, rep_c = company["rep"], company["other_rep"], company["south_rep"]
    key = CustomerFactory(owner=rep, is_key=True)
    open_deal = DealFactory(customer=key, stage_id="proposal", amount=Decimal("10.00"))
    moved_deal = DealFactory(customer=key, stage_id="lead", amount=Decimal("5.00"))
    won = DealFactory(customer=key, stage_id="won", closed_at=timezone.localdate())
    contact = ContactFactory(customer=key)
    task = _task(company, customer=key)
    done = _task(company, customer=key, done=True)
    loose_task = _task(company)
    # a deal of the leaver on someone else's customer goes to that customer's owner
    foreign = CustomerFactory(owner=rep_c)
    foreign_deal = DealFactory(customer=foreign, owner=rep, stage_id="lead")
    handover = _start(company)
    services.handover_plan_update(
        handover=handover,
        overrides=[{"kind": "deal", "object_id": moved_deal.pk, "receiver": rep_c.pk}],
        by=company["admin"],
    )
    preview = handover_preview(handover=handover, by=company["admin"])
    assert preview.customers == [(key.pk, rep.pk, rep_b.pk, key.pk)]
    assert set(preview.deals) == {
        (open_deal.pk, rep.pk, rep_b.pk, key.pk),
        (moved_deal.pk, rep.pk, rep_c.pk, key.pk),
        (foreign_deal.pk, rep.pk, rep_c.pk, foreign.pk),
    }
    assert preview.closed_deals_staying == [(won.pk, rep.pk, rep.pk, key.pk)]
    assert preview.contacts == [(contact.pk, rep.pk, rep_b.pk, key.pk)]
    task_moves = {m.object_id: m.to_user_id for m in preview.tasks}
    assert task_moves == {task.pk: rep_b.pk, loose_task.pk: rep_b.pk}
    assert done.pk not in task_moves
    assert preview.intro_tasks == [(key.pk, rep_b.pk, key.name)]
    assert preview.per_receiver[rep_b.pk].deal_value == Decimal("10.00")
    assert preview.labels[("deal", open_deal.pk)] == open_deal.title


def test_customers_added_after_drafting_are_placed_by_default_and_listed(company):
    handover = _start(company)
    late = CustomerFactory(owner=company["rep"])
    preview = handover_preview(handover=handover, by=company["admin"])
    assert preview.defaulted == [late.pk]
    assert preview.customers[0].to_user_id == company["other_rep"].pk


def test_a_receiver_who_went_inactive_falls_back_to_the_default_rule(company):
    customer = CustomerFactory(owner=company["rep"])
    handover = _start(company)
    services.handover_plan_update(
        handover=handover,
        assignments=[{"customer": customer.pk, "receiver": company["south_rep"].pk}],
        by=company["admin"],
    )
    company["south_rep"].is_active = False
    company["south_rep"].save()
    preview = handover_preview(handover=handover, by=company["admin"])
    assert preview.customers[0].to_user_id == company["other_rep"].pk


@pytest.mark.parametrize("n", [10, 100])
def test_preview_runs_a_fixed_number_of_queries(company, django_assert_max_num_queries, n):
    for _ in range(n):
        c = CustomerFactory(owner=company["rep"], is_key=True)
        DealFactory(customer=c)
        ContactFactory(customer=c)
        _task(company, customer=c)
    handover = _start(company)
    handover = type(handover).objects.select_related("departing_rep").get(pk=handover.pk)
    with django_assert_max_num_queries(10):
        preview = handover_preview(handover=handover, by=company["admin"])
    assert preview.counts["customers"] == n and preview.counts["tasks"] == n
