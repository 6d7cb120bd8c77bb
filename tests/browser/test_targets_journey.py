"""Journey: a manager sets a rep's quotas in the yearly grid, rolls the quarters up, and the
rep then finds them read-only under Targets."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.browser


def test_manager_sets_quotas_and_the_rep_reads_them(page, login, company):
    rep = company["rep"]
    # Given the North manager on the targets overview
    login(page, "north_mgr", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Targets").click()
    expect(page).to_have_url(re.compile(r"/targets/$"))
    page.locator(f"#rep-{rep.pk}").get_by_role("link", name="Quotas").click()
    # When they enter January to March and ask for the quarters to be rolled up
    year = re.search(r"year=(\d{4})", page.url).group(1)
    for month in ("01", "02", "03"):
        page.locator(f'input[name="month-{year}-{month}-01-revenue"]').fill("1000")
    page.get_by_label("Roll quarters up from months").check()
    page.get_by_role("button", name="Save quotas").click()
    # Then they are told it is saved and Q1 shows the sum, marked rolled up
    expect(page.locator(".msg-success")).to_contain_text("saved")
    q1 = page.locator(f"#quota-quarter-{year}-01")
    expect(q1.locator("input").first).to_have_value("3000.00")
    expect(q1.get_by_text("rolled up")).to_be_visible()
    # And the rep sees the same figures, read-only
    page.get_by_role("button", name="Log out").click()
    login(page, "rep_a", PASSWORD)
    page.goto(f"/targets/quotas/{rep.pk}/?year={year}")
    expect(page.get_by_text("read-only")).to_be_visible()
    expect(page.locator(f"#quota-quarter-{year}-01")).to_contain_text("3000")
    expect(page.get_by_role("button", name="Save quotas")).to_have_count(0)
