"""Journey: an import with one bad row shows the error and imports nothing; the fixed file
imports everything."""

import re
from pathlib import Path

from playwright.sync_api import expect

from crm.models import Customer, OwnershipChange
from tests.factories.accounts import PASSWORD

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


def upload(page, path: Path) -> None:
    page.goto("/import/")
    page.get_by_label("What the file holds").select_option("customers")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()


def test_a_bad_row_blocks_the_import_and_the_fixed_file_imports_everything(page, login, company):
    login(page, "rep_a", PASSWORD)

    # Given a file whose fourth line has a segment that does not exist
    upload(page, FIXTURES / "customers_one_bad_row.csv")

    # Then the preview names the row and the problem, and the import button is disabled
    expect(page).to_have_url(re.compile(r"/import/\d+/$"))
    expect(page.locator(".import-errors li")).to_have_count(1)
    expect(page.locator(".import-errors li")).to_contain_text("Row 4, segment")
    expect(page.locator(".import-errors li")).to_contain_text("tertiary")
    expect(page.get_by_role("alert").filter(has_text="Nothing will be imported")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Import \d+ rows$"))).to_be_disabled()
    assert Customer.objects.count() == 0

    # When the rep uploads the fixed file and confirms
    upload(page, FIXTURES / "customers_good.csv")
    expect(page.locator(".import-errors li")).to_have_count(0)
    page.get_by_role("button", name="Import 5 rows").click()

    # Then every row is imported into their portfolio, each with its ownership-log entry
    expect(page.locator(".messages")).to_contain_text("Imported 5 customers")
    assert Customer.objects.filter(owner=company["rep"]).count() == 5
    assert OwnershipChange.objects.filter(source="import", to_user=company["rep"]).count() == 5
    page.goto("/customers/?search=Cedar")
    expect(page.get_by_role("link", name="Cedar Logistics")).to_be_visible()
