"""Action plan pages (issue 13): two clicks to start a plan, the plan page (steps as tasks,
live measures, check-ins, the end, changes), "My plan", a rep's past plans, templates and
approvals, each scoped (another rep's plan is 404, a role that may not act 403) with a
fixed number of queries."""

import pytest
from django.urls import reverse

from coaching import plan_services as svc
from coaching.models import ActionPlan, PlanChangeRequest, PlanCheckIn, PlanTemplate
from tests.coaching.plan_helpers import kpi, make_template, start_plan, weeks_ago
from tests.factories.coaching import PlanTemplateStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(db):
    return make_template()


def _as(client, user):
    client.force_login(user)
    return client


# --- Starting in two clicks -------------------------------------------------------------------


def test_a_manager_starts_a_plan_in_two_clicks(client, company, template):
    rep = company["rep"]
    _as(client, company["north_mgr"])
    start = reverse("coaching:plan-start", args=[rep.pk])

    choose = client.get(start)  # the page listing the approved templates
    assert choose.status_code == 200
    assert f"?template={template.pk}" in choose.content.decode()

    confirm = client.get(start, {"template": template.pk})  # click 1: the template
    assert "Shadow two calls" in confirm.content.decode()
    assert not ActionPlan.objects.exists()

    response = client.post(start, {"template": template.pk})  # click 2: confirm
    plan = ActionPlan.objects.get(rep=rep)
    assert response.status_code == 302
    assert response["Location"] == reverse("coaching:plan-detail", args=[plan.pk])
    assert plan.steps.count() == 2


def test_a_draft_template_is_not_offered_and_cannot_be_posted(client, company):
    draft = make_template(name="Draft plan", approved_at=None)
    _as(client, company["north_mgr"])
    start = reverse("coaching:plan-start", args=[company["rep"].pk])
    assert "Draft plan" not in client.get(start).content.decode()
    assert client.post(start, {"template": draft.pk}).status_code == 404
    assert not ActionPlan.objects.exists()


def test_starting_for_a_rep_with_a_running_plan_says_why(client, company, template):
    start_plan(company, template)
    _as(client, company["north_mgr"])
    response = client.post(
        reverse("coaching:plan-start", args=[company["rep"].pk]), {"template": template.pk}
    )
    assert response.status_code == 400
    assert "already has an active plan" in response.content.decode()
    assert ActionPlan.objects.count() == 1


@pytest.mark.parametrize("who, status", [("south_mgr", 404), ("other_rep", 403), ("rep", 403)])
def test_only_the_reps_manager_or_an_admin_reaches_the_start_page(
    client, company, template, who, status
):
    _as(client, company[who])
    url = reverse("coaching:plan-start", args=[company["rep"].pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"template": template.pk}).status_code == status
    assert not ActionPlan.objects.exists()


# --- The plan page ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("rep", 200), ("other_rep", 404), ("north_mgr", 200), ("south_mgr", 404), ("admin", 200)],
)
def test_the_plan_page_permission_matrix(client, company, template, who, status):
    plan = start_plan(company, template)
    _as(client, company[who])
    assert client.get(reverse("coaching:plan-detail", args=[plan.pk])).status_code == status


def test_the_plan_page_shows_steps_as_tasks_and_live_figures(client, company, template):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=1)
    kpi(rep, weeks_ago(rep, 1), calls=84)
    first = plan.steps.get(owner="rep").task
    svc_done(first, rep)

    body = _as(client, rep).get(reverse("coaching:plan-detail", args=[plan.pk])).content.decode()
    assert "1 of 2 done" in body
    assert f'data-week="{weeks_ago(rep, 1)}"' in body and "84 ✓" in body
    assert "Calls per week ≥ 80 for 2 weeks" in body
    assert 'id="check-in-form"' not in body  # the rep reads, the manager writes
    assert 'id="end-plan-form"' not in body


def svc_done(task, user):
    from activities.services import task_complete

    task_complete(task=task, by=user)


def test_the_plan_page_runs_a_fixed_number_of_queries(
    client, company, template, django_assert_max_num_queries
):
    rep = company["rep"]
    for _ in range(10):
        PlanTemplateStepFactory(template=template)
    plan = start_plan(company, template, weeks_back=8)
    for n in range(9):
        kpi(rep, weeks_ago(rep, n), calls=70 + 2 * n)
    for n in range(1, 6):
        svc.check_in_write(by=company["north_mgr"], plan=plan, week=weeks_ago(rep, n), note="ok")
    url = reverse("coaching:plan-detail", args=[plan.pk])
    _as(client, company["north_mgr"]).get(url)

    # session, user, team; plan, steps+tasks, measures, check-ins, change requests, KPI rows
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].steps) == 12
    assert len(response.context["page"].check_ins) == 5


def test_the_manager_logs_a_check_in_from_the_page(client, company, template):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=1)
    kpi(rep, weeks_ago(rep, 0), calls=91)
    _as(client, company["north_mgr"])
    response = client.post(
        reverse("coaching:plan-check-in", args=[plan.pk]),
        {"week": weeks_ago(rep, 0), "note": "Calls are up."},
    )
    assert response.status_code == 302
    assert PlanCheckIn.objects.get(plan=plan).figures == {"calls": "91"}


def test_a_bad_check_in_comes_back_with_the_message_and_saves_nothing(client, company, template):
    plan = start_plan(company, template)
    _as(client, company["north_mgr"])
    response = client.post(
        reverse("coaching:plan-check-in", args=[plan.pk]), {"week": "soon", "note": ""}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "not an ISO week" in body and "Write what you discussed" in body
    assert not PlanCheckIn.objects.exists()


@pytest.mark.parametrize("who, status", [("rep", 403), ("south_mgr", 404), ("other_rep", 404)])
def test_who_may_not_check_in_or_end(client, company, template, who, status):
    plan = start_plan(company, template)
    _as(client, company[who])
    week = weeks_ago(company["rep"], 0)
    check_in = reverse("coaching:plan-check-in", args=[plan.pk])
    end = reverse("coaching:plan-end", args=[plan.pk])
    assert client.post(check_in, {"week": week, "note": "x"}).status_code == status
    assert client.post(end, {"outcome": "cancelled", "note": "x"}).status_code == status
    assert not PlanCheckIn.objects.exists()
    assert ActionPlan.objects.get(pk=plan.pk).status == "active"


def test_met_is_offered_only_when_the_measures_are_met(client, company, template):
    rep = company["rep"]
    plan = start_plan(company, template, weeks_back=1)
    url = reverse("coaching:plan-detail", args=[plan.pk])
    _as(client, company["north_mgr"])
    assert [v for v, _ in client.get(url).context["endings"]] == ["not_met", "cancelled"]

    kpi(rep, weeks_ago(rep, 1), calls=80)
    kpi(rep, weeks_ago(rep, 0), calls=81)
    assert [v for v, _ in client.get(url).context["endings"]] == ["met", "not_met", "cancelled"]
    response = client.post(
        reverse("coaching:plan-end", args=[plan.pk]), {"outcome": "met", "note": "Back on goal."}
    )
    assert response.status_code == 302
    assert ActionPlan.objects.get(pk=plan.pk).status == "met"


def test_asking_for_a_change_from_the_page_waits_for_approval(client, company, template):
    plan = start_plan(company, template)
    measure = plan.measures.get()
    _as(client, company["north_mgr"])
    url = reverse("coaching:plan-change", args=[plan.pk])
    bad = client.post(url, {"kind": "change_measure", "measure": measure.pk, "threshold": "x"})
    assert bad.status_code == 400 and "as a number" in bad.content.decode()
    good = client.post(url, {"kind": "change_measure", "measure": measure.pk, "threshold": "70"})
    assert good.status_code == 302
    change = PlanChangeRequest.objects.get()
    assert change.status == "pending"
    measure.refresh_from_db()
    assert measure.threshold == 80


# --- My plan, history ---------------------------------------------------------------------------


def test_my_plan_shows_the_running_plan_and_the_past_ones(client, company, template):
    old = start_plan(company, template, weeks_back=10)
    svc.plan_end(by=company["north_mgr"], plan=old, outcome="not_met", note="Missed.")
    current = start_plan(company, template, weeks_back=1)
    response = _as(client, company["rep"]).get(reverse("coaching:my-plan"))
    assert response.context["plan"] == current
    assert response.context["past"] == [old]


def test_my_plan_without_a_plan(client, company):
    body = _as(client, company["rep"]).get(reverse("coaching:my-plan")).content.decode()
    assert 'id="no-plan"' in body


@pytest.mark.parametrize(
    "who, status",
    [("rep", 200), ("other_rep", 404), ("north_mgr", 200), ("south_mgr", 404), ("admin", 200)],
)
def test_a_reps_past_plans_page_is_scoped(client, company, template, who, status):
    start_plan(company, template)
    _as(client, company[who])
    assert client.get(reverse("coaching:rep-plans", args=[company["rep"].pk])).status_code == status


def test_the_plan_panel_is_on_the_reps_numbers_page(client, company, template):
    start_plan(company, template)
    body = _as(client, company["rep"]).get(reverse("reports:dashboard")).content.decode()
    assert 'id="rep-plan"' in body and "Activity ramp" in body
    body = (
        _as(client, company["north_mgr"])
        .get(reverse("reports:rep-dashboard", args=[company["other_rep"].pk]))
        .content.decode()
    )
    assert reverse("coaching:plan-start", args=[company["other_rep"].pk]) in body


# --- Templates and approvals --------------------------------------------------------------------


def test_an_admin_builds_and_approves_a_template_from_the_pages(client, company):
    _as(client, company["admin"])
    response = client.post(
        reverse("coaching:template-list"), {"name": "Joint", "kind": "joint_visits"}
    )
    template = PlanTemplate.objects.get(name="Joint")
    url = reverse("coaching:template-detail", args=[template.pk])
    assert response["Location"] == url
    bad = client.post(
        url,
        {
            "part": "measure",
            "metric": "visits",
            "comparison": "gte",
            "threshold": "x",
            "weeks": "2",
        },
    )
    assert bad.status_code == 400 and "Give the threshold as a number" in bad.content.decode()
    client.post(
        url, {"part": "step", "title": "Two joint visits", "owner": "manager", "due_in_days": "14"}
    )
    client.post(
        url,
        {
            "part": "measure",
            "metric": "visits",
            "comparison": "gte",
            "threshold": "3",
            "weeks": "2",
        },
    )
    client.post(url, {"part": "approve"})
    template.refresh_from_db()
    assert template.is_approved and template.steps.count() == 1 and template.measures.count() == 1


def test_managers_read_templates_but_do_not_build_them(client, company, template):
    _as(client, company["north_mgr"])
    assert client.get(reverse("coaching:template-list")).status_code == 200
    response = client.post(reverse("coaching:template-list"), {"name": "Mine", "kind": "training"})
    assert response.status_code == 403
    assert not PlanTemplate.objects.filter(name="Mine").exists()
    _as(client, company["rep"])
    assert client.get(reverse("coaching:template-list")).status_code == 403


def test_the_approver_decides_a_change_on_the_approvals_page(client, company, template):
    plan = start_plan(company, template)
    change = svc.change_request_create(
        by=company["north_mgr"],
        plan=plan,
        kind="add_step",
        title="Call review",
        owner="manager",
        due_in_days=3,
    )
    _as(client, company["admin"])
    page = client.get(reverse("coaching:approvals"))
    assert "Add step “Call review”" in page.content.decode()
    decide = reverse("coaching:change-decide", args=[change.pk])
    client.post(decide, {"decision": "approve", "comment": "Fine."})
    change.refresh_from_db()
    assert change.status == "approved" and plan.steps.filter(title="Call review").exists()

    # a manager sees the state but cannot decide
    _as(client, company["north_mgr"])
    assert "Approved" in client.get(reverse("coaching:approvals")).content.decode()
    other = svc.change_request_create(
        by=company["north_mgr"],
        plan=plan,
        kind="add_step",
        title="More",
        owner="rep",
        due_in_days=3,
    )
    assert (
        client.post(
            reverse("coaching:change-decide", args=[other.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    other.refresh_from_db()
    assert other.status == "pending"


def test_navigation_links_the_plan_pages_per_role(client, company):
    def labels(user):
        return [i["label"] for i in _as(client, user).get("/").context["nav_items"]]

    assert "My plan" in labels(company["rep"]) and "Plans" not in labels(company["rep"])
    assert "Plans" in labels(company["north_mgr"]) and "Approvals" not in labels(
        company["north_mgr"]
    )
    assert {"Plans", "Approvals"} <= set(labels(company["admin"]))


def test_the_admins_dashboard_says_how_many_plan_changes_wait(client, company, template):
    plan = start_plan(company, template)
    _as(client, company["admin"])
    assert (
        'id="plan-approvals-notice"'
        not in client.get(reverse("reports:dashboard")).content.decode()
    )
    svc.change_request_create(
        by=company["north_mgr"], plan=plan, kind="add_step", title="x", owner="rep", due_in_days=1
    )
    body = client.get(reverse("reports:dashboard")).content.decode()
    assert "1 action-plan change waits for your decision" in body
    # the manager who asked does not decide: no notice on their dashboard
    body = _as(client, company["north_mgr"]).get(reverse("reports:dashboard")).content.decode()
    assert 'id="plan-approvals-notice"' not in body
