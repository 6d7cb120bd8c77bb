"""Customer pickers offer a short list and a search box, not a whole portfolio."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from crm.selectors import PICKER_SIZE
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


def options(html: str) -> list[str]:
    return re.findall(r"<option value=\"(\d*)\"[^>]*>([^<]*)</option>", html)


def test_search_finds_only_visible_customers_by_name(client, company):
    CustomerFactory(owner=company["rep"], name="Acme Tools")
    CustomerFactory(owner=company["rep"], name="Birch Metals")
    CustomerFactory(owner=company["other_rep"], name="Acme Foods")  # someone else's
    client.force_login(company["rep"])

    html = client.get(reverse("crm:customer-options"), {"q": "acme"}).content.decode()

    assert [label for value, label in options(html) if value] == ["Acme Tools"]
    assert "— choose (1 match) —" in html


@pytest.mark.parametrize("q", ["\x00", "ac\x00", "acme\x00"])
def test_a_search_with_a_nul_character_finds_nothing(client, company, q):
    CustomerFactory(owner=company["rep"], name="Acme Tools")
    client.force_login(company["rep"])

    response = client.get(reverse("crm:customer-options"), {"q": q})

    assert response.status_code == 200
    assert "— choose (none) —" in response.content.decode()


def test_multiple_pickers_get_no_placeholder_and_names_are_escaped(client, company):
    CustomerFactory(owner=company["rep"], name="<b>Bold & Co</b>")
    client.force_login(company["rep"])

    html = client.get(
        reverse("crm:customer-options"), {"q": "bold", "multiple": "1"}
    ).content.decode()

    assert html.count("<option") == 1
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in html


def test_without_a_query_the_recently_touched_customers_come_first(client, company):
    rep = company["rep"]
    customers = [CustomerFactory(owner=rep, name=f"C{i:03d}") for i in range(PICKER_SIZE + 10)]
    touched = customers[-1]
    Activity.objects.create(
        kind="call", customer=touched, owner=rep, occurred_at=timezone.now(), week="2026-W47"
    )
    client.force_login(rep)

    html = client.get(reverse("crm:customer-options")).content.decode()

    assert [label for value, label in options(html) if value] == [touched.name]


def test_my_week_quick_log_lists_a_short_list_not_the_portfolio(client, company):
    rep = company["rep"]
    for i in range(PICKER_SIZE + 20):
        CustomerFactory(owner=rep, name=f"Portfolio {i:03d}")
    client.force_login(rep)

    html = client.get(reverse("activities:my-week")).content.decode()
    select = re.search(r'<select[^>]*name="customer"[^>]*>.*?</select>', html, re.S).group(0)

    assert len(options(select)) <= PICKER_SIZE + 1
    assert "Find a customer by name" in html
