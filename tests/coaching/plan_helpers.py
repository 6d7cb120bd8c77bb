"""Shared givens of the action-plan tests: an approved "activity ramp" template (two steps,
one measure: calls per week ≥ 80 for 2 weeks) and KPI weeks relative to this week."""

from datetime import timedelta

from activities.selectors import current_week, local_today
from activities.weeks import shift_week
from coaching import plan_services as svc
from tests.factories.coaching import (
    PlanTemplateFactory,
    PlanTemplateMeasureFactory,
    PlanTemplateStepFactory,
)
from tests.factories.reports import WeeklyKPIFactory


def make_template(**kwargs):
    template = PlanTemplateFactory(name=kwargs.pop("name", "Activity ramp"), **kwargs)
    PlanTemplateStepFactory(template=template, title="Shadow two calls", owner="rep", due_in_days=7)
    PlanTemplateStepFactory(
        template=template, title="Joint visit with the manager", owner="manager", due_in_days=14
    )
    PlanTemplateMeasureFactory(
        template=template, metric="calls", comparison="gte", threshold=80, weeks=2
    )
    return template


def weeks_ago(rep, n: int) -> str:
    return shift_week(current_week(user=rep), -n)


def start_plan(company, template, *, weeks_back: int = 3, rep=None):
    """rep_a's plan, started by north_mgr `weeks_back` weeks ago (Monday of that week)."""
    rep = rep or company["rep"]
    today = local_today(user=rep)
    started_on = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks_back)
    return svc.plan_start(
        by=company["north_mgr"], rep=rep, template=template, started_on=started_on
    )


def kpi(rep, week: str, **figures):
    return WeeklyKPIFactory(rep=rep, week=week, **figures)
