"""The manager dashboard for a 20-rep team (issue 5): p95 target < 150 ms.

In-process with django.test.Client (force_login, warmed up), like bench_crm_lists.
Everything is set up inside one transaction that is rolled back at the end, so the benchmark
database stays exactly at its seeded scale:
1. a "bench-dashboard" team with its own manager takes over 20 demo reps (fewer at small
   scale), with their customers, deals and activities;
2. the 12 weeks the trend chart shows get synthetic WeeklyKPI rows (the dashboard only reads
   them); with BENCH_DASHBOARD_KPI_JOB=1 they are computed by the KPI job instead
   (reports.kpis.compute_weekly_kpis, team-scoped), which bench_kpis times on its own;
3. the team dashboard (last week, and sorted by calls) and one rep's drill-down are timed,
   plus, for information, the dashboard with its twelve-month figures not cached and the
   stuck-deals CSV.
"""

import os
import random
import time
from decimal import Decimal

from django.test import Client
from django.urls import NoReverseMatch, reverse

TARGET_MS = 150
TEAM_SIZE = 20
WEEKS = 12
PREFIX = "bench-dashboard"


def _team_of_reps():
    """A new team and manager, with up to TEAM_SIZE of the busiest demo reps moved in."""
    from django.db.models import Count

    from accounts.models import Team, User
    from crm import demo

    reps = list(
        demo.demo_users()
        .filter(role="rep", is_active=True)
        .annotate(n=Count("deals"))
        .order_by("-n", "id")[:TEAM_SIZE]
    )
    time_zone = reps[0].team.time_zone if reps and reps[0].team else "Europe/Berlin"
    manager = User.objects.create(username=f"{PREFIX}-mgr", role="manager")
    team = Team.objects.create(name=f"{PREFIX} team", manager=manager, time_zone=time_zone)
    manager.team = team
    manager.save(update_fields=["team"])
    User.objects.filter(pk__in=[r.pk for r in reps]).update(team=team)
    return team, manager, [r.pk for r in reps]


def _kpis(*, team, rep_ids: list[int], weeks: list[str]) -> str:
    """WeeklyKPI rows for the weeks: synthetic, or from the KPI job when asked for."""
    if os.environ.get("BENCH_DASHBOARD_KPI_JOB") == "1":
        from reports.kpis import compute_weekly_kpis

        started = time.perf_counter()
        for week in weeks:
            compute_weekly_kpis(week=week, team=team)
        return f"KPI job, {len(weeks)} weeks in {time.perf_counter() - started:.1f} s"
    from django.utils import timezone

    from reports.models import WeeklyKPI

    rng = random.Random(7)
    now = timezone.now()
    WeeklyKPI.objects.filter(rep_id__in=rep_ids, week__in=weeks).delete()
    WeeklyKPI.objects.bulk_create(
        WeeklyKPI(
            rep_id=rep_id,
            team=team,
            week=week,
            calls=rng.randint(40, 120),
            meetings=rng.randint(1, 8),
            visits=rng.randint(0, 5),
            new_prospects=rng.randint(0, 4),
            goal_calls=100,
            goal_meetings=5,
            goal_visits=3,
            goal_new_prospects=2,
            revenue_mtd=Decimal(rng.randint(0, 20000)),
            quota_month=Decimal(10000),
            revenue_ytd=Decimal(rng.randint(50000, 150000)),
            quota_year=Decimal(120000),
            pipeline_value=Decimal(rng.randint(20000, 90000)),
            forecast=Decimal(rng.randint(5000, 40000)),
            computed_at=now,
        )
        for rep_id in rep_ids
        for week in weeks
    )
    return f"synthetic KPI rows for {len(weeks)} weeks"


def run(report) -> None:
    from django.db import transaction
    from django.utils import timezone

    from activities.weeks import shift_week, week_of

    try:
        url = reverse("reports:dashboard")
    except NoReverseMatch:
        report.not_available("dashboard 20 reps", "not available (no such URL name yet)")
        return
    with transaction.atomic():
        team, manager, rep_ids = _team_of_reps()
        if not rep_ids:
            report.not_available("dashboard 20 reps", "no demo reps")
            transaction.set_rollback(True)
            return
        week = shift_week(week_of(timezone.now(), team.tzinfo), -1)
        weeks = [shift_week(week, -n) for n in range(WEEKS)]
        print(f"  {len(rep_ids)} reps, {_kpis(team=team, rep_ids=rep_ids, weeks=weeks)}")
        client = Client()
        client.force_login(manager)
        n = len(rep_ids)
        report.measure_get(
            f"dashboard {n} reps (week {week})", client, f"{url}?week={week}", target_ms=TARGET_MS
        )
        report.measure_get(
            f"dashboard {n} reps sorted by calls",
            client,
            f"{url}?week={week}&sort=-calls",
            target_ms=TARGET_MS,
        )
        # The twelve-month figures are cached for a few minutes (reports.dashboard._cached):
        # what the first request of a selection costs, with that cache off (no target).
        from django.test import override_settings

        repeat, report.repeat, warmup, report.warmup = report.repeat, 5, report.warmup, 1
        with override_settings(DASHBOARD_CACHE_SECONDS=0):
            report.measure_get(
                f"dashboard {n} reps, figures not cached", client, f"{url}?week={week}"
            )
        report.repeat, report.warmup = repeat, warmup
        rep_url = reverse("reports:rep-dashboard", args=[rep_ids[0]])
        report.measure_get(
            "dashboard drill-down, one rep", client, f"{rep_url}?week={week}", target_ms=TARGET_MS
        )
        export = reverse("reports:dashboard-export", args=["stuck"])
        report.measure_get(f"dashboard stuck-deals CSV, {n} reps", client, f"{export}?week={week}")
        transaction.set_rollback(True)
