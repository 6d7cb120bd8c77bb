"""Factories for targets and results (issue 5). WeeklyKPI rows are built directly here so
dashboard tests do not depend on the KPI job."""

from decimal import Decimal

import factory
from django.utils import timezone

from reports.models import ExpectationItem, ExpectationProfile, Quota, WeeklyKPI
from tests.factories.accounts import RepFactory


class WeeklyKPIFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyKPI

    rep = factory.SubFactory(RepFactory)
    team = factory.LazyAttribute(lambda k: k.rep.team)
    week = "2026-W47"
    calls = 0
    meetings = 0
    visits = 0
    new_prospects = 0
    goal_calls = 100
    goal_meetings = 5
    goal_visits = 3
    goal_new_prospects = 2
    computed_at = factory.LazyFunction(timezone.now)


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    rep = factory.SubFactory(RepFactory)
    period = "month"
    period_start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    revenue = Decimal("10000.00")


class ExpectationProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpectationProfile

    rep = factory.SubFactory(RepFactory)
    starts_on = factory.LazyFunction(timezone.localdate)


class ExpectationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpectationItem

    profile = factory.SubFactory(ExpectationProfileFactory)
    metric = "visits_per_primary"
    target = Decimal("3")
