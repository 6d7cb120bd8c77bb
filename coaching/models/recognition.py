"""Recognition (issue 13): each team's leaderboard settings (points per activity kind,
hidden or shown) and the badges reps earn when they reach an incentive."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Points per activity kind when a team has not set its own (settings.COACHING_POINTS).
POINT_KINDS = ("call", "meeting", "visit", "email", "referral", "note")


def default_points(kind: str) -> int:
    return int(settings.COACHING_POINTS.get(kind, 0))


class TeamRecognition(models.Model):
    """One team's leaderboard settings, set by its manager (or an admin). A team without a
    row, or an empty points field, uses the defaults: shown, settings.COACHING_POINTS."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="+")
    leaderboard_hidden = models.BooleanField(
        default=False, help_text=_("Hidden: reps see a note instead; managers still see it.")
    )
    points_call = models.PositiveSmallIntegerField(null=True, blank=True)
    points_meeting = models.PositiveSmallIntegerField(null=True, blank=True)
    points_visit = models.PositiveSmallIntegerField(null=True, blank=True)
    points_email = models.PositiveSmallIntegerField(null=True, blank=True)
    points_referral = models.PositiveSmallIntegerField(null=True, blank=True)
    points_note = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("team recognition settings")

    def __str__(self) -> str:
        return f"Recognition settings of {self.team}"

    def points(self) -> dict[str, int]:
        """Points per activity kind: the team's own, else the default."""
        own = {kind: getattr(self, f"points_{kind}") for kind in POINT_KINDS}
        return {k: default_points(k) if v is None else v for k, v in own.items()}


class Badge(models.Model):
    """A rep reached an incentive's level in one period. Awarded once per (rep, incentive,
    period) by coaching.recognition.award_badges, with the figures it was earned on."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges"
    )
    incentive = models.ForeignKey(
        "reports.Incentive", on_delete=models.CASCADE, related_name="badges"
    )
    period_start = models.DateField()
    won = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    quota = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    attainment = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ["-awarded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "incentive", "period_start"], name="coaching_badge_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rep}: {self.incentive} ({self.period_start:%Y-%m})"
