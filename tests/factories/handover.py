"""Handover factories (issue 6, area 6A)."""

from datetime import timedelta

import factory
from django.utils import timezone

from handover.models import Handover, HandoverAssignment, ItemOverride, KnowledgeNote
from tests.factories.accounts import RepFactory


class HandoverFactory(factory.django.DjangoModelFactory):
    """A draft handover without a plan; use services.handover_start for a proposed plan."""

    class Meta:
        model = Handover

    departing_rep = factory.SubFactory(RepFactory)
    last_day = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    reason = "burnout"
    reason_detail = "More and more accounts, no help."


class HandoverAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandoverAssignment

    handover = factory.SubFactory(HandoverFactory)
    customer = None
    receiver = factory.SubFactory(RepFactory)
    proposed = True


class ItemOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemOverride

    handover = factory.SubFactory(HandoverFactory)
    kind = "deal"
    object_id = 0
    receiver = factory.SubFactory(RepFactory)


class KnowledgeNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeNote

    handover = factory.SubFactory(HandoverFactory)
    customer = None
    text = "Decision maker is the CFO; renewal each March."
