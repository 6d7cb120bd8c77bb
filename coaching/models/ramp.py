"""The onboarding ramp (issue 13): a team's ramp schedule and checklist template, and per
new rep their checklist and buddy. The rule (which week of the ramp a rep is in and the
share of the team's targets that applies) lives in coaching.ramp."""

from django.conf import settings
from django.db import models


class TeamRamp(models.Model):
    """A team's ramp: `steps` as [{"until_week": 3, "percent": 40}, ...] (ramp week n gets
    the percent of the first step with until_week >= n; after the last step 100%), and the
    checklist every new rep of the team starts from (a list of titles). A team without a
    row follows settings.CRM_RAMP_DEFAULT_SCHEDULE and the default checklist."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="ramp")
    steps = models.JSONField(default=list)
    checklist = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id"]

    def __str__(self) -> str:
        return f"Ramp of {self.team}"


class RepRamp(models.Model):
    """A new rep's ramp companion: their buddy (another active rep of the same team)."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ramp"
    )
    buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buddy_of",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rep_id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(buddy=models.F("rep")), name="ramp_buddy_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"Ramp of {self.rep}"


class RampChecklistItem(models.Model):
    """One item of a new rep's checklist (copied from the team's template, or added by the
    manager), checked off by the rep or their manager: who and when."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ramp_checklist"
    )
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rep_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "title"], name="uniq_ramp_checklist_title")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None
