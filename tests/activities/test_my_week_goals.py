"""Which weekly activity goal a rep is measured against."""

import pytest

from reports.models import ActivityGoal
from reports.selectors import activity_goal_for, goals_for_reps

pytestmark = pytest.mark.django_db
WEEK = "2026-W48"


def goal(*, calls, team=None, rep=None, week=""):
    return ActivityGoal.objects.create(
        team=team, rep=rep, week=week, calls=calls, meetings=calls // 10, visits=1
    )


def test_without_any_goal_everything_is_zero(company):
    assert activity_goal_for(rep=company["rep"], week=WEEK) == {
        "calls": 0,
        "meetings": 0,
        "visits": 0,
        "new_prospects": 0,
    }


def test_resolution_order_from_most_to_least_specific(company):
    rep, north = company["rep"], company["north"]
    # Each step adds a more specific goal, and it wins.
    goal(team=north, calls=10)
    assert activity_goal_for(rep=rep, week=WEEK)["calls"] == 10  # team standing default
    goal(team=north, week=WEEK, calls=20)
    assert activity_goal_for(rep=rep, week=WEEK)["calls"] == 20  # team default this week
    goal(rep=rep, calls=30)
    assert activity_goal_for(rep=rep, week=WEEK)["calls"] == 30  # rep standing goal
    goal(rep=rep, week=WEEK, calls=40)
    assert activity_goal_for(rep=rep, week=WEEK)["calls"] == 40  # rep goal this week
    # Another week falls back to the standing goals
    assert activity_goal_for(rep=rep, week="2026-W49")["calls"] == 30


def test_other_reps_and_other_teams_goals_do_not_apply(company):
    goal(rep=company["other_rep"], week=WEEK, calls=99)
    goal(team=company["south"], calls=77)
    goal(team=company["north"], week="2026-W47", calls=55)
    assert activity_goal_for(rep=company["rep"], week=WEEK)["calls"] == 0


def test_a_rep_goal_wins_even_when_it_also_names_the_team(company):
    rep, north = company["rep"], company["north"]
    goal(team=north, week=WEEK, calls=20)
    goal(team=north, rep=rep, calls=30)
    assert activity_goal_for(rep=rep, week=WEEK)["calls"] == 30


def test_all_fields_come_from_the_chosen_goal(company):
    ActivityGoal.objects.create(
        rep=company["rep"], week=WEEK, calls=100, meetings=5, visits=3, new_prospects=2
    )
    assert activity_goal_for(rep=company["rep"], week=WEEK) == {
        "calls": 100,
        "meetings": 5,
        "visits": 3,
        "new_prospects": 2,
    }


def test_goals_for_many_reps_resolve_in_one_query(company, django_assert_num_queries):
    rep, other, south = company["rep"], company["other_rep"], company["south_rep"]
    goal(team=company["north"], calls=10)
    goal(rep=other, week=WEEK, calls=40)
    goal(team=company["south"], week=WEEK, calls=25)
    with django_assert_num_queries(1):
        goals = goals_for_reps(reps=[rep, other, south], week=WEEK)
    assert {pk: g["calls"] for pk, g in goals.items()} == {rep.pk: 10, other.pk: 40, south.pk: 25}
    # the same answers as one at a time
    for r in (rep, other, south):
        assert goals[r.pk] == activity_goal_for(rep=r, week=WEEK)
    assert goals_for_reps(reps=[], week=WEEK) == {}
