"""Journey of an action plan (issue 13): the weekly KPI job flags a rep who misses the call
goal week after week; the manager sees the flag on the dashboard, starts a plan from an
approved template in two clicks, the rep finds it under "My plan", the manager logs a
check-in (the week's figures frozen beside it), the rep's calls come back and the plan
ends met."""

from playwright.sync_api import expect

from activities.selectors import current_week
from activities.weeks import shift_week
from coaching.models import ActionPlan
from reports.kpis import compute_weekly_kpis
from reports.models import ActivityGoal, RiskFlag, WeeklyKPI
from tests.coaching.plan_helpers import make_template
from tests.factories.accounts import PASSWORD


def test_a_manager_acts_on_a_flagged_rep_with_a_pre_approved_plan(
    page, login, company, browser, app_url
):
    # given: the North team's goal is 100 calls a week and rep_a logs none, four weeks on end;
    # the weekly KPI job computes those weeks and flags rep_a (activity rule)
    rep, manager = company["rep"], company["north_mgr"]
    ActivityGoal.objects.create(team=company["north"], calls=100, set_by=manager)
    week = current_week(user=rep)
    for back in (3, 2, 1, 0):
        compute_weekly_kpis(week=shift_week(week, -back), team=company["north"])
    assert RiskFlag.objects.filter(rep=rep, week=week, rule="activity").exists()
    # ... and an admin approved an "activity ramp" template once (calls ≥ 80 for 1 week)
    template = make_template(name="Back to the call goal")
    template.measures.update(weeks=1)

    # the manager sees the flagged rep on the dashboard and starts a plan: choose → confirm
    login(page, manager.username, PASSWORD)
    page.goto("/dashboard/")
    flagged = page.locator(f"#risk-{rep.pk}")
    expect(flagged).to_contain_text("Under the activity goal")
    flagged.get_by_role("link", name="Start a plan").click()
    page.get_by_role("link", name="Back to the call goal").click()  # click 1
    expect(page.locator("#confirm-plan")).to_contain_text("Shadow two calls")
    page.get_by_role("button", name="Start this plan").click()  # click 2
    expect(page.locator(".messages")).to_contain_text("started")
    expect(page.locator("#plan-status")).to_have_text("Active")
    plan = ActionPlan.objects.get(rep=rep)
    assert plan.steps.filter(task__isnull=False).count() == 2

    # the rep sees it under "My plan": the steps as tasks and the measure with its figure
    rep_context = browser.new_context(base_url=app_url)
    rep_page = rep_context.new_page()
    login(rep_page, rep.username, PASSWORD)
    rep_page.get_by_role("link", name="My plan").click()
    expect(rep_page.locator("h1")).to_contain_text("Back to the call goal")
    expect(rep_page.locator("#plan-steps")).to_contain_text("Shadow two calls")
    expect(rep_page.locator("#plan-measures")).to_contain_text("Calls per week ≥ 80 for 1 week")
    expect(rep_page.locator("#check-in-form")).to_have_count(0)

    # the manager logs this week's check-in: the figures of the week are frozen beside it
    page.locator("#check-in-note").fill("Agreed on 20 calls a day; shadowing Tuesday.")
    page.get_by_role("button", name="Save check-in").click()
    check_in = page.locator(f"#check-in-{week}")
    expect(check_in).to_contain_text("Agreed on 20 calls a day")
    expect(check_in).to_contain_text("Calls per week: 0")
    expect(page.locator("#end-outcome option[value='met']")).to_have_count(0)

    # the calls come back: the week is recomputed with 85 calls
    WeeklyKPI.objects.filter(rep=rep, week=week).update(calls=85)
    page.reload()
    expect(page.locator("#measures-status")).to_have_text("all met")
    expect(page.locator(f"#check-in-{week}")).to_contain_text("Calls per week: 0")  # frozen

    # the manager ends the plan as met
    page.locator("#end-outcome").select_option("met")
    page.locator("#end-note").fill("Back above the goal.")
    page.get_by_role("button", name="End plan").click()
    expect(page.locator("#plan-status")).to_have_text("Met")
    assert ActionPlan.objects.get(pk=plan.pk).status == "met"

    # the rep's history keeps it
    rep_page.goto("/coaching/plans/mine/")
    expect(rep_page.locator("#no-plan")).to_be_visible()
    expect(rep_page.locator("#past-plans")).to_contain_text("Back to the call goal")
    expect(rep_page.locator("#past-plans")).to_contain_text("Met")
    rep_context.close()
