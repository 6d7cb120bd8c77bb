"""Reads of targets and results: which goal applies to whom, and how reps measure against it."""

from collections.abc import Iterable

from django.db.models import Q

from accounts.models import User
from reports.models import ActivityGoal

GOAL_FIELDS = ("calls", "meetings", "visits", "new_prospects")

# --- Activity goals (issue 4: tasks, plan and my week area) -----------------------------


def _zero_goal() -> dict:
    return dict.fromkeys(GOAL_FIELDS, 0)


def _goal_dict(goal: ActivityGoal | None) -> dict:
    if goal is None:
        return _zero_goal()
    return {name: getattr(goal, name) for name in GOAL_FIELDS}


def _resolve(*, rep: User, week: str, goals: list[ActivityGoal]) -> dict:
    """Pick the most specific goal that applies to `rep` in `week`, in this order:
    rep goal for the week > rep standing goal > team default for the week >
    team standing default > zeros."""
    ranked = {}
    for goal in goals:
        if goal.rep_id is not None:
            if goal.rep_id != rep.pk:
                continue
            rank = 0 if goal.week == week else 1
        else:
            if goal.team_id is None or goal.team_id != rep.team_id:
                continue
            rank = 2 if goal.week == week else 3
        ranked.setdefault(rank, goal)
    return _goal_dict(ranked[min(ranked)] if ranked else None)


def _goals_query(*, rep_ids: set[int], team_ids: set[int], week: str):
    weeks = [week, ""]
    return ActivityGoal.objects.filter(
        Q(rep_id__in=rep_ids, week__in=weeks)
        | Q(rep__isnull=True, team_id__in=team_ids, week__in=weeks)
    )


def activity_goal_for(*, rep: User, week: str) -> dict:
    """The weekly activity goal a rep is measured against, as
    {calls, meetings, visits, new_prospects}; one query. Managers set team defaults and
    override them per rep, per week or standing; without any goal everything is zero."""
    team_ids = {rep.team_id} if rep.team_id else set()
    goals = list(_goals_query(rep_ids={rep.pk}, team_ids=team_ids, week=week))
    return _resolve(rep=rep, week=week, goals=goals)


def goals_for_reps(*, reps: Iterable[User], week: str) -> dict[int, dict]:
    """activity_goal_for for many reps in one query: {rep id: goal dict}. For the manager's
    dashboard, where a query per rep would grow with the team."""
    reps = list(reps)
    if not reps:
        return {}
    rep_ids = {rep.pk for rep in reps}
    team_ids = {rep.team_id for rep in reps if rep.team_id}
    goals = list(_goals_query(rep_ids=rep_ids, team_ids=team_ids, week=week))
    return {rep.pk: _resolve(rep=rep, week=week, goals=goals) for rep in reps}
