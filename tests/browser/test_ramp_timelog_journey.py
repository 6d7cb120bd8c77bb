"""Browser journey of the onboarding ramp and the manager's time log (issue 13): the manager
gives a new rep a buddy and starts their checklist, the rep checks an item off on "My ramp";
the manager logs time and their monthly report draws the coaching share against the target
(Chart.js from a static file, under the strict CSP)."""

from django.utils import timezone
from playwright.sync_api import expect

from coaching.models import RampChecklistItem, TimeEntry
from tests.factories.accounts import PASSWORD


def test_manager_ramps_a_new_rep_and_logs_coaching_time(page, login, company):
    rep, buddy = company["rep"], company["other_rep"]
    rep.start_date = timezone.localdate()
    rep.save(update_fields=["start_date"])

    # the manager sees the new rep on the ramp page, gives a buddy and starts the checklist
    login(page, "north_mgr", PASSWORD)
    page.goto("/ramp/")
    row = page.locator(f'#ramp-table tr[data-rep="{rep.username}"]')
    expect(row).to_contain_text("40%")
    row.get_by_role("link", name=str(rep)).click()
    page.get_by_label("Choose a buddy").select_option(str(buddy.pk))
    page.get_by_role("button", name="Save buddy").click()
    expect(page.locator("#ramp-buddy")).to_contain_text(str(buddy))
    page.get_by_role("button", name="Start the checklist from the team template").click()
    expect(page.locator("#ramp-checklist")).to_contain_text("First solo visit")

    # the manager logs 1.5 hours of coaching and opens the monthly report
    page.goto("/time/")
    page.get_by_label("Hours").fill("1.5")
    page.get_by_label("Category").select_option("coaching")
    page.get_by_label("Note").fill("Ride-along with the new rep")
    page.get_by_role("button", name="Log time").click()
    expect(page.locator("#time-entries")).to_contain_text("Ride-along with the new rep")
    assert TimeEntry.objects.get().minutes == 90
    page.get_by_role("link", name="Monthly report →").click()
    expect(page.locator("#coaching-share")).to_contain_text("100.0%")
    page.wait_for_function("() => window.timelogChart !== undefined")
    legend = page.evaluate("() => window.timelogChart.data.datasets.map((d) => d.label)")
    assert legend == ["Coaching share (%)", "Target (40%)"]  # from the page, so translated

    # the rep checks an item off on "My ramp"
    page.context.clear_cookies()
    login(page, "rep_a", PASSWORD)
    page.goto("/ramp/me/")
    expect(page.locator("#ramp-status")).to_contain_text("Ramp week 1: 40% of the team goal")
    page.get_by_role("button", name="Check off First solo visit").click()
    expect(page.locator("#ramp-checklist")).to_contain_text("1 / 3")
    item = RampChecklistItem.objects.get(rep=rep, title="First solo visit")
    assert item.done_by == rep
