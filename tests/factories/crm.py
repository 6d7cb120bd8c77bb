from decimal import Decimal

import factory

from crm.models import Contact, Customer, Deal
from tests.factories.accounts import RepFactory


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n:05d}")
    owner = factory.SubFactory(RepFactory)
    segment = "primary"
    status = "active"
    source = "cold_call"
    industry = "Manufacturing"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    customer = factory.SubFactory(CustomerFactory)
    owner = factory.LazyAttribute(lambda d: d.customer.owner)
    title = factory.Sequence(lambda n: f"Deal {n}")
    amount = Decimal("1000.00")
    stage_id = "lead"
    probability = 10


# --- Customers and contacts (issue 3: customers area) ---------------------------------


def won_deal(*, customer, amount, days_ago: int = 30, **fields):
    """A deal won `days_ago` days ago, for key-customer revenue."""
    from datetime import timedelta

    from django.utils import timezone

    return DealFactory(
        customer=customer,
        amount=Decimal(amount),
        stage_id="won",
        probability=100,
        closed_at=timezone.localdate() - timedelta(days=days_ago),
        **fields,
    )


# --- Territories (issue 13) ----------------------------------------------------------------


def territory(*, team, name, priority=100, **rules):
    """A territory with rules given as kind=[values], e.g. postal_prefix=["80", "81"]."""
    from crm.models import Territory, TerritoryRule

    made = Territory.objects.create(team=team, name=name, priority=priority)
    TerritoryRule.objects.bulk_create(
        [TerritoryRule(territory=made, kind=k, value=v) for k, vs in rules.items() for v in vs]
    )
    return made
