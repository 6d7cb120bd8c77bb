"""The Security page in a real browser (issue 12): a rep signed in on two browsers creates
an API token, copies its key, then signs the other browser out."""

import re

from playwright.sync_api import expect

from tests.factories.accounts import PASSWORD


def test_a_rep_creates_a_token_and_signs_out_their_other_browser(
    page, browser, app_url, login, company
):
    # Given the rep is signed in here and on a second browser
    other = browser.new_context(base_url=app_url).new_page()
    login(other, "rep_a", PASSWORD)
    login(page, "rep_a", PASSWORD)
    # When they open Security from the header
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Security")).to_be_visible()
    sessions = page.locator("#sessions tbody tr")
    expect(sessions).to_have_count(2)
    expect(sessions.filter(has_text="this browser")).to_have_count(1)
    # and create a token: its key is shown once
    page.get_by_label("Name").fill("Laptop script")
    page.get_by_role("button", name="Create a token").click()
    key = page.locator(".token-key").inner_text()
    assert re.fullmatch(r"[\w-]{40,}", key)
    expect(page.locator("#tokens tbody")).to_contain_text("Laptop script")
    # and sign out every other session
    page.get_by_role("button", name="Sign out all other sessions").click()
    expect(page.get_by_role("status")).to_contain_text("Signed out 1 other session.")
    expect(page.locator("#sessions tbody tr")).to_have_count(1)
    expect(page.locator(".token-key")).to_have_count(0)
    # Then the other browser is signed out at its next request
    other.goto("/accounts/security/")
    expect(other).to_have_url(re.compile(r"/accounts/login/"))
    other.context.close()
