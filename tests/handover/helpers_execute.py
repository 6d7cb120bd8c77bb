"""Shared set-up for the execution, undo, schedule and report tests (area 6B)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from activities.models import Task
from crm.models import Customer
from handover import services
from handover.models import KnowledgeNote
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory


def build_portfolio(rep, *, customers: int = 3, key: int = 1, prefix: str = "Acme") -> dict:
    """`customers` customers of `rep` (the first `key` of them key customers), each with an
    open deal, an open task, a done task and a contact; the first also has a won deal."""
    rows = [CustomerFactory(owner=rep, name=f"{prefix} {i:04d}") for i in range(customers)]
    Customer.objects.filter(pk__in=[c.pk for c in rows[:key]]).update(is_key=True)
    open_deals = [
        DealFactory(customer=c, owner=rep, stage_id="proposal", amount=Decimal("500.00"))
        for c in rows
    ]
    won = DealFactory(
        customer=rows[0],
        owner=rep,
        stage_id="won",
        probability=100,
        closed_at=timezone.localdate() - timedelta(days=20),
        credited_to=rep,
        amount=Decimal("9000.00"),
    )
    due = timezone.localdate() + timedelta(days=3)
    tasks = Task.objects.bulk_create(
        [Task(title=f"Call {c.name}", customer=c, assignee=rep, due_date=due) for c in rows]
    )
    done = Task.objects.create(
        title="Old call", customer=rows[0], assignee=rep, due_date=due, done=True
    )
    contacts = [ContactFactory(customer=c) for c in rows]
    return {
        "customers": rows,
        "key": rows[:key],
        "open_deals": open_deals,
        "won": won,
        "tasks": tasks,
        "done_task": done,
        "contacts": contacts,
    }


def start_handover(company, *, rep=None, last_day=None, notes: bool = True):
    """A handover of rep_a (by the admin) with the proposed plan; notes on key customers."""
    rep = rep or company["rep"]
    handover = services.handover_start(
        departing_rep=rep,
        last_day=last_day or timezone.localdate() + timedelta(days=10),
        reason="no_growth",
        reason_detail="",
        by=company["admin"],
    )
    if notes:
        for customer in Customer.objects.filter(owner=rep, is_key=True):
            KnowledgeNote.objects.create(
                handover=handover, customer=customer, text="CFO decides.", written_by=rep
            )
    return handover
