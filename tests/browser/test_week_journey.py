"""Journey: a rep logs a call from the customer page without a reload, finds it in the
timeline and in "My week", submits the week's call report; the manager returns it with a
comment and the rep sees why."""

from playwright.sync_api import expect

from activities.models import Activity, WeeklyCallReport
from tests.factories.accounts import PASSWORD
from tests.factories.crm import CustomerFactory


def test_log_a_call_then_submit_and_have_the_report_returned(page, login, company, browser):
    customer = CustomerFactory(name="Juniper Tools", owner=company["rep"])
    login(page, "rep_a", PASSWORD)

    # Given the rep on the customer's page
    page.goto(f"/customers/{customer.pk}/")
    page.evaluate("window.__sameDocument = true")

    # When they log a call with a note from the quick-log form
    page.get_by_label("Call", exact=True).check()
    page.get_by_label("Notes").fill("Asked about the spring order")
    page.get_by_role("button", name="Log it").click()

    # Then it appears in the timeline in place, without a page load
    timeline = page.locator("#timeline-list")
    expect(timeline).to_contain_text("Asked about the spring order")
    assert page.evaluate("window.__sameDocument") is True
    assert Activity.objects.filter(customer=customer, kind="call").count() == 1

    # And "My week" counts it
    page.goto("/week/")
    expect(page.locator("#metric-calls .metric-actual")).to_have_text("1")

    # When the rep comments on and submits this week's call report
    page.goto("/reports/calls/")
    expect(page.locator('[data-figure="calls"]')).to_have_text("1")
    page.get_by_label("Your comments").fill("Quiet week, spring orders coming.")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    report = WeeklyCallReport.objects.get(rep=company["rep"])
    assert report.status == "submitted"

    # And the manager, in their own browser session, returns it with a comment
    manager_context = browser.new_context(base_url=page.url.split("/reports")[0])
    manager = manager_context.new_page()
    login(manager, "north_mgr", PASSWORD)
    manager.goto("/reports/calls/team/")
    manager.get_by_role("link", name="Review").click()
    manager.get_by_label("Return with a comment").fill("Please add the visits you made.")
    manager.get_by_role("button", name="Return to rep").click()
    expect(manager.locator("body")).to_contain_text("Returned")
    manager_context.close()

    # Then the rep sees the report returned, with the manager's comment, and can edit it again
    page.goto("/reports/calls/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Returned")
    expect(page.locator("body")).to_contain_text("Please add the visits you made.")
    expect(page.get_by_role("button", name="Submit report")).to_be_enabled()
    assert WeeklyCallReport.objects.get(pk=report.pk).status == "returned"
