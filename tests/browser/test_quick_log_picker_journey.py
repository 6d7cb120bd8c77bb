"""Journey: on "My week" a rep finds a customer by name in the quick-log picker (a short
list plus a search box, not the whole portfolio) and logs a call to them."""

from playwright.sync_api import expect

from activities.models import Activity
from tests.factories.accounts import PASSWORD
from tests.factories.crm import CustomerFactory


def test_rep_finds_a_customer_by_name_and_logs_a_call_from_my_week(page, login, company):
    rep = company["rep"]
    for i in range(40):
        CustomerFactory(owner=rep, name=f"Portfolio {i:02d}")
    target = CustomerFactory(owner=rep, name="Quince Logistics")
    login(page, "rep_a", PASSWORD)

    # Given My week, whose customer picker starts with a short list (nothing touched yet)
    page.goto("/week/")
    picker = page.locator("#quick-log select[name=customer]")
    expect(picker.locator("option")).to_have_count(1)

    # When the rep types part of the name and picks the match
    page.get_by_label("Find a customer").fill("quince")
    expect(picker.locator("option", has_text="Quince Logistics")).to_have_count(1)
    picker.select_option(label="Quince Logistics")
    # (choosing a customer reloads the form with that customer's contacts and deals)
    expect(page.locator("#quick-log select[name=contact] option").first).to_have_text("—")
    page.get_by_label("Call", exact=True).check()
    page.get_by_label("Notes").fill("Found them through the search box")
    page.get_by_role("button", name="Log it").click()

    # Then the call is logged to that customer and My week counts it
    expect(page.locator("#quick-log")).to_contain_text("Call with Quince Logistics logged")
    expect(page.get_by_text("Nothing logged yet.")).to_be_hidden()
    logged = Activity.objects.get(owner=rep)
    assert (logged.customer, logged.notes) == (target, "Found them through the search box")
    page.goto("/week/")
    expect(page.locator("#metric-calls .metric-actual")).to_have_text("1")
