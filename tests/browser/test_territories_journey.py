"""Browser journey of territories and recognition (issue 13): a manager creates a territory,
re-assigns the team's customers by its rules and sees how many moved, finds the territory
on the customer list, pins another one on a customer's page; then hides the leaderboard,
and the rep sees the note instead of the table."""

from playwright.sync_api import expect

from crm.models import Customer
from tests.factories.accounts import PASSWORD
from tests.factories.crm import CustomerFactory, territory


def test_manager_places_customers_by_territory_and_hides_the_leaderboard(
    page, login, company, browser, app_url
):
    inside = CustomerFactory(owner=company["rep"], name="Isar Tools", postal_code="80331")
    CustomerFactory(owner=company["rep"], name="Spree Media", postal_code="10115")
    rest = territory(team=company["north"], name="Rest of North", priority=900)

    login(page, "north_mgr", PASSWORD)
    page.goto("/territories/new/")
    page.get_by_label("Name").fill("Munich")
    page.get_by_label("Priority").fill("10")
    page.get_by_label("Postal prefixes").fill("80\n81")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Munich")

    page.once("dialog", lambda dialog: dialog.accept())  # data-confirm asks first
    page.get_by_role("button", name="Re-assign North by rules").click()
    expect(page.locator(".messages")).to_contain_text("1 customer changed")
    expect(page.locator("#territory-table")).to_contain_text("Postal-code prefix: 80")

    page.get_by_role("link", name="Munich").click()
    expect(page.locator("#customer-table")).to_contain_text("Isar Tools")
    expect(page.locator("#customer-table")).not_to_contain_text("Spree Media")

    page.goto(f"/customers/{inside.pk}/")
    expect(page.locator("#customer-territory")).to_contain_text("Munich")
    page.get_by_label("Pin territory").select_option(str(rest.pk))
    page.get_by_role("button", name="Pin", exact=True).click()
    expect(page.locator("#customer-territory")).to_contain_text("Rest of North")
    expect(page.locator("#customer-territory")).to_contain_text("chosen by hand")
    assert Customer.objects.get(pk=inside.pk).territory_manual

    page.goto("/leaderboard/")
    expect(page.locator("#leaderboard-table")).to_contain_text(str(company["rep"]))
    page.get_by_label("Hide from the team's reps").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("saved")

    rep_context = browser.new_context(base_url=app_url)
    rep_page = rep_context.new_page()
    login(rep_page, "rep_a", PASSWORD)
    rep_page.goto("/leaderboard/")
    expect(rep_page.locator("#leaderboard-hidden")).to_be_visible()
    expect(rep_page.locator("#leaderboard-table")).to_have_count(0)
    rep_context.close()
