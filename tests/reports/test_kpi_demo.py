"""The demo carries quotas near each rep's real results and the recent KPI snapshots, so
the dashboard has something to show on a newcomer's first run."""

from datetime import date
from io import StringIO

from django.core.management import call_command

from accounts.models import User
from reports.models import Quota, WeeklyKPI

TODAY = date(2026, 11, 20)


def test_the_demo_seeds_quotas_and_the_last_weeks_kpi_snapshots(db):
    args = ["--reps", "3", "--customers", "40", "--deals", "90", "--weeks", "6"]
    call_command(
        "seed_demo", *args, "--today", TODAY.isoformat(), "--no-progress", stdout=StringIO()
    )

    reps = User.objects.filter(role="rep")
    assert reps.count() == 3
    for rep in reps:
        months = Quota.objects.filter(rep=rep, period="month", period_start__year=2026)
        assert months.count() == 12
        year = Quota.objects.get(rep=rep, period="year", period_start=date(2026, 1, 1))
        assert year.rolled_up and year.revenue == sum(q.revenue for q in months)
    # The six weeks before the current one and the current one, for every rep.
    assert WeeklyKPI.objects.values("week").distinct().count() == 7
    assert WeeklyKPI.objects.filter(rep__in=reps).count() == 21
    assert WeeklyKPI.objects.filter(calls__gt=0).exists()
