"""deal_create and deal_update: both audit trails (stage history, ownership log) are kept,
scope is enforced, and a bad field changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm import services
from crm.models import Deal, DealStageChange, OwnershipChange, Stage
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_create_records_the_initial_stage_and_owner(company):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep)

    deal = services.deal_create(by=rep, customer=customer, title="  Restock ", stage="qualified")

    assert (deal.owner, deal.title, deal.stage_id) == (rep, "Restock", "qualified")
    assert deal.probability == Stage.objects.get(code="qualified").default_probability
    history = DealStageChange.objects.get(deal=deal)
    assert (history.from_stage, history.to_stage, history.changed_by) == ("", "qualified", rep)
    log = OwnershipChange.objects.get(object_type="deal", object_id=deal.pk)
    assert (log.from_user, log.to_user, log.customer) == (None, rep, customer)


def test_create_uses_the_stage_default_probability_an_admin_configured(company):
    Stage.objects.filter(code="lead").update(default_probability=7)
    deal = services.deal_create(
        by=company["rep"], customer=CustomerFactory(owner=company["rep"]), title="x"
    )
    assert deal.probability == 7


def test_create_won_needs_a_close_date_and_creates_nothing(company):
    with pytest.raises(ValidationError) as exc:
        services.deal_create(
            by=company["rep"],
            customer=CustomerFactory(owner=company["rep"]),
            title="x",
            stage="won",
        )
    assert exc.value.message_dict == {"closed_at": ["A won deal needs its close date."]}
    assert not Deal.objects.exists() and not OwnershipChange.objects.exists()


def test_create_refuses_customer_outside_scope_owner_not_assignable_and_negative_amount(company):
    with pytest.raises(ValidationError) as exc:
        services.deal_create(
            by=company["rep"],
            customer=CustomerFactory(owner=company["south_rep"]),
            owner=company["other_rep"],
            title="x",
            amount=Decimal("-1"),
        )
    assert set(exc.value.message_dict) == {"customer", "owner", "amount"}
    assert not Deal.objects.exists()


def test_manager_creates_a_deal_for_a_rep_of_their_team(company):
    customer = CustomerFactory(owner=company["rep"])
    deal = services.deal_create(
        by=company["north_mgr"], customer=customer, owner=company["rep"], title="x"
    )
    assert deal.owner == company["rep"]


def test_update_owner_change_is_logged_from_to(company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    services.deal_update(deal=deal, by=company["north_mgr"], owner=company["other_rep"])
    deal.refresh_from_db()
    assert deal.owner == company["other_rep"]
    log = OwnershipChange.objects.get(object_type="deal", object_id=deal.pk)
    assert (log.from_user, log.to_user, log.changed_by) == (
        company["rep"],
        company["other_rep"],
        company["north_mgr"],
    )


def test_update_without_owner_change_writes_no_ownership_entry(company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    services.deal_update(deal=deal, by=company["rep"], title="Renamed", amount=Decimal("5"))
    deal.refresh_from_db()
    assert (deal.title, deal.amount) == ("Renamed", Decimal("5.00"))
    assert not OwnershipChange.objects.exists()


def test_update_stage_goes_through_the_stage_history(company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    services.deal_update(deal=deal, by=company["rep"], stage="won", closed_at=date(2026, 1, 2))
    deal.refresh_from_db()
    assert (deal.stage_id, deal.closed_at, deal.credited_to) == (
        "won",
        date(2026, 1, 2),
        company["rep"],
    )
    assert DealStageChange.objects.get(deal=deal).to_stage == "won"


def test_update_lost_without_reason_changes_nothing(company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    before = Deal.objects.values().get(pk=deal.pk)
    with pytest.raises(ValidationError) as exc:
        services.deal_update(deal=deal, by=company["rep"], stage="lost", title="Changed")
    assert "lost_reason" in exc.value.message_dict
    assert Deal.objects.values().get(pk=deal.pk) == before


def test_rep_cannot_hand_a_deal_to_a_colleague(company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    with pytest.raises(ValidationError) as exc:
        services.deal_update(deal=deal, by=company["rep"], owner=company["other_rep"])
    assert "owner" in exc.value.message_dict


def test_update_refuses_fields_that_are_not_editable(company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    with pytest.raises(ValidationError) as exc:
        services.deal_update(deal=deal, by=company["rep"], credited_to=company["rep"])
    assert "credited_to" in exc.value.message_dict


def test_explicit_probability_wins_over_the_stage_default(company):
    deal = DealFactory(customer=CustomerFactory(owner=company["rep"]))
    services.deal_update(deal=deal, by=company["rep"], stage="proposal", probability=65)
    deal.refresh_from_db()
    assert (deal.stage_id, deal.probability) == ("proposal", 65)
