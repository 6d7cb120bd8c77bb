"""The Celery side of the KPI job: Monday early morning in each team's time zone, the
digest to each manager once a week, retries, and the beat schedule."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone

from reports import kpis, tasks
from reports.digest import SENT_KEY, send_team_digest
from reports.models import WeeklyKPI

# Monday 23 November 2026, 02:05 UTC = 03:05 in Berlin (North), Sunday 21:05 in New York.
MONDAY_0205_UTC = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)


@pytest.fixture
def fresh_digest_marks(company):
    for manager in (company["north_mgr"], company["south_mgr"]):
        for week in ("2026-W47", "2026-W46"):
            cache.delete(SENT_KEY.format(manager=manager.pk, week=week))
    company["north_mgr"].email = "north@example.com"
    company["north_mgr"].save()
    return company


def test_only_teams_at_monday_3am_local_are_due_for_the_week_that_just_ended(company):
    due = kpis.teams_due_for_weekly_run(local_hour=3, now=MONDAY_0205_UTC)

    assert due == [(company["north"], "2026-W47")]
    # Five hours later it is Monday 03:05 in New York (EST, UTC-5).
    later = datetime(2026, 11, 23, 8, 5, tzinfo=UTC)
    assert kpis.teams_due_for_weekly_run(local_hour=3, now=later) == [
        (company["south"], "2026-W47")
    ]


def test_the_monday_task_computes_last_week_and_mails_the_managers_digest_once(
    fresh_digest_marks, monkeypatch
):
    company = fresh_digest_marks
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_0205_UTC)

    done = tasks.compute_last_week_kpis.delay().get()
    again = tasks.compute_last_week_kpis.delay().get()

    assert done == again == [f"{company['north'].pk}:2026-W47"]
    assert set(WeeklyKPI.objects.values_list("rep__username", flat=True)) == {"rep_a", "rep_b"}
    assert len(mail.outbox) == 1  # once per manager and week, however often beat fires
    message = mail.outbox[0]
    assert message.to == ["north@example.com"]
    assert message.subject == "North: weekly KPIs for 2026-W47"
    rep_name = str(company["rep"])
    assert rep_name in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and rep_name in html and "<table" in html


def test_a_failed_send_is_retried_by_the_next_run(fresh_digest_marks, monkeypatch):
    company = fresh_digest_marks
    kpis.compute_weekly_kpis(week="2026-W46", team=company["north"])

    def broken(self, fail_silently=False):
        raise OSError("SMTP down")

    from django.core.mail import EmailMultiAlternatives

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", broken)
        with pytest.raises(OSError):
            send_team_digest(team=company["north"], week="2026-W46")

    assert send_team_digest(team=company["north"], week="2026-W46") is True
    assert len(mail.outbox) == 1


def test_a_team_without_a_manager_email_gets_no_digest(company):
    company["south_mgr"].email = ""
    company["south_mgr"].save()

    assert send_team_digest(team=company["south"], week="2026-W47") is False
    assert mail.outbox == []


def test_the_compute_task_retries_when_the_database_is_unavailable(company, monkeypatch):
    calls = []

    def flaky(*, week, team=None):
        calls.append(week)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return 7

    monkeypatch.setattr(kpis, "compute_weekly_kpis", flaky)
    monkeypatch.setattr(tasks.compute_weekly_kpis_task, "retry_backoff", False)

    result = tasks.compute_weekly_kpis_task.apply(
        args=["2026-W47", company["north"].pk], throw=False
    )

    assert result.get() == 7
    assert calls == ["2026-W47", "2026-W47"]


def test_the_beat_schedule_runs_the_kpi_jobs_with_expiry():
    schedule = settings.CELERY_BEAT_SCHEDULE
    weekly = schedule["weekly-kpis-last-week"]
    stale = schedule["weekly-kpis-stale-weeks"]

    assert weekly["task"] == "reports.tasks.compute_last_week_kpis"
    assert weekly["schedule"].day_of_week == {0, 1}  # Sunday and Monday, every hour
    assert len(weekly["schedule"].hour) == 24
    assert stale["task"] == "reports.tasks.recompute_stale_weeks"
    assert weekly["options"]["expires"] > 0 and stale["options"]["expires"] > 0
