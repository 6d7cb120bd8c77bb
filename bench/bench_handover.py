"""Handover of a big portfolio (issue 6): a departing rep with 10,000 customers, 3,000 open
deals and 20,000 open tasks (plus a contact per customer and notes on the key customers).

1. The plan page (handover:plan) for an admin, in-process with django.test.Client:
   p95 target < 300 ms.
2. The execution (handover.execution.handover_execute), including the deferred foreign-key
   checks its COMMIT would run: target < 3 s, with its SQL count.

Everything is built inside one transaction that is rolled back at the end, and each
execution runs inside a savepoint rolled back after it (so it can be timed again and
nothing is emailed or queued): the benchmark database stays exactly at its seeded scale.
"""

import time
from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import NoReverseMatch, reverse

CUSTOMERS = 10_000
OPEN_DEALS = 3_000
OPEN_TASKS = 20_000
KEY_EVERY = 50  # 200 key customers
RECEIVERS = 4
PLAN_TARGET_MS = 300
EXECUTE_TARGET_MS = 3000
EXECUTE_RUNS = 3
PREFIX = "bench-handover"


def _build():
    """The departing rep, their team of receivers, the portfolio and a drafted plan."""
    from django.utils import timezone

    from accounts.models import Team, User
    from activities.models import Task
    from crm.models import Contact, Customer, Deal
    from handover import services
    from handover.models import KnowledgeNote

    team = Team.objects.create(name=f"{PREFIX} team", time_zone="Europe/Berlin")
    admin = User.objects.create(username=f"{PREFIX}-admin", role="admin", is_staff=True)
    rep = User.objects.create(username=f"{PREFIX}-leaver", role="rep", team=team)
    User.objects.bulk_create(
        [User(username=f"{PREFIX}-rx{i}", role="rep", team=team) for i in range(RECEIVERS)]
    )
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=f"{PREFIX} customer {i:05d}",
                owner=rep,
                is_key=i % KEY_EVERY == 0,
                region=("North", "South", "East", "West")[i % 4],
            )
            for i in range(CUSTOMERS)
        ],
        batch_size=2000,
    )
    Deal.objects.bulk_create(
        [
            Deal(
                customer=customers[i * 3 % CUSTOMERS],
                owner=rep,
                title=f"{PREFIX} deal {i}",
                amount=Decimal(1000 + i),
                stage_id=("lead", "qualified", "proposal", "negotiation")[i % 4],
            )
            for i in range(OPEN_DEALS)
        ],
        batch_size=2000,
    )
    due = timezone.localdate() + timedelta(days=7)
    Task.objects.bulk_create(
        [
            Task(
                title=f"{PREFIX} task {i}",
                customer=customers[i % CUSTOMERS],
                assignee=rep,
                due_date=due,
            )
            for i in range(OPEN_TASKS)
        ],
        batch_size=2000,
    )
    Contact.objects.bulk_create(
        [
            Contact(customer=c, first_name="Pat", last_name=f"{i:05d}")
            for i, c in enumerate(customers)
        ],
        batch_size=2000,
    )
    handover = services.handover_start(
        departing_rep=rep,
        last_day=timezone.localdate() + timedelta(days=14),
        reason="burnout",
        reason_detail="",
        by=admin,
    )
    KnowledgeNote.objects.bulk_create(
        [
            KnowledgeNote(handover=handover, customer=c, text="Decides in March.", written_by=rep)
            for c in customers
            if c.is_key
        ]
    )
    return admin, handover


def _time_executions(handover, admin) -> tuple[list[float], int, dict]:
    """Execute EXECUTE_RUNS times, each in a savepoint rolled back afterwards."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from handover.execution import handover_execute

    samples, queries, counts = [], 0, {}
    with connection.cursor() as cursor:  # settle the set-up's deferred foreign-key checks
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for run in range(EXECUTE_RUNS):
        savepoint = transaction.savepoint()
        try:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                done = handover_execute(handover=handover, by=admin)
                # what COMMIT would add: the deferred foreign-key checks of every row written
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                samples.append((time.perf_counter() - started) * 1000)
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            if run == 0:
                queries, counts = len(ctx.captured_queries), done.report["counts"]
        finally:
            transaction.savepoint_rollback(savepoint)
    return samples, queries, counts


def run(report) -> None:
    from django.db import connection, transaction

    try:
        reverse("handover:plan", args=[1])
    except NoReverseMatch:
        report.not_available("handover plan page", "not available (no handover:plan yet)")
        return
    from bench.run import Figure, percentile

    with transaction.atomic():
        started = time.perf_counter()
        admin, handover = _build()
        with connection.cursor() as cursor:  # planner statistics that know the new portfolio,
            cursor.execute(  # as a real database's would (ANALYZE sees this transaction)
                "ANALYZE crm_customer, crm_deal, crm_contact, activities_task, "
                "handover_handoverassignment, crm_ownershipchange"
            )
        print(
            f"  built {CUSTOMERS:,} customers / {OPEN_DEALS:,} open deals / {OPEN_TASKS:,} "
            f"open tasks with a drafted plan in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        client = Client()
        client.force_login(admin)
        report.measure_get(
            f"handover plan page ({CUSTOMERS // 1000}k customers)",
            client,
            reverse("handover:plan", args=[handover.pk]),
            target_ms=PLAN_TARGET_MS,
        )
        samples, queries, counts = _time_executions(handover, admin)
        figure = Figure(
            name=f"handover execution ({CUSTOMERS // 1000}k/{OPEN_DEALS // 1000}k/"
            f"{OPEN_TASKS // 1000}k)",
            n=len(samples),
            p50=percentile(samples, 50),
            p95=percentile(samples, 95),
            queries=queries,
            target_ms=EXECUTE_TARGET_MS,
        )
        report.figures.append(figure)
        report._print_row(figure)
        print(f"  moved per execution: {counts}", flush=True)
        transaction.set_rollback(True)
