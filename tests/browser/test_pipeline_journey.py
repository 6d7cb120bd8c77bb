"""Browser journeys of the pipeline (headless Chromium via Playwright, the harness of
tests/browser/conftest.py): a rep creates a deal and moves it through the board to won, with the
close-date step and its error; a manager filters the team's pipeline by owner."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from crm.models import Customer, Deal, DealStageChange
from tests.factories.accounts import PASSWORD
from tests.factories.crm import CustomerFactory


def _settled(tab) -> None:
    """Wait until htmx has finished the last swap (new content processed), as a person would."""
    tab.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling,"
        " .htmx-added')"
    )


def test_rep_creates_a_customer_and_a_deal_and_moves_it_to_won(page, login, company):
    login(page, "rep_a", PASSWORD)
    page.goto("/customers/new/")
    page.get_by_label("Name").fill("Acme Tools")
    page.get_by_label("Segment").select_option("primary")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Customer “Acme Tools” created.")
    assert Customer.objects.get(name="Acme Tools").owner == company["rep"]

    page.get_by_role("link", name="New deal").click()
    page.get_by_label("Title").fill("Spring restock")
    page.get_by_label("Amount").fill("1234.50")
    page.get_by_role("button", name="Create deal").click()
    expect(page.get_by_text("Deal “Spring restock” created.")).to_be_visible()
    deal = Deal.objects.get(title="Spring restock")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline").click()
    card = page.locator(f"#deal-{deal.pk}")
    expect(card).to_be_visible()
    card.get_by_label("Stage").select_option("proposal")
    expect(page.locator('[data-stage="proposal"]')).to_contain_text("Spring restock")
    expect(page.get_by_text("moved to Proposal")).to_be_visible()
    _settled(page)

    page.locator(f"#deal-{deal.pk}").get_by_label("Stage").select_option("won")
    card = page.locator(f"#deal-{deal.pk}")
    date_input = card.get_by_label("Close date")
    expect(date_input).to_have_value(timezone.localdate().isoformat())
    _settled(page)
    date_input.fill("")
    card.get_by_role("button", name="Confirm won").click()
    expect(page.locator(f"#deal-{deal.pk}")).to_contain_text("A won deal needs its close date.")
    _settled(page)
    assert Deal.objects.get(pk=deal.pk).stage_id == "proposal"

    card = page.locator(f"#deal-{deal.pk}")
    card.get_by_label("Close date").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    card.get_by_role("button", name="Confirm won").click()
    expect(page.locator('[data-stage="won"]')).to_contain_text("Spring restock")
    expect(page.locator('[data-stage="won"]')).to_contain_text("1,234.50")
    deal.refresh_from_db()
    assert deal.stage_id == "won" and deal.amount == Decimal("1234.50")
    assert list(
        DealStageChange.objects.filter(deal=deal).order_by("id").values_list("to_stage", flat=True)
    ) == ["lead", "proposal", "won"]

    page.goto(f"/deals/{deal.pk}/")
    expect(page.locator("#stage-history")).to_contain_text("Proposal → Won")


def test_manager_filters_the_team_pipeline_by_owner(page, login, company):
    for rep, title in [(company["rep"], "A deal"), (company["other_rep"], "B deal")]:
        c = CustomerFactory(owner=rep)
        Deal.objects.create(customer=c, owner=rep, title=title, amount=Decimal("10"))
    login(page, "north_mgr", PASSWORD)
    page.goto("/pipeline/")
    expect(page.locator("#board")).to_contain_text("A deal")
    expect(page.locator("#board")).to_contain_text("B deal")
    _settled(page)
    page.locator("#pipeline-filters").get_by_label("Owner").select_option(
        str(company["other_rep"].pk)
    )
    expect(page.locator("#board")).not_to_contain_text("A deal")
    expect(page.locator("#board")).to_contain_text("B deal")
    expect(page).to_have_url(re.compile(r"owner="))
