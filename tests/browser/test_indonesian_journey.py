"""Journey (issue 14): a rep whose profile says Bahasa Indonesia signs in, finds the
navigation and their pages in Indonesian, logs a call with the quick log and reads the
confirmation in Indonesian; then switches to Nederlands in the header and sees Dutch.

The header and navigation are asserted word for word. The quick log's texts belong to the
activities pages: they are looked up in the compiled catalogue (what the page must show
in Indonesian), so the journey also holds while a translation is still being written."""

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from activities.models import Activity
from tests.factories.accounts import PASSWORD
from tests.factories.crm import CustomerFactory


def tr(lang: str, msgid: str, context: str = "") -> str:
    with translation.override(lang):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def test_a_rep_works_in_indonesian_and_switches_to_dutch(page, login, company):
    rep = company["rep"]
    rep.language = "id"
    rep.save()
    customer = CustomerFactory(owner=rep, name="PT Sinar Logistik")

    # Given the rep signs in (the login page follows the browser: English)
    login(page, "rep_a", PASSWORD)

    # Then home and the navigation speak Indonesian
    expect(page.locator("html")).to_have_attribute("lang", "id")
    nav = page.get_by_role("navigation", name="Utama")
    expect(nav.get_by_role("link", name="Pelanggan", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Tugas", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    expect(page.get_by_role("link", name="Profil", exact=True)).to_be_visible()
    expect(page.locator("#language-select")).to_have_value("id")

    # When they open a customer and log a call with the quick log
    nav.get_by_role("link", name="Pelanggan", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.goto(reverse("crm:customer-detail", args=[customer.pk]))
    page.get_by_label(tr("id", "Call", "activity kind"), exact=True).check()
    page.get_by_role("textbox", name=tr("id", "Notes"), exact=True).fill(
        "Menanyakan harga kontrak tahunan"
    )
    page.get_by_role("button", name=tr("id", "Log it")).click()

    # Then the confirmation is in Indonesian
    call = tr("id", "Call", "activity kind")
    confirmation = tr("id", "%(kind)s with %(customer)s logged.") % {
        "kind": call,
        "customer": customer.name,
    }
    expect(page.get_by_role("status").filter(has_text=customer.name).first).to_contain_text(
        confirmation
    )
    assert Activity.objects.filter(owner=rep, customer=customer, kind="call").count() == 1

    # When they switch to Nederlands with the header's switcher (it submits itself)
    with page.expect_navigation():
        page.locator("#language-select").select_option("nl")

    # Then the same page speaks Dutch, and the profile remembers it
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav.get_by_role("link", name="Klanten", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(page.get_by_role("button", name=tr("nl", "Log it"))).to_be_visible()
    rep.refresh_from_db()
    assert rep.language == "nl"
