"""Searching customers and deals by name (crm.search): three letters or more match anywhere
in the name, one or two letters match its start. The same on every page and endpoint that
searches names, and served by the trigram indexes on PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crm.models import Customer, Deal
from crm.search import name_search_q
from handover import services as handover_services
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def names(company):
    """Given a rep's customers, each with one deal titled after something else."""
    for name, title in (
        ("ABB Drives", "Spare parts"),
        ("Global Labs", "Abrasives order"),
        ("Becker Machining", "Service plan"),
        ("Zenith", "Machine upgrade"),
    ):
        DealFactory(customer=CustomerFactory(owner=company["rep"], name=name), title=title)
    return company


def _customer_names(response) -> list[str]:
    return sorted(c.name for c in response.context["page"].object_list)


def test_customer_list_matches_short_terms_at_the_start_and_longer_ones_anywhere(client, names):
    client.force_login(names["rep"])
    url = reverse("crm:customer-list")

    assert _customer_names(client.get(url, {"search": "ab"})) == ["ABB Drives"]
    assert _customer_names(client.get(url, {"search": "lab"})) == ["Global Labs"]
    assert _customer_names(client.get(url, {"search": " MACH "})) == ["Becker Machining"]
    assert _customer_names(client.get(url, {"search": "z"})) == ["Zenith"]


def test_customer_api_uses_the_same_rule(api_as, names):
    api = api_as(names["rep"])

    def found(term):
        return sorted(
            r["name"] for r in api.get("/api/customers/", {"search": term}).json()["results"]
        )

    assert found("ab") == ["ABB Drives"]
    assert found("abs") == ["Global Labs"]


def test_deal_search_matches_the_title_or_the_customer_name(api_as, names):
    api = api_as(names["rep"])

    def titles(term):
        rows = api.get("/api/deals/", {"search": term}).json()["results"]
        return sorted(r["title"] for r in rows)

    # "ab": the start of a customer name (ABB) or of a title (Abrasives); not "Global Labs".
    assert titles("ab") == ["Abrasives order", "Spare parts"]
    # "mach": inside a customer name (Becker Machining) or a title (Machine upgrade).
    assert titles("mach") == ["Machine upgrade", "Service plan"]


def test_board_search_finds_deals_by_customer_name_within_scope(client, names):
    DealFactory(customer=CustomerFactory(owner=names["other_rep"], name="ABC Other"))
    client.force_login(names["rep"])

    response = client.get(reverse("crm:pipeline"), {"search": "ab"})

    cards = [d.title for column in response.context["columns"] for d in column.cards]
    assert sorted(cards) == ["Abrasives order", "Spare parts"]


def test_customer_picker_and_handover_plan_use_the_same_rule(client, names):
    client.force_login(names["rep"])
    html = client.get(reverse("crm:customer-options"), {"q": "ab"}).content.decode()
    assert "ABB Drives" in html and "Global Labs" not in html

    handover = handover_services.handover_start(
        departing_rep=names["rep"],
        last_day=timezone.localdate() + timedelta(days=7),
        reason="burnout",
        by=names["admin"],
    )
    client.force_login(names["admin"])
    body = client.get(
        reverse("handover:plan", args=[handover.pk]), {"search": "abs"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Global Labs" in body and "ABB Drives" not in body


@pytest.mark.parametrize(
    ("model", "field", "index"),
    [
        (Customer, "name", "crm_customer_name_trgm_idx"),
        (Deal, "title", "crm_deal_title_trgm_idx"),
    ],
)
@pytest.mark.parametrize("term", ["ab", "mach"])
def test_postgresql_answers_both_kinds_of_term_from_the_trigram_index(model, field, index, term):
    qs = model.objects.filter(name_search_q(term=term, fields=[field])).order_by()
    with connection.cursor() as cursor:
        # a few test rows: leave the planner no plain scan, so an index that can answer
        # the condition must be there
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert index in plan
