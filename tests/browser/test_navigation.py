"""Journey: people log in through the real login form and find their way around."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories.accounts import PASSWORD, RepFactory

pytestmark = pytest.mark.browser

EVERYONE = ["Home", "Customers", "Pipeline", "Deals", "Import"]


def test_a_rep_logs_in_and_sees_the_rep_navigation(page, login, company):
    # Given rep_a at the login form
    # When they log in with their password
    login(page, "rep_a", PASSWORD)
    # Then they land on their home page with the rep's navigation and no admin tools
    expect(page).to_have_url(re.compile(r"/$"))
    rep = company["rep"]
    expect(page.locator(".who .user-name")).to_have_text(rep.get_full_name())
    nav = page.get_by_role("navigation", name="Main")
    for label in EVERYONE:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    expect(nav.get_by_role("link", name="API docs")).to_have_count(0)
    expect(page.locator(".who .badge")).to_have_text("rep")


def test_a_manager_logs_in_and_also_sees_the_api_docs(page, login, company):
    login(page, "north_mgr", PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    for label in [*EVERYONE, "API docs"]:
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    expect(page.get_by_text("You lead North")).to_be_visible()
    # And the navigation leads somewhere real
    nav.get_by_role("link", name="Customers").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(nav.get_by_role("link", name="Customers")).to_have_attribute("aria-current", "page")


def test_an_inactive_user_is_refused_at_the_login_form(page, login, transactional_db):
    # Given a rep whose access was shut on their last day
    RepFactory(username="gone", is_active=False)
    # When they try to log in with their old password
    login(page, "gone", PASSWORD)
    # Then they stay on the login page, are told why, and see no navigation
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("no longer active")
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_logging_out_returns_to_the_login_page_and_locks_the_pages(page, login, company):
    login(page, "rep_a", PASSWORD)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/deals/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/deals/$"))
