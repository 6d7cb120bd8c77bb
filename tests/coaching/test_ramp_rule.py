"""The onboarding ramp's rule: which week of the ramp a rep is in, the share of the team's
targets that applies, and that the weekly KPI job, the dashboard and "My week" all measure a
new rep against the ramped target, without extra queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.selectors import my_week
from coaching import ramp
from reports.kpis import compute_weekly_kpis
from reports.models import ActivityGoal, WeeklyKPI
from reports.selectors import activity_goal_for
from tests.factories.accounts import RepFactory
from tests.factories.coaching import TeamRampFactory
from tests.factories.reports import QuotaFactory

START = date(2026, 11, 4)  # a Wednesday of 2026-W45: ramp week 1
DEFAULT = ramp.parse_schedule("3:40,6:60,9:80,12:100")

# --- The percent per ramp week, at the boundaries -----------------------------------------


@pytest.mark.parametrize(
    ("week", "number", "percent"),
    [
        ("2026-W45", 1, 40),  # the week of the start date
        ("2026-W47", 3, 40),  # last week of the first step
        ("2026-W48", 4, 60),  # first week of the second step
        ("2026-W50", 6, 60),
        ("2026-W51", 7, 80),
        ("2027-W01", 10, 100),  # the last step is 100% already
        ("2027-W04", 13, 100),  # after week 12
    ],
)
def test_ramp_percent_at_the_step_boundaries(week, number, percent):
    assert ramp.ramp_week(start_date=START, week=week) == number
    assert ramp.percent_for(number=number, steps=DEFAULT) == percent


def test_a_rep_without_a_start_date_or_before_it_is_at_100_percent():
    assert ramp.ramp_week(start_date=None, week="2026-W47") is None
    assert ramp.percent_for(number=None, steps=DEFAULT) == 100
    assert ramp.ramp_status(start_date=None, week="2026-W47", steps=DEFAULT) is None
    assert ramp.ramp_week(start_date=START, week="2026-W44") is None  # not started yet


def test_after_the_last_step_the_rep_is_not_ramping():
    assert ramp.ramp_status(start_date=START, week="2027-W04", steps=DEFAULT) is None
    status = ramp.ramp_status(start_date=START, week="2026-W49", steps=DEFAULT)
    assert (status.week, status.percent) == (5, 60)
    assert status.label == "ramp week 5: 60% of the team goal"


def test_the_default_schedule_comes_from_the_setting(settings):
    settings.CRM_RAMP_DEFAULT_SCHEDULE = "2:50,4:75"
    assert ramp.default_steps() == [
        {"until_week": 2, "percent": 50},
        {"until_week": 4, "percent": 75},
    ]
    settings.CRM_RAMP_DEFAULT_SCHEDULE = "nonsense"  # a broken setting: the built-in schedule
    assert ramp.default_steps() == DEFAULT


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "Give the schedule as steps"),
        ([{"until_week": 3, "percent": 140}], "Step 1: percent must be between 1 and 100."),
        ([{"until_week": 0, "percent": 40}], "Step 1: until_week must be between 1 and 52."),
        (
            [{"until_week": 6, "percent": 40}, {"until_week": 3, "percent": 60}],
            "Step 2: week 3 must come after week 6.",
        ),
        (
            [{"until_week": 3, "percent": 60}, {"until_week": 6, "percent": 40}],
            "Step 2: a ramp rises; 40% is below 60%.",
        ),
        ([{"until_week": "3", "percent": 40}], "Step 1: until_week and percent are whole"),
        ([{"until_week": 3}], "Step 1: give until_week and percent"),
    ],
)
def test_a_bad_schedule_is_refused_with_a_specific_message(steps, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        ramp.validate_steps(steps)
    assert exc.value.message_dict["steps"][0].startswith(message)


# --- The KPI job: ramped goals and quotas ----------------------------------------------------


@pytest.fixture
def north_goal(company):
    return ActivityGoal.objects.create(
        team=company["north"], week="", calls=100, meetings=5, visits=3, new_prospects=2
    )


def _new_rep(company, **kwargs):
    rep = company["rep"]
    rep.start_date = kwargs.get("start_date", START)
    rep.save(update_fields=["start_date"])
    return rep


def test_the_kpi_job_ramps_a_new_reps_team_goal_and_quota(company, north_goal):
    """Given rep_a started in 2026-W45 (the default schedule) and rep_b has no start date,
    when the job computes 2026-W47 (ramp week 3: 40%), rep_a's goals and quotas are 40% of the
    team default and of their quota; rep_b's are the full ones."""
    rep = _new_rep(company)
    QuotaFactory(rep=rep, period="month", period_start=date(2026, 11, 1), revenue=Decimal("10000"))
    QuotaFactory(
        rep=company["other_rep"],
        period="month",
        period_start=date(2026, 11, 1),
        revenue=Decimal("10000"),
    )

    compute_weekly_kpis(week="2026-W47", team=company["north"])

    new = WeeklyKPI.objects.get(rep=rep, week="2026-W47")
    full = WeeklyKPI.objects.get(rep=company["other_rep"], week="2026-W47")
    assert (new.goal_calls, new.goal_meetings, new.goal_visits, new.goal_new_prospects) == (
        40,
        2,  # 5 x 40% = 2
        1,  # 3 x 40% = 1.2 -> 1
        1,  # 2 x 40% = 0.8 -> 1
    )
    assert new.quota_month == Decimal("4000.00")
    assert (full.goal_calls, full.quota_month) == (100, Decimal("10000.00"))


def test_the_next_week_is_the_next_step(company, north_goal):
    rep = _new_rep(company)
    compute_weekly_kpis(week="2026-W48", team=company["north"])
    assert WeeklyKPI.objects.get(rep=rep, week="2026-W48").goal_calls == 60


def test_a_teams_own_schedule_wins_over_the_default(company, north_goal):
    rep = _new_rep(company)
    TeamRampFactory(
        team=company["north"],
        steps=[{"until_week": 4, "percent": 25}, {"until_week": 8, "percent": 50}],
    )
    compute_weekly_kpis(week="2026-W47", team=company["north"])
    assert WeeklyKPI.objects.get(rep=rep, week="2026-W47").goal_calls == 25


def test_a_goal_set_for_the_rep_themself_is_not_ramped(company, north_goal):
    """The manager's own choice for a new rep is taken as set."""
    rep = _new_rep(company)
    ActivityGoal.objects.create(rep=rep, week="", calls=30)
    compute_weekly_kpis(week="2026-W47", team=company["north"])
    assert WeeklyKPI.objects.get(rep=rep, week="2026-W47").goal_calls == 30


def test_the_kpi_job_runs_the_same_number_of_queries_with_ramping_reps(company, north_goal):
    """Pinned: ramping reps (with or without a team schedule) cost the job no query."""

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute_weekly_kpis(week="2026-W47", team=company["north"])
        return len(ctx.captured_queries)

    compute_weekly_kpis(week="2026-W47", team=company["north"])  # warm up
    before = count()
    _new_rep(company)
    for _ in range(3):
        RepFactory(team=company["north"], start_date=START)
    ramping = count()
    TeamRampFactory(team=company["north"])
    with_schedule = count()

    assert before == ramping == with_schedule
    assert WeeklyKPI.objects.filter(week="2026-W47", goal_calls=40).count() == 4


# --- "My week" and activity_goal_for ---------------------------------------------------------


def test_my_week_shows_the_ramped_goal(company, north_goal):
    rep = _new_rep(company)
    assert activity_goal_for(rep=rep, week="2026-W48")["calls"] == 60
    assert my_week(rep=rep, week="2026-W48").goal["calls"] == 60
    assert activity_goal_for(rep=company["other_rep"], week="2026-W48")["calls"] == 100


def test_activity_goal_for_a_rep_not_ramping_runs_one_query(
    company, north_goal, django_assert_num_queries
):
    with django_assert_num_queries(1):
        activity_goal_for(rep=company["other_rep"], week="2026-W48")
