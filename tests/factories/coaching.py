"""Factories for the coaching app (issue 13). Several areas append here: append, never rewrite."""

import factory
from django.utils import timezone

# --- Action plans (issue 13) ---------------------------------------------------------------


class PlanTemplateFactory(factory.django.DjangoModelFactory):
    """An approved template (approved_at set); pass approved_at=None for a draft."""

    class Meta:
        model = "coaching.PlanTemplate"

    name = factory.Sequence(lambda n: f"Activity ramp {n}")
    kind = "activity_ramp"
    approved_at = factory.LazyFunction(timezone.now)


class PlanTemplateStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coaching.PlanTemplateStep"

    template = factory.SubFactory(PlanTemplateFactory)
    title = factory.Sequence(lambda n: f"Step {n}")
    owner = "rep"
    due_in_days = 7


class PlanTemplateMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coaching.PlanTemplateMeasure"

    template = factory.SubFactory(PlanTemplateFactory)
    metric = "calls"
    comparison = "gte"
    threshold = 80
    weeks = 2


# --- Onboarding ramp and manager's time log (issue 13) ----------------------------------


class TeamRampFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coaching.TeamRamp"

    team = factory.SubFactory("tests.factories.accounts.TeamFactory")
    steps = factory.LazyFunction(
        lambda: [
            {"until_week": 3, "percent": 40},
            {"until_week": 6, "percent": 60},
            {"until_week": 9, "percent": 80},
            {"until_week": 12, "percent": 100},
        ]
    )
    checklist = factory.LazyFunction(lambda: ["Training modules", "Shadowed calls"])


class RampChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coaching.RampChecklistItem"

    rep = factory.SubFactory("tests.factories.accounts.RepFactory")
    title = factory.Sequence(lambda n: f"Checklist item {n}")


class TimeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coaching.TimeEntry"

    manager = factory.SubFactory("tests.factories.accounts.ManagerFactory")
    date = factory.LazyFunction(timezone.localdate)
    minutes = 60
    category = "coaching"
