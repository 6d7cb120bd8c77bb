"""Customer and contact services: the rules hold whoever calls them (page, API, import)."""

import pytest
from django.core.exceptions import ValidationError

from crm.models import Contact, OwnershipChange
from crm.services import (
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_update,
)
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_create_defaults_owner_to_the_caller_and_opens_the_log(company):
    customer = customer_create(by=company["rep"], name="Acme", source="referral")
    assert customer.owner == company["rep"] and customer.source == "referral"
    log = OwnershipChange.objects.get(customer=customer)
    assert (log.object_type, log.object_id, log.from_user, log.to_user) == (
        "customer",
        customer.pk,
        None,
        company["rep"],
    )


def test_create_validates_fields_and_writes_nothing(company):
    with pytest.raises(ValidationError) as err:
        customer_create(by=company["rep"], name="", segment="gold")
    assert {"name", "segment"} <= set(err.value.message_dict)
    assert not OwnershipChange.objects.exists()


def test_unknown_or_derived_fields_are_refused(company):
    with pytest.raises(ValidationError) as err:
        customer_create(by=company["rep"], name="X", is_key=True)
    assert "is_key" in err.value.message_dict


def test_inactive_owner_is_refused(company):
    company["other_rep"].is_active = False
    company["other_rep"].save()
    with pytest.raises(ValidationError) as err:
        customer_create(by=company["north_mgr"], name="X", owner=company["other_rep"])
    assert "owner" in err.value.message_dict


def test_update_logs_only_a_real_owner_change(company):
    customer = customer_create(by=company["rep"], name="Acme")
    customer_update(customer=customer, by=company["rep"], name="Acme 2")
    assert OwnershipChange.objects.filter(customer=customer).count() == 1
    customer_update(customer=customer, by=company["admin"], owner=company["south_rep"])
    latest = OwnershipChange.objects.filter(customer=customer).order_by("-id").first()
    assert (latest.from_user, latest.to_user, latest.changed_by) == (
        company["rep"],
        company["south_rep"],
        company["admin"],
    )


def test_update_does_not_move_the_customers_deals(company):
    customer = CustomerFactory(owner=company["rep"])
    deal = DealFactory(customer=customer)
    customer_update(customer=customer, by=company["north_mgr"], owner=company["other_rep"])
    deal.refresh_from_db()
    assert deal.owner == company["rep"]


def test_rep_cannot_reassign_their_customer(company):
    customer = CustomerFactory(owner=company["rep"])
    with pytest.raises(ValidationError) as err:
        customer_update(customer=customer, by=company["rep"], owner=company["other_rep"])
    assert "owner" in err.value.message_dict
    customer.refresh_from_db()
    assert customer.owner == company["rep"]


def test_contacts_only_on_visible_customers(company):
    mine = CustomerFactory(owner=company["rep"])
    theirs = CustomerFactory(owner=company["south_rep"])
    contact = contact_create(by=company["rep"], customer=mine, first_name="Ada")
    with pytest.raises(ValidationError) as err:
        contact_create(by=company["rep"], customer=theirs, first_name="Eve")
    assert "customer" in err.value.message_dict
    with pytest.raises(ValidationError):
        contact_update(contact=contact, by=company["rep"], customer=theirs)
    with pytest.raises(ValidationError):
        contact_delete(contact=ContactFactory(customer=theirs), by=company["rep"])
    contact_delete(contact=contact, by=company["rep"])
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Contact.objects.filter(customer=theirs).count() == 1
