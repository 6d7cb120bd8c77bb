"""Targets a manager sets and the results measured against them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class ActivityGoal(models.Model):
    """Weekly activity goals. A team default (team set, rep empty) applies to every rep of the
    team; a rep-specific goal overrides it. An empty week means a standing goal for every week."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activity_goals",
    )
    week = models.CharField(
        max_length=8, blank=True, help_text="ISO week, or empty for every week."
    )
    calls = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    new_prospects = models.PositiveIntegerField(default=0)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team_id", "rep_id", "-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "week"],
                condition=models.Q(rep__isnull=True),
                name="uniq_team_default_goal_week",
            ),
            models.UniqueConstraint(
                fields=["rep", "week"],
                condition=models.Q(rep__isnull=False),
                name="uniq_rep_goal_week",
            ),
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | models.Q(rep__isnull=False),
                name="activity_goal_has_team_or_rep",
            ),
        ]

    def __str__(self) -> str:
        who = self.rep or self.team
        return f"Goal {who} {self.week or 'every week'}"

    def clean(self) -> None:
        if not self.team_id and not self.rep_id:
            raise ValidationError("A goal belongs to a team (default) or to a rep.")
