"""Two runs of the same week at once (two threads, two database connections, real
commits): they serialize on the advisory lock and leave the right rows once."""

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from activities.models import Activity
from reports import kpis
from reports.models import WeeklyKPI
from tests.factories.crm import CustomerFactory

WEEK = "2026-W10"

# Real commits, so transactional; no serialized_rollback: the only rows migrations create
# (the pipeline stages) are put back by tests/conftest.py, and reloading the serialized
# database on top of the content types a previous transactional test's flush recreated
# broke on duplicate keys whenever such a test ran first in the same process.
pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_runs_of_the_same_week_serialize_and_write_each_row_once(
    company, monkeypatch
):
    rep, north = company["rep"], company["north"]
    Activity.objects.create(
        owner=rep,
        customer=CustomerFactory(owner=rep),
        kind="call",
        occurred_at=datetime(2026, 3, 4, 10, tzinfo=ZoneInfo("Europe/Berlin")),
        week=WEEK,
    )
    spans, errors = [], []
    original = kpis.build_kpi_rows

    def slow_build(**kwargs):
        started = time.monotonic()
        rows = original(**kwargs)
        time.sleep(0.4)  # long enough for the other run to collide without the lock
        spans.append((started, time.monotonic()))
        return rows

    monkeypatch.setattr(kpis, "build_kpi_rows", slow_build)
    barrier = threading.Barrier(2)

    def run(team):
        try:
            barrier.wait()
            kpis.compute_weekly_kpis(week=WEEK, team=team)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in (north, None)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    (a_start, a_end), (b_start, b_end) = sorted(spans)
    assert b_start >= a_end  # the second run waited for the first to commit
    assert WeeklyKPI.objects.filter(week=WEEK).count() == 3
    assert WeeklyKPI.objects.get(rep=rep, week=WEEK).calls == 1


def test_two_runs_of_the_same_team_and_week_serialize(company, monkeypatch):
    north = company["north"]
    spans = []
    original = kpis.build_kpi_rows

    def slow_build(**kwargs):
        started = time.monotonic()
        rows = original(**kwargs)
        time.sleep(0.3)
        spans.append((started, time.monotonic()))
        return rows

    monkeypatch.setattr(kpis, "build_kpi_rows", slow_build)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            kpis.compute_weekly_kpis(week=WEEK, team=north)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    (_, first_end), (second_start, _) = sorted(spans)
    assert second_start >= first_end
    assert WeeklyKPI.objects.filter(week=WEEK, team=north).count() == 2
