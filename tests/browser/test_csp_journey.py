"""Journeys under the Content-Security-Policy (issue 12): the check in conftest sees what the
policy blocks; the behaviours that used to be inline handlers (auto-submitting selects,
confirmed forms) work from static/js/forms.js; an admin exports and erases a contact."""

import json
from pathlib import Path

from playwright.sync_api import expect

from crm.models import Contact
from tests.factories.accounts import PASSWORD
from tests.factories.crm import ContactFactory, CustomerFactory

INJECT_INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__inlineRan = true";
  document.head.appendChild(script);
}"""


def test_the_policy_blocks_an_inline_script_and_the_check_reports_it(page, csp_violations):
    # Given a page of the app
    page.goto("/accounts/login/")
    # When something adds an inline script to it
    page.evaluate(INJECT_INLINE_SCRIPT)
    # Then the browser refuses to run it and the harness has recorded the violation
    page.wait_for_timeout(200)
    assert page.evaluate("window.__inlineRan === undefined")
    assert any("inline script" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # expected here; any other journey would fail on it


def test_a_manager_switches_rep_by_choosing_in_the_select(page, login, company):
    login(page, "north_mgr", PASSWORD)
    page.goto("/week/")
    other = company["other_rep"]
    with page.expect_navigation():
        page.select_option("#week-rep", str(other.pk))
    assert f"rep={other.pk}" in page.url


def test_admin_keeps_a_contact_on_cancel_then_exports_and_erases_it(page, login, company):
    customer = CustomerFactory(name="Keller Tools", owner=company["rep"])
    contact = ContactFactory(customer=customer, first_name="Jana", last_name="Keller")
    login(page, "admin", PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    contacts = page.locator("ul.contacts")

    # Given the delete confirmation, when the admin cancels it, the contact stays
    page.once("dialog", lambda dialog: dialog.dismiss())
    contacts.get_by_role("button", name="Delete").click()
    expect(contacts).to_contain_text("Jana Keller")
    assert Contact.objects.filter(pk=contact.pk).exists()

    # When the admin downloads the contact's personal data, it is the JSON of that person
    with page.expect_download() as download:
        contacts.get_by_role("link", name="Personal data").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["contact"]["first_name"] == "Jana"

    # When they erase the contact and confirm
    contacts.get_by_role("link", name="Erase…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Erase the personal data")
    page.get_by_role("button", name="Erase personal data").click()

    # Then the customer page shows the erased contact, once
    expect(page.locator(".messages")).to_contain_text("personal data was erased")
    expect(contacts).to_contain_text(f"Erased contact #{contact.pk}")
    expect(contacts.locator(".badge", has_text="erased")).to_be_visible()
    expect(contacts.get_by_role("link", name="Erase…")).to_have_count(0)
