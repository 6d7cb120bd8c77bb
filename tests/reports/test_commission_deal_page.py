"""The deal page shows a won deal's commission to the credited rep, their manager and admins
only; a rep who now owns the customer does not see a colleague's commission."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.models import CommissionPlan
from tests.factories.crm import CustomerFactory, DealFactory


@pytest.mark.django_db
def test_commission_on_the_deal_page(company, client):
    rep = company["rep"]
    CommissionPlan.objects.create(rep=rep, base_rate=Decimal("5"))
    # given a deal rep_a won, whose customer was later handed over to rep_b
    customer = CustomerFactory(owner=company["other_rep"])
    deal = DealFactory(
        customer=customer,
        owner=rep,
        stage_id="won",
        amount=Decimal("500"),
        closed_at=date(2026, 3, 1),
        credited_to=rep,
    )
    url = reverse("crm:deal-detail", args=[deal.pk])
    shown = {}
    for who in ("rep", "other_rep", "north_mgr", "admin"):
        client.force_login(company[who])
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        shown[who] = 'id="deal-commission"' in page and "25.00" in page
    assert shown == {"rep": True, "other_rep": False, "north_mgr": True, "admin": True}


@pytest.mark.django_db
def test_open_deal_has_no_commission_row(company, client):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]), stage_id="proposal")
    client.force_login(company["rep"])
    page = client.get(reverse("crm:deal-detail", args=[deal.pk])).content.decode()
    assert 'id="deal-commission"' not in page
