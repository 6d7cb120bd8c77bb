"""Browser journey of the notice period (issue 12): an admin starts a handover with a 30-day
notice; the departing rep finds no customer list, only the sentence saying why, yet still
opens their own customer; the admin locks access now from the handover page and the rep's
next click lands on the login page."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from handover.models import Handover
from tests.factories.accounts import PASSWORD
from tests.factories.crm import CustomerFactory

NOTICE = "Your access is limited during your notice period; ask your manager."


def test_a_leaving_rep_is_limited_then_locked_out(page, login, company, browser, app_url):
    # given: rep_a owns two customers and is still at work
    leaver = company["rep"]
    own = CustomerFactory(owner=leaver, name="Keystone Foods")
    CustomerFactory(owner=leaver, name="Corner Shop")
    rep_context = browser.new_context(base_url=app_url)
    rep_page = rep_context.new_page()
    login(rep_page, leaver.username, PASSWORD)
    rep_page.goto("/customers/")
    expect(rep_page.locator("#customer-table")).to_contain_text("Corner Shop")

    # when: the admin starts a handover with a 30-day notice
    login(page, "admin", PASSWORD)
    page.goto("/handovers/")
    form = page.locator("#start-handover")
    form.get_by_label("Departing rep").select_option(str(leaver.pk))
    last_day = timezone.localdate() + timedelta(days=30)
    form.get_by_label("Last working day").fill(last_day.isoformat())
    form.get_by_label("Why they leave").select_option("no_growth")
    form.get_by_role("button", name="Start a handover").click()
    expect(page.locator(".messages")).to_contain_text("started")
    handover = Handover.objects.get(departing_rep=leaver)

    # then: the rep's customer list shows the sentence instead of the rows
    rep_page.goto("/customers/")
    expect(rep_page.locator("#notice-limited")).to_contain_text(NOTICE)
    expect(rep_page.locator("body")).not_to_contain_text("Corner Shop")
    # ... but their own customer still opens (from the link a colleague sent, say)
    rep_page.goto(f"/customers/{own.pk}/")
    expect(rep_page.locator("h1")).to_contain_text("Keystone Foods")

    # the admin sees what the rep opened today and locks access now
    page.goto(f"/handovers/{handover.pk}/")
    expect(page.locator("#notice-days")).to_contain_text("1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#lock-now").get_by_role("button", name="Lock now").click()
    expect(page.locator(".messages")).to_contain_text("is locked out")
    expect(page.locator("#locked-note")).to_contain_text("Access ended at once")

    # the rep's next click signs them out
    rep_page.goto(f"/customers/{own.pk}/")
    expect(rep_page).to_have_url(f"{app_url}/accounts/login/?next=/customers/{own.pk}/")
    rep_context.close()
