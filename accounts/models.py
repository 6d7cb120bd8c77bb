"""Users, roles and teams: who works in the CRM and who reports to whom."""

import zoneinfo
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.choices import RepType, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. Europe/Berlin).")


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_teams",
        limit_choices_to={"role": Role.MANAGER},
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class User(AbstractUser):
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    rep_type = models.CharField(max_length=10, choices=RepType.choices, default=RepType.INSIDE)
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Percent of a won deal's amount, e.g. 5.00 for 5%.",
    )
    start_date = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        indexes = [models.Index(fields=["team", "role"])]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def effective_role(self) -> str:
        """A Django superuser is always an admin, whatever the role field says."""
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def is_admin(self) -> bool:
        return self.effective_role == Role.ADMIN

    def has_perm(self, perm, obj=None) -> bool:
        """Admins (role) run the Django admin with every permission, like superusers."""
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    @property
    def is_manager(self) -> bool:
        return self.effective_role == Role.MANAGER

    @property
    def is_rep(self) -> bool:
        return self.effective_role == Role.REP


class CompetingLine(models.Model):
    """Another principal an outside rep sells for; a customer in that line is a conflict."""

    rep = models.ForeignKey(User, on_delete=models.CASCADE, related_name="competing_lines")
    principal = models.CharField(max_length=120)
    product_line = models.CharField(
        max_length=120, help_text="Industry or product line, matched against customers."
    )

    class Meta:
        ordering = ["principal"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "principal", "product_line"], name="uniq_competing_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} ({self.product_line})"
