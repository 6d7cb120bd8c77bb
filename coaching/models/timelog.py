"""The manager's time log (issue 13, seed "wrong responsibilities"): where a manager's
hours go, by category, against a target share spent on coaching (coaching.timelog)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeCategory(models.TextChoices):
    # Translators: a category of a manager's time: coaching their reps.
    COACHING = "coaching", _("Coaching")
    ADMIN = "admin", _("Admin / paperwork")
    # Translators: a category of a manager's time: selling to their own customers.
    SELLING = "selling", _("Own selling")
    MEETINGS = "meetings", _("Meetings")
    REPORTING = "reporting", _("Reporting")


class TimeEntry(models.Model):
    """Minutes a manager spent on one category on one day."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_entries"
    )
    date = models.DateField()
    minutes = models.PositiveIntegerField()
    category = models.CharField(max_length=20, choices=TimeCategory.choices)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["manager", "date"])]
        verbose_name_plural = _("time entries")

    def __str__(self) -> str:
        return f"{self.manager} {self.date} {self.category} {self.minutes} min"


class CoachingTarget(models.Model):
    """A team's target share (%) of its manager's logged time spent on coaching; a team
    without one follows settings.CRM_COACHING_TARGET_SHARE."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="coaching_target"
    )
    share = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    def __str__(self) -> str:
        return f"{self.team}: {self.share}% coaching"
