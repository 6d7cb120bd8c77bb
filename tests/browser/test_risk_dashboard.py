"""Browser: the weekly KPI job flags a rep whose key customer went quiet, and their manager
sees them first on the dashboard with the reason in words and a sparkline (issue 13); the
other team's manager does not. No script runs for it (strict CSP: the page fixture fails
on any violation)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from activities.models import Activity
from crm.models import Customer
from reports.kpis import compute_weekly_kpis
from tests.factories.accounts import PASSWORD
from tests.factories.crm import CustomerFactory

WEEK = "2026-W47"  # Sunday 22 Nov 2026


def test_a_manager_sees_the_flagged_rep_first_with_the_reason(page, login, company):
    # given: rep_a's key customer Acme was last visited on 12 Oct, 41 days before W47's end
    rep = company["rep"]
    rep.first_name, rep.last_name = "Ann", "Able"
    rep.save()
    acme = CustomerFactory(owner=rep, name="Acme")
    Customer.objects.filter(pk=acme.pk).update(
        is_key=True, created_at=datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC"))
    )
    visit = datetime(2026, 10, 12, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    Activity.objects.create(
        owner=rep, customer=acme, kind="visit", occurred_at=visit, week="2026-W42"
    )
    for n in range(8):  # earlier weeks computed too: the sparkline has rows to draw
        compute_weekly_kpis(week=f"2026-W{40 + n:02d}", team=company["north"])

    # when: the North manager opens the dashboard for W47
    login(page, "north_mgr", PASSWORD)
    page.goto(f"/dashboard/?week={WEEK}")

    # then: the at-risk card comes first, with rep_a, the reason and a sparkline
    at_risk = page.locator("#at-risk")
    expect(at_risk).to_be_visible()
    item = at_risk.locator(f"#risk-{rep.pk}")
    expect(item).to_contain_text("Ann Able")
    expect(item).to_contain_text("No activity on key customer Acme for 41 days")
    expect(item.locator("svg.sparkline polyline.spark-line")).to_have_count(1)
    assert at_risk.bounding_box()["y"] < page.locator(".kpi-tiles").bounding_box()["y"]

    # and the drill-down link opens the rep's page, which shows the flag too
    item.get_by_role("link", name="Ann Able").click()
    expect(page.locator("#at-risk")).to_contain_text("Acme for 41 days")

    # the South manager sees nobody at risk
    page.context.clear_cookies()
    login(page, "south_mgr", PASSWORD)
    page.goto(f"/dashboard/?week={WEEK}")
    expect(page.locator("#at-risk")).to_contain_text(f"Nobody flagged for {WEEK}.")
