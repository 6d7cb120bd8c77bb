"""The coaching domain, one module per area; every model is re-exported here for Django."""

from coaching.models.plans import (  # noqa: F401  (action plans, issue 13)
    ActionPlan,
    PlanChangeRequest,
    PlanCheckIn,
    PlanMeasure,
    PlanStep,
    PlanTemplate,
    PlanTemplateMeasure,
    PlanTemplateStep,
)
from coaching.models.ramp import RampChecklistItem, RepRamp, TeamRamp  # noqa: F401  (ramp)
from coaching.models.recognition import Badge, TeamRecognition  # noqa: F401  (recognition)
from coaching.models.timelog import CoachingTarget, TimeCategory, TimeEntry  # noqa: F401
