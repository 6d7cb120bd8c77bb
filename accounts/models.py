"""Users, roles and teams: who works in the CRM and who reports to whom."""

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.choices import RepType, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("“%(value)s” is not a known time zone (e.g. Europe/Berlin).") % {"value": value}
        )


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
        help_text=gettext_lazy("Percent of a won deal's amount, e.g. 5.00 for 5%."),
    )
    start_date = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    # Issue 14: the user's own language and time zone; blank follows the browser's language
    # (Accept-Language, the switcher's cookie) and the team's time zone.
    language = models.CharField(
        gettext_lazy("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=gettext_lazy("Blank: the language your browser asks for."),
    )
    time_zone = models.CharField(
        gettext_lazy("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=gettext_lazy("Blank: your team's time zone."),
    )

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
    def tzinfo(self) -> zoneinfo.ZoneInfo | None:
        """The zone pages show this user's times in: their own, else their team's (None:
        the server's default). Reads `team` (the caller decides whether it is loaded)."""
        name = self.time_zone or (self.team.time_zone if self.team_id else "")
        return zoneinfo.ZoneInfo(name) if name else None

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
        max_length=120,
        help_text=gettext_lazy("Industry or product line, matched against customers."),
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


class ApiToken(models.Model):
    """One of a user's API keys. Only the key's SHA-256 is stored (a stolen database holds no
    usable key); `prefix` lets the owner tell keys apart. The raw key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name or gettext('API token')} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class UserSession(models.Model):
    """A signed-in browser, for the owner's list of sessions. It hangs off Django's database
    session row, so it disappears with it: on logout, on revoke and when clearsessions
    removes expired sessions."""

    session = models.OneToOneField(
        "sessions.Session", on_delete=models.CASCADE, related_name="tracking"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tracked_sessions")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} on {self.browser}"

    @property
    def browser(self) -> str:
        """ "Firefox on Linux": enough for a person to recognise their device (the first
        match wins: Edge's agent also names Chrome and Safari, an iPhone's names Mac OS X)."""
        agent = self.user_agent
        name = next((label for marker, label in _BROWSERS if marker in agent), "")
        system = next((label for marker, label in _SYSTEMS if marker in agent), "")
        if name and system:
            # Translators: a browser and the system it runs on, e.g. "Firefox on Linux"
            return gettext("%(browser)s on %(system)s") % {"browser": name, "system": system}
        return name or system or gettext("Unknown browser")


_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


class TwoFactorPolicy(models.Model):
    """An admin's decision whether a role must use two-factor sign-in. A role without a
    row follows the CRM_2FA_REQUIRED_ROLES setting."""

    role = models.CharField(max_length=10, choices=Role.choices, unique=True)
    required = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role"]
        verbose_name = gettext_lazy("two-factor policy")
        verbose_name_plural = gettext_lazy("two-factor policies")

    def __str__(self) -> str:
        if self.required:
            # Translators: a role's two-factor policy, e.g. "Admin: required"
            return gettext("%(role)s: required") % {"role": self.get_role_display()}
        # Translators: a role's two-factor policy, e.g. "Rep: optional"
        return gettext("%(role)s: optional") % {"role": self.get_role_display()}
