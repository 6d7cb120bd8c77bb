"""/api/handovers/: start, list, read; GET/PATCH the plan (all or nothing); notes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Task
from handover import services
from handover.models import Handover, HandoverAssignment, ItemOverride, KnowledgeNote
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


def _handover(company, n_customers=2):
    for i in range(n_customers):
        customer = CustomerFactory(owner=company["rep"], is_key=(i == 0))
        DealFactory(customer=customer, amount=Decimal("100.00"), stage_id="qualified")
    return services.handover_start(
        departing_rep=company["rep"],
        last_day=timezone.localdate() + timedelta(days=7),
        reason="burnout",
        reason_detail="Too many accounts.",
        by=company["admin"],
    )


def test_admin_starts_a_handover_and_gets_the_drafted_plan_counts(company, api_as):
    CustomerFactory(owner=company["rep"])
    response = api_as(company["north_mgr"]).post(
        "/api/handovers/",
        {
            "departing_rep": company["rep"].pk,
            "last_day": str(timezone.localdate() + timedelta(days=5)),
            "reason": "no_recognition",
            "reason_detail": "",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["reason"] == "no_recognition"
    assert body["customers_count"] == 1
    assert body["proposed_count"] == 1


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"last_day": "2000-01-01"}, "last_day"),
        ({"last_day": "not a date"}, "last_day"),
        ({"reason": "bored"}, "reason"),
        ({"departing_rep": 999999}, "departing_rep"),
        ({"departing_rep": "x"}, "departing_rep"),
    ],
)
def test_bad_create_input_is_a_400_with_field_errors(company, api_as, payload, field):
    data = {
        "departing_rep": company["rep"].pk,
        "last_day": str(timezone.localdate() + timedelta(days=5)),
        "reason": "burnout",
    } | payload
    response = api_as(company["admin"]).post("/api/handovers/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Handover.objects.exists()


def test_list_and_retrieve_show_counts(company, api_as):
    handover = _handover(company)
    listing = api_as(company["admin"]).get("/api/handovers/").json()
    assert listing["count"] == 1
    detail = api_as(company["north_mgr"]).get(f"/api/handovers/{handover.pk}/").json()
    assert detail["customers_count"] == 2
    assert detail["departing_rep"] == company["rep"].pk


def test_get_plan_lists_assignments_receivers_and_missing_items(company, api_as):
    handover = _handover(company)
    body = api_as(company["admin"]).get(f"/api/handovers/{handover.pk}/plan/").json()
    assert {a["receiver"] for a in body["assignments"]} == {company["other_rep"].pk}
    assert body["receivers"][0]["customers"] == 2
    assert body["receivers"][0]["open_deal_value"] == "200.00"
    assert body["missing"]["key_without_note_count"] == 1
    assert body["missing"]["stale_deals_count"] == 2


def test_patch_plan_changes_receivers_and_overrides(company, api_as):
    handover = _handover(company)
    rep_d = RepFactory(team=company["north"])
    customer = company["rep"].customers.order_by("pk").first()
    deal = customer.deals.first()
    response = api_as(company["admin"]).patch(
        f"/api/handovers/{handover.pk}/plan/",
        {
            "assignments": [{"customer": customer.pk, "receiver": rep_d.pk}],
            "overrides": [
                {"kind": "deal", "object_id": deal.pk, "receiver": company["south_rep"].pk}
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    row = HandoverAssignment.objects.get(handover=handover, customer=customer)
    assert (row.receiver_id, row.proposed) == (rep_d.pk, False)
    assert ItemOverride.objects.get(handover=handover).receiver_id == company["south_rep"].pk
    assert response.json()["overrides"] == [
        {"kind": "deal", "object_id": deal.pk, "receiver": company["south_rep"].pk}
    ]


def test_patch_plan_is_all_or_nothing(company, api_as):
    handover = _handover(company)
    first, second = company["rep"].customers.order_by("pk")
    outsider = CustomerFactory(owner=company["south_rep"])
    deal = DealFactory(customer=first, owner=company["rep"], stage_id="proposal")
    before = dict(
        HandoverAssignment.objects.filter(handover=handover).values_list(
            "customer_id", "receiver_id"
        )
    )
    for payload in [
        {
            "assignments": [
                {"customer": first.pk, "receiver": company["south_rep"].pk},
                {"customer": outsider.pk, "receiver": company["south_rep"].pk},
            ]
        },
        {"assignments": [{"customer": first.pk, "receiver": company["north_mgr"].pk}]},
        {"assignments": [{"customer": first.pk, "receiver": company["rep"].pk}]},
        {"assignments": [{"customer": second.pk, "receiver": 99999}]},
        {"overrides": [{"kind": "deal", "object_id": 99999, "receiver": company["south_rep"].pk}]},
        {"overrides": [{"kind": "contact", "object_id": 1, "receiver": company["south_rep"].pk}]},
        {"assignments": "nope"},
        {"assignments": [{"customer": "x"}]},
        {"assignments": [{"customer": [1], "receiver": {"a": 1}}]},
        {
            "assignments": [
                {"customer": first.pk, "receiver": company["other_rep"].pk},
                {"customer": first.pk, "receiver": company["south_rep"].pk},
            ]
        },
        {
            "overrides": [
                {"kind": "deal", "object_id": deal.pk, "receiver": company["other_rep"].pk},
                {"kind": "deal", "object_id": deal.pk, "receiver": None},
            ]
        },
        {},
    ]:
        response = api_as(company["admin"]).patch(
            f"/api/handovers/{handover.pk}/plan/", payload, format="json"
        )
        assert response.status_code == 400, payload
        assert set(response.json()) & {"assignments", "overrides"}, response.json()
    after = dict(
        HandoverAssignment.objects.filter(handover=handover).values_list(
            "customer_id", "receiver_id"
        )
    )
    assert after == before
    assert not ItemOverride.objects.exists()


def test_inactive_rep_is_refused_as_receiver(company, api_as):
    handover = _handover(company)
    rep_d = RepFactory(team=company["north"], is_active=False)
    customer = company["rep"].customers.first()
    response = api_as(company["admin"]).patch(
        f"/api/handovers/{handover.pk}/plan/",
        {"assignments": [{"customer": customer.pk, "receiver": rep_d.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert "not an active rep" in response.json()["assignments"][0]


def test_task_override_and_removal(company, api_as):
    handover = _handover(company)
    customer = company["rep"].customers.first()
    task = Task.objects.create(
        title="Call back", customer=customer, assignee=company["rep"], due_date=timezone.localdate()
    )
    url = f"/api/handovers/{handover.pk}/plan/"
    client = api_as(company["north_mgr"])
    other_team = {"kind": "task", "object_id": task.pk, "receiver": company["south_rep"].pk}
    refused = client.patch(url, {"overrides": [other_team]}, format="json")
    assert refused.status_code == 400
    assert "in your team" in " ".join(refused.json()["overrides"])
    assert not ItemOverride.objects.exists()
    override = other_team | {"receiver": company["other_rep"].pk}
    assert client.patch(url, {"overrides": [override]}, format="json").status_code == 200
    assert ItemOverride.objects.filter(kind="task", object_id=task.pk).exists()
    removal = override | {"receiver": None}
    assert client.patch(url, {"overrides": [removal]}, format="json").status_code == 200
    assert not ItemOverride.objects.exists()


def test_rep_writes_a_note_through_the_api(company, api_as):
    handover = _handover(company)
    customer = company["rep"].customers.get(is_key=True)
    client = api_as(company["rep"])
    url = f"/api/handovers/{handover.pk}/notes/"
    response = client.post(url, {"customer": customer.pk, "text": "CFO decides."}, format="json")
    assert response.status_code == 201
    assert KnowledgeNote.objects.get().text == "CFO decides."
    # and the bad paths
    assert (
        client.post(url, {"customer": customer.pk, "text": "  "}, format="json").status_code == 400
    )
    other = CustomerFactory(owner=company["other_rep"])
    bad = client.post(url, {"customer": other.pk, "text": "x"}, format="json")
    assert bad.status_code == 400 and "customer" in bad.json()
    assert client.post(url, {"customer": "abc"}, format="json").status_code == 400


@pytest.mark.parametrize("n", [10, 100])
def test_plan_api_runs_a_fixed_number_of_queries(company, api_as, django_assert_max_num_queries, n):
    handover = _handover(company, n_customers=n)
    client = api_as(company["admin"])
    with django_assert_max_num_queries(11):
        response = client.get(f"/api/handovers/{handover.pk}/plan/")
    assert len(response.json()["assignments"]) == n
