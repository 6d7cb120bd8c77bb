"""/api/customers/: the contract fields, filters by field name, search, ordering, pages,
400 field errors, 404 outside scope, and every write going through the services."""

from decimal import Decimal

import pytest

from accounts.models import CompetingLine
from crm.models import Customer, OwnershipChange
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

URL = "/api/customers/"
CONTRACT_FIELDS = {
    "id",
    "name",
    "owner",
    "segment",
    "status",
    "source",
    "is_key",
    "industry",
    "region",
    "city",
    "postal_code",  # issue 13: territories
    "territory",
    "territory_name",
    "territory_manual",
    "website",
    "phone",
    "notes",
    "has_conflict",
    "open_deals_count",
    "open_deals_value",
    "created_at",
    "updated_at",
}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [c["name"] for c in response.json()["results"]]


def test_list_has_contract_fields_money_as_string_and_iso_times(company, api_as):
    customer = CustomerFactory(name="Acme", owner=company["rep"])
    DealFactory(customer=customer, amount=Decimal("1500.25"), stage_id="proposal")
    body = api_as(company["rep"]).get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    row = body["results"][0]
    assert set(row) == CONTRACT_FIELDS
    assert row["open_deals_count"] == 1
    assert row["open_deals_value"] == "1500.25"
    assert row["created_at"].endswith(("Z", "+00:00"))


def test_filters_by_field_name_search_and_ordering(company, api_as):
    rep, mgr = company["rep"], company["north_mgr"]
    CustomerFactory(name="Acme", owner=rep, segment="primary", is_key=True)
    CustomerFactory(name="Acme Two", owner=rep, segment="secondary")
    CustomerFactory(name="Bolt", owner=company["other_rep"], segment="primary")
    api = api_as(mgr)

    assert _names(api.get(URL, {"owner": rep.pk, "segment": "primary"})) == ["Acme"]
    assert _names(api.get(URL, {"is_key": "true"})) == ["Acme"]
    assert _names(api.get(URL, {"search": "acme", "ordering": "-name"})) == ["Acme Two", "Acme"]


def test_conflict_flag_and_filter(company, api_as):
    rep = company["rep"]
    CompetingLine.objects.create(rep=rep, principal="Rival", product_line="Pumps")
    CustomerFactory(name="Pump Co", owner=rep, industry="PUMPS")
    CustomerFactory(name="Other", owner=rep, industry="Food")
    api = api_as(company["north_mgr"])
    rows = {r["name"]: r["has_conflict"] for r in api.get(URL).json()["results"]}
    assert rows == {"Pump Co": True, "Other": False}
    assert _names(api.get(URL, {"conflict": "true"})) == ["Pump Co"]
    assert _names(api.get(URL, {"has_conflict": "false"})) == ["Other"]


def test_bad_filters_are_400_with_field_errors(company, api_as):
    response = api_as(company["rep"]).get(URL, {"segment": "gold", "ordering": "password"})
    assert response.status_code == 400
    assert set(response.json()) == {"segment", "ordering"}


def test_rep_filtering_by_another_owner_gets_a_400_not_their_rows(company, api_as):
    CustomerFactory(owner=company["other_rep"])
    response = api_as(company["rep"]).get(URL, {"owner": company["other_rep"].pk})
    assert response.status_code == 400
    assert "owner" in response.json()


def test_pagination_and_max_page_size(company, api_as):
    for i in range(5):
        CustomerFactory(name=f"C{i}", owner=company["rep"])
    body = api_as(company["rep"]).get(URL, {"page": 2, "page_size": 2}).json()
    assert body["count"] == 5 and [c["name"] for c in body["results"]] == ["C2", "C3"]
    assert "page=3" in body["next"]
    big = api_as(company["rep"]).get(URL, {"page_size": 100000})
    assert big.status_code == 200


def test_rep_creates_customer_owned_by_themself_and_logged_as_api(company, api_as):
    rep = company["rep"]
    response = api_as(rep).post(
        URL, {"name": "New", "segment": "secondary", "source": "referral"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == rep.pk and body["open_deals_value"] == "0.00"
    assert body["source"] == "referral" and body["is_key"] is False
    log = OwnershipChange.objects.get(customer_id=body["id"])
    assert (log.from_user_id, log.to_user_id, log.source) == (None, rep.pk, "api")


def test_create_with_bad_input_is_400_and_creates_nothing(company, api_as):
    response = api_as(company["rep"]).post(
        URL, {"name": "", "segment": "gold", "website": "not a url"}, format="json"
    )
    assert response.status_code == 400
    assert {"name", "segment", "website"} <= set(response.json())
    assert not Customer.objects.exists()


def test_is_key_cannot_be_set_by_hand(company, api_as):
    response = api_as(company["rep"]).post(URL, {"name": "Sneaky", "is_key": True}, format="json")
    assert response.status_code == 201
    assert response.json()["is_key"] is False


def test_rep_cannot_give_a_customer_to_someone_else(company, api_as):
    response = api_as(company["rep"]).post(
        URL, {"name": "X", "owner": company["other_rep"].pk}, format="json"
    )
    assert response.status_code == 400 and "owner" in response.json()
    assert not Customer.objects.exists()


def test_admin_must_choose_an_owner(company, api_as):
    api = api_as(company["admin"])
    response = api.post(URL, {"name": "X"}, format="json")
    assert response.status_code == 400
    assert response.json()["owner"] == ["Choose who owns this customer."]
    ok = api.post(URL, {"name": "X", "owner": company["south_rep"].pk}, format="json")
    assert ok.status_code == 201


def test_manager_reassigns_within_team_and_it_is_logged(company, api_as):
    customer = CustomerFactory(owner=company["rep"])
    api = api_as(company["north_mgr"])
    response = api.patch(f"{URL}{customer.pk}/", {"owner": company["other_rep"].pk}, format="json")
    assert response.status_code == 200, response.json()
    move = OwnershipChange.objects.get(customer=customer)
    assert (move.from_user, move.to_user, move.source) == (
        company["rep"],
        company["other_rep"],
        "api",
    )
    outside = api.patch(f"{URL}{customer.pk}/", {"owner": company["south_rep"].pk}, format="json")
    assert outside.status_code == 400 and "owner" in outside.json()


def test_outside_scope_is_404_for_read_and_write(company, api_as):
    customer = CustomerFactory(name="South Co", owner=company["south_rep"])
    api = api_as(company["north_mgr"])
    assert api.get(f"{URL}{customer.pk}/").status_code == 404
    assert api.patch(f"{URL}{customer.pk}/", {"name": "Mine now"}, format="json").status_code == 404
    customer.refresh_from_db()
    assert customer.name == "South Co"


def test_unauthenticated_is_401(api_client, db):
    assert api_client.get(URL).status_code == 401


def test_delete_is_not_offered(company, api_as):
    customer = CustomerFactory(owner=company["rep"])
    assert api_as(company["rep"]).delete(f"{URL}{customer.pk}/").status_code == 405


def test_list_runs_the_same_number_of_queries_for_5_or_50_rows(
    company, api_as, django_assert_max_num_queries
):
    api = api_as(company["admin"])
    reps = [company["rep"], company["other_rep"], company["south_rep"]]

    def make(n):
        for i in range(n):
            DealFactory(customer=CustomerFactory(owner=reps[i % 3]))

    make(5)
    with django_assert_max_num_queries(6) as five:
        api.get(URL, {"page_size": 200})
    make(45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        body = api.get(URL, {"page_size": 200}).json()
    assert len(body["results"]) == 50


def test_schema_documents_customers_with_examples(company, api_as):
    schema = api_as(company["admin"]).get("/api/schema/", {"format": "json"}).json()
    assert "/api/customers/" in schema["paths"] and "/api/contacts/" in schema["paths"]
    assert "/api/customers/recompute-key-customers/" in schema["paths"]
    create = schema["paths"]["/api/customers/"]["post"]
    assert "examples" in create["requestBody"]["content"]["application/json"]
    listing = schema["paths"]["/api/customers/"]["get"]
    assert "examples" in listing["responses"]["200"]["content"]["application/json"]


@pytest.mark.django_db
def test_a_customer_whose_open_deals_add_up_past_any_one_amount_still_reads(company, api_as):

    customer = CustomerFactory(owner=company["rep"])
    for _ in range(105):
        DealFactory(customer=customer, amount=Decimal("999999999999.99"), stage_id="proposal")
    api = api_as(company["rep"])

    detail = api.get(f"/api/customers/{customer.pk}/")
    listed = api.get("/api/customers/?ordering=-open_deals_value")

    assert detail.status_code == 200
    assert detail.json()["open_deals_value"] == "104999999999998.95"
    assert listed.json()["results"][0]["open_deals_value"] == "104999999999998.95"
