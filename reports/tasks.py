"""Celery tasks of the reports domain (issue 5, area 5B: the weekly KPI job). Thin wrappers
around reports.kpis and reports.digest.

Scheduling (crm.settings.CELERY_BEAT_SCHEDULE):
- compute_last_week_kpis runs every hour on Mondays (minute 5, beat's time zone). Beat
  cannot know each team's time zone, so each run picks the teams whose local time is then
  between 03:00 and 04:00, computes the ISO week that just ended in that team's time zone,
  and sends that team's manager the digest. A team whose local Monday 03:00 falls on a UTC
  Sunday (UTC+4 and more east) is caught because the task also runs hourly on Sundays.
- recompute_stale_weeks runs hourly and recomputes every (team, week) marked stale.
"""

from celery import shared_task
from django.db import OperationalError

from reports import kpis

LOCAL_HOUR = 3  # the team's local Monday hour at which last week is computed


@shared_task(
    name="reports.tasks.compute_weekly_kpis_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def compute_weekly_kpis_task(week: str, team_id: int | None = None) -> int:
    """Compute one ISO week's KPI rows (one team, or all); retried with backoff when the
    database is unavailable. Safe to run twice: the job is idempotent and serialized."""
    from accounts.models import Team

    team = Team.objects.get(pk=team_id) if team_id is not None else None
    return kpis.compute_weekly_kpis(week=week, team=team)


@shared_task(name="reports.tasks.compute_last_week_kpis", acks_late=True)
def compute_last_week_kpis() -> list[str]:
    """Hourly on Mondays (and Sundays, for the far-east time zones): see
    reports.kpis.run_weekly_kpi_job. Returns "team:week" done."""
    return kpis.run_weekly_kpi_job(local_hour=LOCAL_HOUR)


@shared_task(name="reports.tasks.recompute_stale_weeks", acks_late=True)
def recompute_stale_weeks() -> int:
    """Hourly: bring every week marked stale (late activity, deal closed in the past) up to
    date. Returns how many (team, week) snapshots were recomputed."""
    return kpis.recompute_stale_weeks()
