from django.apps import AppConfig


class CoachingConfig(AppConfig):
    """Turning the KPIs into action (issue 13): action plans from pre-approved templates,
    the onboarding ramp, the manager's time log and the team's recognition."""

    name = "coaching"
