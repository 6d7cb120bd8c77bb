"""Performance round 2: the faster paths show exactly what the plain ones did.

Deep pages of the customer list pick their rows by a key subquery; the quick-log customer
select is rendered by FastSelect and still reloads the form with htmx."""

import pytest
from django.urls import reverse

from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

LIST = reverse("crm:customer-list")


def _names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def test_a_deep_page_shows_the_same_rows_and_figures_as_the_sorted_list(company, client):
    # Given 7 customers of a rep, one with an open deal
    for i in range(7):
        CustomerFactory(name=f"C{i}", owner=company["rep"])
    DealFactory(customer=CustomerFactory(name="C7", owner=company["rep"]), amount=500)
    client.force_login(company["rep"])
    # When the rep opens page 3 of 3 rows a page, in name order and reversed
    third = client.get(LIST, {"page": 3, "page_size": 3})
    reversed_third = client.get(LIST, {"page": 3, "page_size": 3, "ordering": "-name"})
    # Then the rows are those of that page, in order, with their open-deal figures
    assert _names(third) == ["C6", "C7"]
    assert third.context["page"].object_list[1].open_deals_count == 1
    assert _names(reversed_third) == ["C1", "C0"]


def test_a_deep_page_sorted_by_an_annotation_keeps_that_order(company, client):
    for i, amount in enumerate([300, 100, 200, 400]):
        DealFactory(customer=CustomerFactory(name=f"C{i}", owner=company["rep"]), amount=amount)
    client.force_login(company["rep"])
    page = client.get(LIST, {"page": 2, "page_size": 2, "ordering": "-open_deals_value"})
    assert _names(page) == ["C2", "C1"]


def test_a_deep_page_runs_as_many_queries_as_the_first(
    company, client, django_assert_max_num_queries
):
    for i in range(30):
        CustomerFactory(name=f"C{i:02}", owner=company["rep"])
    client.force_login(company["rep"])
    client.get(LIST, {"page_size": 5})
    with django_assert_max_num_queries(8) as first:
        client.get(LIST, {"page_size": 5})
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert _names(client.get(LIST, {"page": 4, "page_size": 5}))[0] == "C15"


def test_quick_log_customer_select_reloads_the_form_and_keeps_the_choice(company, client):
    # Given a rep on "My week" with two customers
    mine = CustomerFactory(name="Acme & Co", owner=company["rep"])
    CustomerFactory(name="Other", owner=company["rep"])
    client.force_login(company["rep"])
    # When they choose a customer in the quick-log form (htmx reloads the form)
    response = client.get(reverse("activities:quick-log"), {"customer": mine.pk})
    html = response.content.decode()
    # Then the select still triggers the reload and shows the chosen customer, escaped
    assert response.status_code == 200
    assert 'name="customer"' in html and 'hx-trigger="change"' in html
    assert f'hx-get="{reverse("activities:quick-log")}"' in html
    assert 'hx-target="#quick-log"' in html and 'hx-swap="outerHTML"' in html
    assert f'<option value="{mine.pk}" selected>Acme &amp; Co</option>' in html
