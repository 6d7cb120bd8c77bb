"""The dashboard measures a new rep against the ramped target and says so, in the same
number of queries as before."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.kpis import compute_weekly_kpis
from reports.models import ActivityGoal
from tests.factories.accounts import RepFactory
from tests.factories.coaching import TeamRampFactory
from tests.factories.reports import QuotaFactory

WEEK = "2026-W49"  # ramp week 5 for a rep who started in 2026-W45: 60%
START = date(2026, 11, 2)
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    settings.DASHBOARD_MEDIANS_CACHE_SECONDS = 0
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def ramping(company):
    ActivityGoal.objects.create(team=company["north"], week="", calls=100, meetings=5)
    rep = company["rep"]
    rep.start_date = START
    rep.save(update_fields=["start_date"])
    QuotaFactory(rep=rep, period="month", period_start=date(2026, 12, 1), revenue=Decimal("10000"))
    compute_weekly_kpis(week=WEEK, team=company["north"])
    return rep


def test_the_team_table_shows_the_ramped_goal_and_says_so(client, company, ramping):
    """Given rep_a is in ramp week 5 (60%) of a team goal of 100 calls, when the manager opens
    the dashboard, then rep_a's calls are measured against 60 and the row says why; rep_b is
    measured against the full 100 without the note."""
    client.force_login(company["north_mgr"])

    response = client.get(URL, {"week": WEEK})

    assert response.status_code == 200
    rows = {row.rep.pk: row for row in response.context["rows"]}
    new, full = rows[ramping.pk], rows[company["other_rep"].pk]
    assert new.activity[0].target == 60
    assert new.attainment[0].target == Decimal("6000.00")  # 60% of the month's quota
    assert (new.ramp.week, new.ramp.percent) == (5, 60)
    assert full.activity[0].target == 100 and full.ramp is None
    html = response.content.decode()
    assert html.count("ramp week 5: 60% of the team goal") == 1
    assert 'data-ramp-week="5"' in html


def test_the_sorted_table_partial_says_so_too(client, company, ramping):
    client.force_login(company["north_mgr"])
    response = client.get(
        URL, {"week": WEEK, "partial": "table", "sort": "calls"}, HTTP_HX_REQUEST="true"
    )
    assert "ramp week 5: 60% of the team goal" in response.content.decode()


def test_the_reps_own_numbers_say_their_targets_are_ramped(client, company, ramping):
    client.force_login(ramping)
    response = client.get(URL, {"week": WEEK})
    assert response.status_code == 200
    assert "Targets are ramped for a new rep — ramp week 5: 60% of the team goal" in (
        response.content.decode()
    )


def test_after_the_ramp_the_dashboard_says_nothing(client, company, ramping):
    compute_weekly_kpis(week="2027-W06", team=company["north"])  # week 15: 100%
    client.force_login(company["north_mgr"])
    response = client.get(URL, {"week": "2027-W06"})
    assert "ramp week" not in response.content.decode()
    row = next(r for r in response.context["rows"] if r.rep.pk == ramping.pk)
    assert row.activity[0].target == 100


def test_the_dashboard_runs_the_same_number_of_queries_with_ramping_reps(client, company):
    """Pinned: the same count with no ramping rep, with five of them on the default schedule
    and with a team schedule."""
    ActivityGoal.objects.create(team=company["north"], week="", calls=100)
    client.force_login(company["north_mgr"])

    def count() -> int:
        compute_weekly_kpis(week=WEEK, team=company["north"])
        client.get(URL, {"week": WEEK})  # warm up
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"week": WEEK})
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    before, _ = count()
    for _ in range(5):
        RepFactory(team=company["north"], start_date=START)
    ramping, response = count()
    TeamRampFactory(team=company["north"])
    with_schedule, _ = count()

    assert before == ramping == with_schedule
    assert sum(1 for row in response.context["rows"] if row.ramp is not None) == 5
