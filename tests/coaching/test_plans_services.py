"""Action plans (issue 13), the services and selectors: templates approved once, plans
started from them with their steps as tasks, live measures from the weekly KPI rows,
check-ins with frozen figures, the end, and changes that wait for approval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities.models import Task
from coaching import plan_selectors as sel
from coaching import plan_services as svc
from coaching.models import ActionPlan, PlanChangeRequest, PlanCheckIn, PlanTemplate
from tests.coaching.plan_helpers import kpi, make_template, start_plan, weeks_ago
from tests.factories.coaching import PlanTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    return make_template()


# --- Templates ----------------------------------------------------------------------------


def test_an_admin_creates_a_draft_template_with_steps_and_measures(company):
    template = svc.template_create(
        by=company["admin"],
        name="Calls ramp",
        kind="activity_ramp",
        steps=[{"title": "Shadow calls", "owner": "rep", "due_in_days": "5"}],
        measures=[{"metric": "calls", "comparison": "gte", "threshold": "80", "weeks": 4}],
    )
    assert not template.is_approved
    assert [(s.title, s.owner, s.due_in_days) for s in template.steps.all()] == [
        ("Shadow calls", "rep", 5)
    ]
    measure = template.measures.get()
    assert (measure.metric, measure.comparison, measure.threshold, measure.weeks) == (
        "calls",
        "gte",
        Decimal("80"),
        4,
    )


@pytest.mark.parametrize(
    "measure, message",
    [
        ({"metric": "calls", "comparison": "gte", "threshold": "lots", "weeks": 4}, "number"),
        ({"metric": "calls", "comparison": "gte", "threshold": "NaN", "weeks": 4}, "number"),
        ({"metric": "calls", "comparison": "gte", "threshold": True, "weeks": 4}, "number"),
        ({"metric": "calls", "comparison": "gte", "threshold": "-1", "weeks": 4}, "between"),
        ({"metric": "calls", "comparison": "gte", "threshold": "8", "weeks": "1.5"}, "whole"),
        ({"metric": "calls", "comparison": "gte", "threshold": "8", "weeks": 0}, "between"),
        ({"metric": "mood", "comparison": "gte", "threshold": "8", "weeks": 2}, "KPI figure"),
        ({"metric": "calls", "comparison": ">", "threshold": "8", "weeks": 2}, "comparison"),
    ],
)
def test_a_bad_measure_is_refused_with_its_number_and_nothing_is_created(company, measure, message):
    with pytest.raises(ValidationError) as exc:
        svc.template_create(by=company["admin"], name="X", kind="training", measures=[measure])
    assert "Measure 1:" in exc.value.message_dict["measures"][0]
    assert message in exc.value.message_dict["measures"][0]
    assert not PlanTemplate.objects.exists()


def test_only_admins_create_and_approve_templates(company, template):
    draft = PlanTemplateFactory(approved_at=None)
    for who in ("north_mgr", "rep"):
        with pytest.raises(PermissionDenied):
            svc.template_create(by=company[who], name="X", kind="training")
        with pytest.raises(PermissionDenied):
            svc.template_approve(by=company[who], template=draft)


def test_a_template_needs_steps_and_measures_before_approval_and_is_approved_once(company):
    draft = svc.template_create(by=company["admin"], name="Empty", kind="training")
    with pytest.raises(ValidationError) as exc:
        svc.template_approve(by=company["admin"], template=draft)
    assert set(exc.value.message_dict) == {"steps", "measures"}

    svc.template_add_parts(
        by=company["admin"],
        template=draft,
        steps=[{"title": "Course", "owner": "rep", "due_in_days": 10}],
        measures=[{"metric": "meetings", "comparison": "gte", "threshold": 5, "weeks": 2}],
    )
    approved = svc.template_approve(by=company["admin"], template=draft)
    assert approved.approved_by == company["admin"] and approved.is_approved

    with pytest.raises(ValidationError, match="already approved"):
        svc.template_approve(by=company["admin"], template=approved)
    with pytest.raises(ValidationError, match="frozen"):
        svc.template_add_parts(
            by=company["admin"],
            template=approved,
            steps=[{"title": "More", "owner": "rep", "due_in_days": 1}],
        )


def test_managers_see_approved_templates_only_and_reps_none(company, template):
    draft = PlanTemplateFactory(approved_at=None)
    retired = PlanTemplateFactory(retired=True)
    assert set(sel.templates_visible_to(user=company["admin"])) == {template, draft, retired}
    assert list(sel.templates_visible_to(user=company["north_mgr"])) == [template]
    assert not sel.templates_visible_to(user=company["rep"]).exists()


# --- Starting a plan ------------------------------------------------------------------------


def test_a_manager_starts_a_plan_and_every_step_becomes_a_task(
    company, template, django_assert_max_num_queries
):
    rep, manager = company["rep"], company["north_mgr"]
    started = sel.local_today(user=rep) - timedelta(days=3)

    with django_assert_max_num_queries(14):
        plan = svc.plan_start(by=manager, rep=rep, template=template, started_on=started)

    assert plan.status == "active" and plan.template == template and plan.started_by == manager
    steps = list(plan.steps.select_related("task"))
    assert [(s.title, s.task.assignee, s.task.due_date) for s in steps] == [
        ("Shadow two calls", rep, started + timedelta(days=7)),
        ("Joint visit with the manager", manager, started + timedelta(days=14)),
    ]
    assert all(s.task.created_by == manager and not s.task.done for s in steps)
    assert [(m.metric, m.threshold, m.weeks) for m in plan.measures.all()] == [
        ("calls", Decimal("80"), 2)
    ]


def test_the_step_tasks_are_created_in_one_insert_whatever_their_number(
    company, django_assert_max_num_queries
):
    template = make_template()
    from tests.factories.coaching import PlanTemplateStepFactory

    for _ in range(20):
        PlanTemplateStepFactory(template=template)
    with django_assert_max_num_queries(14):
        plan = svc.plan_start(by=company["north_mgr"], rep=company["rep"], template=template)
    assert Task.objects.filter(plan_step__plan=plan).count() == 22


def test_an_unapproved_template_starts_nothing(company):
    draft = make_template(approved_at=None)
    with pytest.raises(ValidationError) as exc:
        svc.plan_start(by=company["north_mgr"], rep=company["rep"], template=draft)
    assert "not approved" in exc.value.message_dict["template"][0]
    assert not ActionPlan.objects.exists() and not Task.objects.exists()


def test_a_retired_template_starts_nothing(company):
    retired = make_template(retired=True)
    with pytest.raises(ValidationError, match="retired"):
        svc.plan_start(by=company["north_mgr"], rep=company["rep"], template=retired)


def test_only_the_reps_own_manager_or_an_admin_starts_a_plan(company, template):
    with pytest.raises(ValidationError) as exc:
        svc.plan_start(by=company["south_mgr"], rep=company["rep"], template=template)
    assert "rep" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.plan_start(by=company["other_rep"], rep=company["rep"], template=template)
    plan = svc.plan_start(by=company["admin"], rep=company["south_rep"], template=template)
    # the manager's steps go to the rep's team manager, not to the admin who started it
    assert plan.steps.get(owner="manager").task.assignee == company["south_mgr"]
    assert not ActionPlan.objects.filter(rep=company["rep"]).exists()


def test_a_plan_does_not_start_in_the_future(company, template):
    tomorrow = sel.local_today(user=company["rep"]) + timedelta(days=1)
    with pytest.raises(ValidationError, match="not in the future"):
        svc.plan_start(
            by=company["north_mgr"], rep=company["rep"], template=template, started_on=tomorrow
        )
    assert not ActionPlan.objects.exists()


def test_a_rep_has_one_running_plan_at_a_time(company, template):
    start_plan(company, template)
    with pytest.raises(ValidationError, match="already has an active plan"):
        start_plan(company, template)
    assert ActionPlan.objects.filter(rep=company["rep"]).count() == 1


# --- Live figures ---------------------------------------------------------------------------


def test_measures_show_live_figures_per_week_and_are_met_after_enough_weeks_in_a_row(
    company, template
):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=3)  # weeks: -3, -2, -1, this week
    kpi(rep, weeks_ago(rep, 3), calls=90)
    kpi(rep, weeks_ago(rep, 2), calls=70)
    kpi(rep, weeks_ago(rep, 1), calls=85)
    kpi(company["other_rep"], weeks_ago(rep, 0), calls=200)  # another rep's row: not counted

    [progress] = sel.measure_progress(plan=plan)
    assert [(w.value, w.met) for w in progress.weeks] == [
        (Decimal("90"), True),
        (Decimal("70"), False),
        (Decimal("85"), True),
        (None, False),  # this week has no KPI row yet
    ]
    assert progress.best_run == 1 and not progress.met

    kpi(rep, weeks_ago(rep, 0), calls=80)  # exactly the threshold counts
    [progress] = sel.measure_progress(plan=plan)
    assert progress.best_run == 2 and progress.met


def test_the_live_figures_come_from_one_query(company, template, django_assert_num_queries):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=10)
    for n in range(11):
        kpi(rep, weeks_ago(rep, n), calls=50 + n)
    measures = list(plan.measures.all())
    with django_assert_num_queries(1):
        [progress] = sel.measure_progress(plan=plan, measures=measures)
    assert len(progress.weeks) == 11


@pytest.mark.parametrize(
    "metric, comparison, threshold, figures, expected",
    [
        ("activity_total", "gte", 10, {"calls": 4, "meetings": 3, "visits": 2, "emails": 1}, True),
        ("activity_total", "gte", 11, {"calls": 4, "meetings": 3, "visits": 2, "emails": 1}, False),
        (
            "attainment_qtd",
            "gte",
            50,
            {"revenue_qtd": Decimal("500"), "quota_quarter": Decimal("1000")},
            True,
        ),
        ("attainment_qtd", "gte", 0, {"revenue_qtd": Decimal("500")}, False),  # no quota
        ("visits", "lte", 2, {"visits": 2}, True),
        ("visits", "lte", 2, {"visits": 3}, False),
    ],
)
def test_each_metric_reads_its_kpi_figure(
    company, metric, comparison, threshold, figures, expected
):
    from tests.factories.coaching import PlanTemplateMeasureFactory

    rep = company["rep"]
    template = make_template()
    template.measures.all().delete()
    PlanTemplateMeasureFactory(
        template=template, metric=metric, comparison=comparison, threshold=threshold, weeks=1
    )
    plan = start_plan(company, template, weeks_back=0)
    kpi(rep, weeks_ago(rep, 0), **figures)
    [progress] = sel.measure_progress(plan=plan)
    assert progress.met is expected


# --- Check-ins --------------------------------------------------------------------------------


def test_a_check_in_freezes_the_weeks_figures_beside_the_note(company, template):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=1)
    row = kpi(rep, weeks_ago(rep, 1), calls=82)

    check_in = svc.check_in_write(
        by=company["north_mgr"], plan=plan, week=weeks_ago(rep, 1), note="Good week."
    )
    assert check_in.figures == {"calls": "82"}

    row.calls = 10  # the week is recomputed later
    row.save()
    stored = PlanCheckIn.objects.get(pk=check_in.pk)
    assert stored.figures == {"calls": "82"}
    page = sel.plan_page(user=company["rep"], plan_id=plan.pk)
    assert page.check_ins[0].figures == [("Calls per week", "82", True)]


def test_a_week_without_kpis_is_frozen_as_none(company, template):
    plan = start_plan(company, template, weeks_back=0)
    week = weeks_ago(company["rep"], 0)
    check_in = svc.check_in_write(by=company["admin"], plan=plan, week=week, note="First talk.")
    assert check_in.figures == {"calls": None}


@pytest.mark.parametrize(
    "week, note, field, message",
    [
        ("2026-13", "x", "week", "not an ISO week"),
        ("2001-W05", "x", "week", "Choose a week of the plan"),
        ("THIS WEEK", "  ", "note", "Write what you discussed"),
    ],
)
def test_a_bad_check_in_is_refused(company, template, week, note, field, message):
    plan = start_plan(company, template, weeks_back=1)
    week = weeks_ago(company["rep"], 0) if week == "THIS WEEK" else week
    with pytest.raises(ValidationError) as exc:
        svc.check_in_write(by=company["north_mgr"], plan=plan, week=week, note=note)
    assert message in " ".join(exc.value.message_dict[field])
    assert not PlanCheckIn.objects.exists()


def test_one_check_in_per_week(company, template):
    plan = start_plan(company, template, weeks_back=1)
    week = weeks_ago(company["rep"], 0)
    svc.check_in_write(by=company["north_mgr"], plan=plan, week=week, note="One.")
    with pytest.raises(ValidationError, match="already has a check-in"):
        svc.check_in_write(by=company["north_mgr"], plan=plan, week=week, note="Two.")


def test_a_future_week_is_no_week_of_the_plan(company, template):
    plan = start_plan(company, template, weeks_back=1)
    with pytest.raises(ValidationError, match="Choose a week of the plan"):
        svc.check_in_write(
            by=company["north_mgr"], plan=plan, week=weeks_ago(company["rep"], -1), note="x"
        )


@pytest.mark.parametrize("who", ["rep", "other_rep", "south_mgr"])
def test_only_the_manager_or_an_admin_checks_in(company, template, who):
    plan = start_plan(company, template)
    with pytest.raises(PermissionDenied):
        svc.check_in_write(by=company[who], plan=plan, week=weeks_ago(company["rep"], 0), note="x")


# --- The end ------------------------------------------------------------------------------------


def test_a_plan_ends_met_only_once_its_measures_are_met(company, template):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=1)
    kpi(rep, weeks_ago(rep, 1), calls=80)
    with pytest.raises(ValidationError, match="not met yet"):
        svc.plan_end(by=company["north_mgr"], plan=plan, outcome="met", note="Done.")

    kpi(rep, weeks_ago(rep, 0), calls=95)
    plan = svc.plan_end(by=company["north_mgr"], plan=plan, outcome="met", note="Two good weeks.")
    assert (plan.status, plan.end_note, plan.ended_by) == (
        "met",
        "Two good weeks.",
        company["north_mgr"],
    )
    assert plan.end_week == weeks_ago(rep, 0)


def test_ending_twice_is_refused(company, template):
    plan = start_plan(company, template)
    svc.plan_end(by=company["north_mgr"], plan=plan, outcome="cancelled", note="Moved team.")
    with pytest.raises(ValidationError, match="has ended"):
        svc.plan_end(by=company["north_mgr"], plan=plan, outcome="not_met", note="Again.")
    assert ActionPlan.objects.get(pk=plan.pk).status == "cancelled"


@pytest.mark.parametrize(
    "outcome, note, field",
    [("won", "x", "outcome"), ("not_met", "   ", "note"), ("", "x", "outcome")],
)
def test_a_bad_ending_changes_nothing(company, template, outcome, note, field):
    plan = start_plan(company, template)
    with pytest.raises(ValidationError) as exc:
        svc.plan_end(by=company["north_mgr"], plan=plan, outcome=outcome, note=note)
    assert field in exc.value.message_dict
    assert ActionPlan.objects.get(pk=plan.pk).status == "active"


def test_history_keeps_every_plan_of_the_rep(company, template):
    first = start_plan(company, template, weeks_back=8)
    svc.plan_end(by=company["north_mgr"], plan=first, outcome="not_met", note="Missed.")
    second = start_plan(company, template, weeks_back=1)
    history = list(sel.plan_history(viewer=company["rep"], rep=company["rep"]))
    assert history == [second, first]
    assert [p.steps_total for p in history] == [2, 2]
    assert not sel.plan_history(viewer=company["other_rep"], rep=company["rep"]).exists()


# --- Changes beyond the template ------------------------------------------------------------


def test_adding_a_step_waits_for_approval_then_creates_its_task(company, template):
    plan = start_plan(company, template)
    change = svc.change_request_create(
        by=company["north_mgr"],
        plan=plan,
        kind="add_step",
        title="Extra product training",
        owner="rep",
        due_in_days="10",
        reason="Needs the new line.",
    )
    assert change.status == "pending" and plan.steps.count() == 2
    assert "Extra product training" in change.summary

    svc.change_request_decide(by=company["admin"], change=change, decision="approve", comment="OK")
    step = plan.steps.get(title="Extra product training")
    assert not step.from_template
    assert step.task.assignee == company["rep"]
    assert step.task.due_date == plan.started_on + timedelta(days=10)
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.comment) == (
        "approved",
        company["admin"],
        "OK",
    )


def test_a_rejected_change_changes_nothing(company, template):
    plan = start_plan(company, template)
    measure = plan.measures.get()
    change = svc.change_request_create(
        by=company["north_mgr"], plan=plan, kind="change_measure", measure=measure, threshold="60"
    )
    with pytest.raises(ValidationError) as exc:
        svc.change_request_decide(by=company["admin"], change=change, decision="reject")
    assert "comment" in exc.value.message_dict
    svc.change_request_decide(
        by=company["admin"], change=change, decision="reject", comment="Keep 80."
    )
    measure.refresh_from_db()
    assert measure.threshold == Decimal("80")
    with pytest.raises(ValidationError, match="already rejected"):
        svc.change_request_decide(by=company["admin"], change=change, decision="approve")


def test_an_approved_measure_change_applies_and_removing_a_step_drops_its_open_task(
    company, template
):
    plan = start_plan(company, template)
    measure = plan.measures.get()
    step = plan.steps.get(owner="manager")
    task_id = step.task_id
    for change in (
        svc.change_request_create(
            by=company["north_mgr"],
            plan=plan,
            kind="change_measure",
            measure=measure,
            threshold="60.5",
            weeks=3,
        ),
        svc.change_request_create(
            by=company["north_mgr"], plan=plan, kind="remove_step", step=step
        ),
    ):
        svc.change_request_decide(by=company["admin"], change=change, decision="approve")
    measure.refresh_from_db()
    assert (measure.threshold, measure.weeks) == (Decimal("60.5"), 3)
    assert not plan.steps.filter(pk=step.pk).exists()
    assert not Task.objects.filter(pk=task_id).exists()


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"kind": "change_measure", "threshold": "eighty"}, "threshold", "as a number"),
        ({"kind": "change_measure", "weeks": "two"}, "weeks", "whole number"),
        ({"kind": "change_measure"}, "threshold", "new threshold"),
        ({"kind": "change_measure", "threshold": "80", "weeks": 2}, "threshold", "already"),
        ({"kind": "add_step", "owner": "rep", "due_in_days": 3}, "title", "Say what"),
        ({"kind": "add_step", "title": "x", "due_in_days": -3}, "due_in_days", "between"),
        ({"kind": "add_step", "title": "x", "due_in_days": "1.5"}, "due_in_days", "whole"),
        ({"kind": "add_step", "title": "x", "owner": "boss", "due_in_days": 3}, "owner", "owner"),
        ({"kind": "rename"}, "kind", "Choose one of"),
        ({"kind": "remove_step"}, "step", "Choose a step"),
    ],
)
def test_a_bad_change_request_is_refused(company, template, fields, field, message):
    plan = start_plan(company, template)
    if fields["kind"] == "change_measure":
        fields["measure"] = plan.measures.get()
    with pytest.raises(ValidationError) as exc:
        svc.change_request_create(by=company["north_mgr"], plan=plan, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not PlanChangeRequest.objects.exists()


def test_a_measure_of_another_plan_is_not_this_plans(company, template):
    plan = start_plan(company, template)
    other = svc.plan_start(by=company["south_mgr"], rep=company["south_rep"], template=template)
    with pytest.raises(ValidationError, match="Choose a measure of this plan"):
        svc.change_request_create(
            by=company["north_mgr"],
            plan=plan,
            kind="change_measure",
            measure=other.measures.get(),
            threshold="1",
        )


def test_only_admins_decide_and_only_the_manager_asks(company, template):
    plan = start_plan(company, template)
    with pytest.raises(PermissionDenied):
        svc.change_request_create(
            by=company["rep"], plan=plan, kind="add_step", title="x", owner="rep", due_in_days=1
        )
    change = svc.change_request_create(
        by=company["north_mgr"], plan=plan, kind="add_step", title="x", owner="rep", due_in_days=1
    )
    with pytest.raises(PermissionDenied):
        svc.change_request_decide(by=company["north_mgr"], change=change, decision="approve")
    assert list(sel.pending_change_requests_for(user=company["admin"])) == [change]
    assert not sel.pending_change_requests_for(user=company["north_mgr"]).exists()


def test_a_change_to_an_ended_plan_can_only_be_rejected(company, template):
    plan = start_plan(company, template)
    change = svc.change_request_create(
        by=company["north_mgr"], plan=plan, kind="add_step", title="x", owner="rep", due_in_days=1
    )
    svc.plan_end(by=company["north_mgr"], plan=plan, outcome="cancelled", note="Left.")
    with pytest.raises(ValidationError, match="can only be rejected"):
        svc.change_request_decide(by=company["admin"], change=change, decision="approve")
    assert plan.steps.count() == 2


# --- Scope ------------------------------------------------------------------------------------


def test_plans_are_scoped_rep_own_manager_team_admin_all(company, template):
    north = start_plan(company, template)
    south = svc.plan_start(by=company["south_mgr"], rep=company["south_rep"], template=template)
    assert list(sel.plans_visible_to(user=company["rep"])) == [north]
    assert not sel.plans_visible_to(user=company["other_rep"]).exists()
    assert list(sel.plans_visible_to(user=company["north_mgr"])) == [north]
    assert list(sel.plans_visible_to(user=company["south_mgr"])) == [south]
    assert set(sel.plans_visible_to(user=company["admin"])) == {north, south}
