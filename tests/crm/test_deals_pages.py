"""The deal pages: list with filters, sorting and pagination; create and edit forms with
their rules; the detail page with the stage history; the CSV export of the filtered list."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.models import Deal, DealStageChange, OwnershipChange
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, company):
    client.force_login(company["rep"])
    return client


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_pages_require_login(client, company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    for url in [
        reverse("crm:pipeline"),
        reverse("crm:deal-list"),
        reverse("crm:deal-create"),
        reverse("crm:deal-export"),
        reverse("crm:deal-detail", args=[deal.pk]),
        reverse("crm:deal-edit", args=[deal.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_list_filters_by_stage_and_sorts_by_amount(rep_client, company):
    customer = CustomerFactory(owner=company["rep"])
    DealFactory(customer=customer, title="Small", amount=Decimal("10"), stage_id="proposal")
    DealFactory(customer=customer, title="Big", amount=Decimal("900"), stage_id="proposal")
    DealFactory(customer=customer, title="Lead one", stage_id="lead")

    response = rep_client.get(
        reverse("crm:deal-list"), {"stage": "proposal", "ordering": "-amount"}
    )

    titles = [d.title for d in response.context["page"].object_list]
    assert titles == ["Big", "Small"]


def test_list_paginates(rep_client, company):
    customer = CustomerFactory(owner=company["rep"])
    for _ in range(7):
        DealFactory(customer=customer)
    page2 = rep_client.get(reverse("crm:deal-list"), {"page_size": 5, "page": 2})
    assert len(page2.context["page"].object_list) == 2
    assert "Page 2 of 2" in page2.content.decode()


def test_rep_sees_no_owner_filter_but_a_manager_does(client, company):
    client.force_login(company["rep"])
    assert 'name="owner"' not in client.get(reverse("crm:deal-list")).content.decode()
    client.force_login(company["north_mgr"])
    html = client.get(reverse("crm:deal-list")).content.decode()
    assert 'name="owner"' in html and "rep_c" not in html


def test_create_preselects_the_customer_and_defaults_owner_to_me(rep_client, company):
    customer = CustomerFactory(owner=company["rep"])
    response = rep_client.get(reverse("crm:deal-create"), {"customer": customer.pk})
    form = response.context["form"]
    assert form.initial["customer"] == customer.pk
    assert form.initial["owner"] == company["rep"].pk
    assert list(form.fields["owner"].queryset) == [company["rep"]]


def test_create_ignores_a_preselected_customer_outside_scope(rep_client, company):
    foreign = CustomerFactory(owner=company["south_rep"])
    response = rep_client.get(reverse("crm:deal-create"), {"customer": foreign.pk})
    assert "customer" not in response.context["form"].initial
    assert foreign.name not in response.content.decode()


def test_rep_creates_a_deal_with_history_and_a_flash_message(rep_client, company):
    customer = CustomerFactory(owner=company["rep"])
    response = rep_client.post(
        reverse("crm:deal-create"),
        {"customer": customer.pk, "title": "Spring", "amount": "1200.50", "stage": "lead"},
        follow=True,
    )
    deal = Deal.objects.get()
    assert (deal.owner, deal.amount, deal.probability) == (
        company["rep"],
        Decimal("1200.50"),
        10,
    )
    assert "Deal “Spring” created." in response.content.decode()
    assert DealStageChange.objects.filter(deal=deal, to_stage="lead").exists()
    assert OwnershipChange.objects.filter(object_id=deal.pk, to_user=company["rep"]).exists()


def test_create_form_shows_field_errors_and_saves_nothing(rep_client, company):
    foreign = CustomerFactory(owner=company["south_rep"])
    response = rep_client.post(
        reverse("crm:deal-create"),
        {"customer": foreign.pk, "title": "", "amount": "-5", "stage": "won"},
    )
    form = response.context["form"]
    assert set(form.errors) >= {"customer", "title", "amount"}
    assert not Deal.objects.exists()


def test_create_won_without_close_date_is_a_field_error(rep_client, company):
    customer = CustomerFactory(owner=company["rep"])
    response = rep_client.post(
        reverse("crm:deal-create"),
        {"customer": customer.pk, "title": "W", "amount": "1", "stage": "won"},
    )
    assert response.context["form"].errors["closed_at"] == ["A won deal needs its close date."]
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"closed_at": "2026-01-15"}, "Only won or lost deals have a close date."),
        ({"lost_reason": "Too expensive"}, "Only lost deals have a lost reason."),
    ],
)
def test_close_fields_typed_for_an_open_deal_are_field_errors_not_dropped(
    rep_client, company, typed, message
):
    # given: an open deal
    deal = DealFactory(
        customer=CustomerFactory(owner=company["rep"]), stage_id="lead", title="Before"
    )
    form = {"customer": deal.customer_id, "title": "After", "amount": "100", "stage": "proposal"}

    # when: a close date or a lost reason is typed for an open stage, creating or editing
    created = rep_client.post(reverse("crm:deal-create"), {**form, **typed})
    edited = rep_client.post(reverse("crm:deal-edit", args=[deal.pk]), {**form, **typed})

    # then: the form says why and nothing is saved
    field = next(iter(typed))
    for response in (created, edited):
        assert response.context["form"].errors[field] == [message]
    assert Deal.objects.count() == 1
    deal.refresh_from_db()
    assert (deal.stage_id, deal.title) == ("lead", "Before")
    assert not DealStageChange.objects.filter(deal=deal).exists()


def test_reopening_a_won_deal_with_its_form_clears_the_close_date(rep_client, company):
    deal = DealFactory(
        customer=CustomerFactory(owner=company["rep"]),
        stage_id="won",
        closed_at=date(2026, 1, 15),
        credited_to=company["rep"],
    )
    rep_client.post(
        reverse("crm:deal-edit", args=[deal.pk]),
        {
            "customer": deal.customer_id,
            "title": deal.title,
            "amount": "100",
            "stage": "negotiation",
            "closed_at": "2026-01-15",  # sent back unchanged by the form
        },
    )

    deal.refresh_from_db()
    assert (deal.stage_id, deal.closed_at, deal.credited_to) == ("negotiation", None, None)


def test_edit_stage_change_is_recorded_and_shown_on_the_detail_page(rep_client, company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]), title="Edit me")
    response = rep_client.post(
        reverse("crm:deal-edit", args=[deal.pk]),
        {
            "customer": deal.customer_id,
            "title": "Edit me",
            "amount": "1000.00",
            "stage": "lost",
            "lost_reason": "Budget cut",
            "probability": "10",
        },
        follow=True,
    )
    deal.refresh_from_db()
    assert (deal.stage_id, deal.lost_reason) == ("lost", "Budget cut")
    html = response.content.decode()
    assert "Deal “Edit me” saved." in html
    assert "Lead → Lost" in html
    assert "rep_a" in html or str(company["rep"]) in html


def test_edit_lost_without_reason_shows_error_and_changes_nothing(rep_client, company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]), title="Old title")
    response = rep_client.post(
        reverse("crm:deal-edit", args=[deal.pk]),
        {"customer": deal.customer_id, "title": "New title", "amount": "1", "stage": "lost"},
    )
    assert response.context["form"].errors["lost_reason"] == ["A lost deal needs a reason."]
    deal.refresh_from_db()
    assert (deal.stage_id, deal.title, deal.amount) == ("lead", "Old title", Decimal("1000.00"))
    assert not DealStageChange.objects.filter(deal=deal).exists()


def test_manager_reassigns_a_deal_and_the_owner_log_shows_it(client, company):
    client.force_login(company["north_mgr"])
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    client.post(
        reverse("crm:deal-edit", args=[deal.pk]),
        {
            "customer": deal.customer_id,
            "title": deal.title,
            "owner": company["other_rep"].pk,
            "amount": "1000.00",
            "stage": "lead",
            "probability": "10",
        },
    )
    deal.refresh_from_db()
    assert deal.owner == company["other_rep"]
    log = OwnershipChange.objects.get(object_id=deal.pk)
    assert (log.from_user, log.to_user) == (company["rep"], company["other_rep"])


def test_export_streams_the_filtered_list(rep_client, company):
    customer = CustomerFactory(owner=company["rep"], name="Acme")
    DealFactory(customer=customer, title="Won one", stage_id="won", closed_at=date(2026, 1, 1))
    DealFactory(customer=customer, title="Open one")
    response = rep_client.get(reverse("crm:deal-export"), {"stage": "won"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert [(r["title"], r["customer"], r["stage"], r["closed_at"]) for r in rows] == [
        ("Won one", "Acme", "won", "2026-01-01")
    ]


def test_export_with_a_bad_filter_is_a_400_with_the_reason(rep_client):
    response = rep_client.get(reverse("crm:deal-export"), {"amount_min": "lots"})
    assert response.status_code == 400
    assert "amount_min" in response.content.decode()
