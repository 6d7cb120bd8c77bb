"""The ownership log keeps its history when what it mentions goes away: its references are
not database constraints (crm.models.OwnershipChange), so Django's on_delete rules are the
ones that hold, and these tests pin them."""

import pytest
from django.db.models import ProtectedError

from crm.models import Customer, OwnershipChange
from crm.services import customer_create, customer_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(company):
    """Given a customer created by one rep and handed to another by an admin."""
    customer = customer_create(by=company["rep"], name="Acme")
    customer_update(customer=customer, by=company["admin"], owner=company["other_rep"])
    return customer


def test_deleting_a_customer_keeps_its_log_rows_without_the_link(moved):
    Customer.objects.filter(pk=moved.pk).delete()

    rows = OwnershipChange.objects.filter(object_type="customer", object_id=moved.pk)
    assert rows.count() == 2
    assert set(rows.values_list("customer_id", flat=True)) == {None}
    assert set(rows.values_list("object_repr", flat=True)) == {"Acme"}


def test_a_user_named_in_the_log_cannot_be_deleted(company, moved):
    with pytest.raises(ProtectedError):
        company["other_rep"].delete()
    assert OwnershipChange.objects.filter(to_user=company["other_rep"]).count() == 1


def test_deleting_who_made_a_change_keeps_the_change(company, moved):
    company["admin"].delete()

    change = OwnershipChange.objects.get(object_id=moved.pk, to_user=company["other_rep"])
    assert change.changed_by_id is None and change.from_user == company["rep"]
