"""The weekly KPI job for one week (all reps at once) against a hand-written SQL floor.

Run at the "kpi" scale (200 reps, 2,000,000 activities, 300,000 deals over two years, in
its own database crm_bench_kpi):

    python bench/run.py --scale kpi --only kpis

1. reports.kpis.compute_weekly_kpis for last week, every team (target < 5 s).
2. The floor: ONE hand-written SQL query computing the same activity counts and won values
   (count, value) for every rep; the job should take under 2x the floor. The job does more
   than the floor (new prospects, deals created, pipeline and forecast from the stage
   history, revenue to date, goals, quotas, commission, the upsert), so both the whole job
   and its comparable part (reps in scope, then reports.kpis.week_counts: the job's own
   queries for the floor's figures) are timed and compared.
3. A lower bound for one figure the floor does not compute: the open pipeline per owner
   today, read from an index alone. The job's pipeline at the week's end reads at least
   these ~134,000 deals (plus the history of those changed since), so this one query shows
   how much of the 2x budget any such job spends before computing anything else.
4. The job without its at-risk step (issue 13): with it, the job may take at most 1.2x.
   The neglected-key-customer rule reads Customer.last_activity_at and probes the
   activities only of key customers touched after the week's end.
5. Checks that the job's rows and the floor agree.
"""

import time
from unittest import mock

from django.db import connection, transaction

TARGET_MS = 5000
FLOOR_RATIO = 2.0
RISK_RATIO = 1.2
RUNS = 5

FLOOR_SQL = """
SELECT u.id,
       COALESCE(a.calls, 0), COALESCE(a.meetings, 0), COALESCE(a.visits, 0),
       COALESCE(a.emails, 0), COALESCE(a.prospecting, 0),
       COALESCE(w.deals_won, 0), COALESCE(w.won_value, 0)
FROM accounts_user u
LEFT JOIN (
    SELECT owner_id,
           COUNT(*) FILTER (WHERE kind = 'call') AS calls,
           COUNT(*) FILTER (WHERE kind = 'meeting') AS meetings,
           COUNT(*) FILTER (WHERE kind = 'visit') AS visits,
           COUNT(*) FILTER (WHERE kind = 'email') AS emails,
           COUNT(*) FILTER (WHERE is_prospecting) AS prospecting
    FROM activities_activity
    WHERE week = %(week)s
    GROUP BY owner_id
) a ON a.owner_id = u.id
LEFT JOIN (
    SELECT credited_to_id, COUNT(*) AS deals_won, SUM(amount) AS won_value
    FROM crm_deal
    WHERE stage_id = 'won' AND closed_at BETWEEN %(monday)s AND %(sunday)s
    GROUP BY credited_to_id
) w ON w.credited_to_id = u.id
WHERE u.role = 'rep'
"""

# The least a "pipeline open at the week's end" figure must read: every open deal (here as
# of now, a simpler question), summed per owner from crm_deal_open_pipeline_idx alone.
OPEN_PIPELINE_SQL = """
SELECT owner_id, SUM(amount)
FROM crm_deal
WHERE stage_id IN ('lead', 'qualified', 'proposal', 'negotiation')
GROUP BY owner_id
"""


def _timed(fn, runs: int = RUNS) -> tuple[list[float], object]:
    fn()  # warm-up
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def _measure(report, name, fn, *, target_ms=None, runs=RUNS):
    saved = report.repeat, report.warmup
    report.repeat, report.warmup = runs, 1
    try:
        return report.measure(name, fn, target_ms=target_ms)
    finally:
        report.repeat, report.warmup = saved


def run(report) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User
    from activities.weeks import week_label, week_monday
    from reports import kpis
    from reports.models import WeeklyKPI

    week = week_label(timezone.localdate() - timedelta(days=7))
    monday = week_monday(week)
    params = {"week": week, "monday": monday, "sunday": monday + timedelta(days=6)}
    reps = User.objects.filter(role="rep").count()
    activities = _count("activities_activity", week)
    print(f"  week {week}: {reps} reps, {activities:,} activities that week", flush=True)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, params)
            return cursor.fetchall()

    def job():
        return kpis.compute_weekly_kpis(week=week)

    def job_without_risk():  # issue 13's budget: the at-risk step may add at most 20%
        with (
            mock.patch.object(kpis, "compute_risk_flags", return_value=[]),
            mock.patch.object(kpis, "store_risk_flags"),
        ):
            return kpis.compute_weekly_kpis(week=week)

    def pipeline():
        with connection.cursor() as cursor:
            cursor.execute(OPEN_PIPELINE_SQL)
            return cursor.fetchall()

    def comparable():
        with transaction.atomic():
            with connection.cursor() as cursor:  # as in the job: no JIT
                cursor.execute("SELECT set_config('jit', 'off', true)")
            return _comparable()

    def _comparable():
        reps = list(kpis.reps_in_scope(week=week))  # as the job: every team's reps
        counts = kpis.week_counts(week=week, monday=params["monday"], sunday=params["sunday"])
        return {rep.pk: counts.get(rep.pk, {}) for rep in reps}

    floor_fig = _measure(report, f"KPI floor: 1 SQL query, {reps} reps, {week}", floor)
    floor_fig.name += " (JIT as configured)"
    job_fig = _measure(
        report, f"KPI job: compute_weekly_kpis, {reps} reps", job, target_ms=TARGET_MS
    )
    bare_fig = _measure(report, "KPI job without its at-risk step (issue 13)", job_without_risk)
    part_fig = _measure(report, "KPI job: its queries for the floor's figures only", comparable)
    pipe_fig = _measure(report, "Lower bound: open pipeline per owner, index only", pipeline)
    if floor_fig.p50 and job_fig.p50:
        ratio = job_fig.p50 / floor_fig.p50
        part = part_fig.p50 / floor_fig.p50 if part_fig.p50 else float("nan")
        verdict = "pass" if ratio < FLOOR_RATIO else "FAIL"
        report.not_available(
            f"KPI job / floor (p50): {ratio:.2f}x; comparable part {part:.2f}x",
            f"{verdict} (target < {FLOOR_RATIO:.0f}x)",
        )
        report.not_available(
            f"Open pipeline alone / floor (p50): {pipe_fig.p50 / floor_fig.p50:.2f}x", "-"
        )
    if bare_fig.p50 and job_fig.p50:
        share = job_fig.p50 / bare_fig.p50
        report.not_available(
            f"KPI job with / without the at-risk step (p50): {share:.2f}x",
            f"{'pass' if share <= RISK_RATIO else 'FAIL'} (target <= {RISK_RATIO}x)",
        )
    _check(report, floor(), WeeklyKPI.objects.filter(week=week))


def _count(table: str, week: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE week = %s", [week])
        return cursor.fetchone()[0]


def _check(report, floor_rows, kpi_rows) -> None:
    """The job's rows say what the floor says, rep by rep."""
    fields = ("calls", "meetings", "visits", "emails", "prospecting", "deals_won", "won_value")
    expected = {row[0]: tuple(row[1:]) for row in floor_rows}
    got = {row[0]: tuple(row[1:]) for row in kpi_rows.values_list("rep_id", *fields)}
    mismatched = [rid for rid, values in got.items() if expected.get(rid) != values]
    report.not_available(
        f"KPI rows agree with the floor ({len(got)} rows)",
        "pass" if got and not mismatched else f"FAIL ({len(mismatched)} differ)",
    )
