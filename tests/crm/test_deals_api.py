"""/api/deals/ per the contract: fields, filters by field name, ranges, search, ordering,
pagination, 400 field errors that change nothing, 404 outside scope, and the schema."""

from datetime import date
from decimal import Decimal

import pytest

from crm.models import Deal, DealStageChange, OwnershipChange
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "customer",
    "owner",
    "title",
    "amount",
    "currency",
    "stage",
    "probability",
    "expected_close",
    "closed_at",
    "lost_reason",
    "next_step",
    "credited_to",
    "created_at",
    "updated_at",
}


@pytest.fixture
def rep_api(api_as, company):
    return api_as(company["rep"])


def test_list_returns_the_contract_fields_with_money_as_strings(rep_api, company):
    DealFactory(customer=CustomerFactory(owner=company["rep"]), amount=Decimal("12.50"))
    body = rep_api.get("/api/deals/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    row = body["results"][0]
    assert set(row) == FIELDS
    assert row["amount"] == "12.50" and row["stage"] == "lead"
    assert "+" in row["created_at"] or row["created_at"].endswith("Z")


def test_filters_by_field_name_range_search_and_ordering(rep_api, company):
    acme = CustomerFactory(owner=company["rep"], name="Acme")
    other = CustomerFactory(owner=company["rep"], name="Other")
    DealFactory(customer=acme, title="A1", amount=Decimal("100"), stage_id="proposal")
    DealFactory(customer=acme, title="A2", amount=Decimal("300"), stage_id="proposal")
    DealFactory(customer=acme, title="A3", amount=Decimal("900"), stage_id="lead")
    DealFactory(customer=other, title="O1", amount=Decimal("500"), expected_close=date(2026, 3, 1))

    def titles(**params):
        response = rep_api.get("/api/deals/", params)
        assert response.status_code == 200, response.json()
        return [r["title"] for r in response.json()["results"]]

    assert titles(stage="proposal", ordering="-amount") == ["A2", "A1"]
    assert titles(customer=acme.pk, ordering="amount") == ["A1", "A2", "A3"]
    assert titles(
        owner=company["rep"].pk, amount_min="250", amount_max="600", ordering="title"
    ) == [
        "A2",
        "O1",
    ]
    assert titles(search="acme", ordering="title") == ["A1", "A2", "A3"]
    assert titles(search="o1") == ["O1"]
    assert titles(expected_close_after="2026-02-01", expected_close_before="2026-03-31") == ["O1"]


def test_pagination_caps_page_size_at_200(rep_api, company):
    customer = CustomerFactory(owner=company["rep"])
    for _ in range(3):
        DealFactory(customer=customer)
    body = rep_api.get("/api/deals/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert len(rep_api.get("/api/deals/", {"page_size": 1000}).json()["results"]) == 3


def test_bad_filters_are_400_field_errors(rep_api):
    response = rep_api.get("/api/deals/", {"stage": "nope", "amount_min": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"stage", "amount_min"}


def test_create_defaults_owner_and_probability_and_records_history(rep_api, company):
    customer = CustomerFactory(owner=company["rep"])
    response = rep_api.post(
        "/api/deals/",
        {"customer": customer.pk, "title": "API deal", "amount": "250.00", "stage": "proposal"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == company["rep"].pk and body["probability"] == 50
    deal = Deal.objects.get(pk=body["id"])
    assert DealStageChange.objects.filter(deal=deal, to_stage="proposal").exists()
    assert OwnershipChange.objects.get(object_id=deal.pk).source == "api"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"stage": "won"}, "closed_at", "A won deal needs its close date."),
        ({"stage": "lost"}, "lost_reason", "A lost deal needs a reason."),
        ({"amount": "-1.00"}, "amount", "greater than or equal to 0"),
        ({"stage": "closed"}, "stage", "not a valid choice"),
        ({"amount": "abc"}, "amount", "valid number"),
        (
            {"stage": "proposal", "closed_at": "2026-01-15"},
            "closed_at",
            "Only won or lost deals have a close date.",
        ),
        ({"stage": "won", "closed_at": "2026-01-15", "lost_reason": "x"}, "lost_reason", "Only"),
    ],
)
def test_create_bad_input_is_a_400_field_error_and_creates_nothing(
    rep_api, company, payload, field, message
):
    customer = CustomerFactory(owner=company["rep"])
    data = {"customer": customer.pk, "title": "Bad", "amount": "1.00", **payload}
    response = rep_api.post("/api/deals/", data, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Deal.objects.exists()


def test_customer_outside_scope_reads_like_it_does_not_exist(rep_api, company):
    foreign = CustomerFactory(owner=company["south_rep"])
    response = rep_api.post("/api/deals/", {"customer": foreign.pk, "title": "x"}, format="json")
    missing = rep_api.post("/api/deals/", {"customer": 999999, "title": "x"}, format="json")
    assert response.status_code == missing.status_code == 400
    assert response.json()["customer"][0].replace(str(foreign.pk), "N") == missing.json()[
        "customer"
    ][0].replace("999999", "N")


def test_owner_not_assignable_is_a_400(rep_api, company):
    customer = CustomerFactory(owner=company["rep"])
    response = rep_api.post(
        "/api/deals/",
        {"customer": customer.pk, "title": "x", "owner": company["other_rep"].pk},
        format="json",
    )
    assert response.status_code == 400 and "owner" in response.json()


def test_patch_to_won_with_close_date_credits_owner_and_records_history(rep_api, company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    response = rep_api.patch(
        f"/api/deals/{deal.pk}/", {"stage": "won", "closed_at": "2026-01-10"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["credited_to"] == company["rep"].pk
    assert response.json()["probability"] == 100
    assert DealStageChange.objects.get(deal=deal).from_stage == "lead"


def test_patch_lost_without_reason_is_400_and_changes_nothing(rep_api, company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]), title="Keep")
    response = rep_api.patch(
        f"/api/deals/{deal.pk}/", {"stage": "lost", "title": "Changed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"lost_reason": ["A lost deal needs a reason."]}
    deal.refresh_from_db()
    assert (deal.stage_id, deal.title) == ("lead", "Keep")


def test_credited_to_is_read_only(rep_api, company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    rep_api.patch(f"/api/deals/{deal.pk}/", {"credited_to": company["rep"].pk}, format="json")
    deal.refresh_from_db()
    assert deal.credited_to is None


def test_deal_outside_scope_is_404_for_read_and_write(rep_api, company):
    foreign = DealFactory(customer=CustomerFactory(owner=company["south_rep"]))
    assert rep_api.get(f"/api/deals/{foreign.pk}/").status_code == 404
    assert (
        rep_api.patch(f"/api/deals/{foreign.pk}/", {"title": "x"}, format="json").status_code == 404
    )


def test_without_credentials_is_401(api_client, db):
    assert api_client.get("/api/deals/").status_code == 401


def test_list_runs_a_fixed_number_of_queries(api_as, company, django_assert_max_num_queries):
    api = api_as(company["north_mgr"])
    customer = CustomerFactory(owner=company["rep"])
    for _ in range(3):
        DealFactory(customer=customer)
    with django_assert_max_num_queries(4) as few:
        assert api.get("/api/deals/").status_code == 200
    for _ in range(37):
        DealFactory(customer=customer)
    with django_assert_max_num_queries(4) as many:
        assert len(api.get("/api/deals/").json()["results"]) == 40
    assert len(few.captured_queries) == len(many.captured_queries)


def test_schema_documents_the_deal_endpoint_with_examples(rep_api):
    response = rep_api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    post = schema["paths"]["/api/deals/"]["post"]
    assert "examples" in post["requestBody"]["content"]["application/json"]
    params = {p["name"] for p in schema["paths"]["/api/deals/"]["get"]["parameters"]}
    assert {"owner", "stage", "customer", "search", "ordering", "amount_min"} <= params
