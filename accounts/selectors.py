"""Reads about people: who a user may see and whom they may assign work to."""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import ApiToken, Team, TwoFactorPolicy, User, UserSession


def users_visible_to(*, user: User) -> QuerySet[User]:
    """Admins see everyone; a manager sees their team(s) and themself; a rep sees themself."""
    qs = User.objects.select_related("team")
    if user.is_admin:
        return qs
    if user.is_manager:
        return qs.filter(Q(team__manager=user) | Q(pk=user.pk))
    return qs.filter(pk=user.pk)


def teams_visible_to(*, user: User) -> QuerySet[Team]:
    qs = Team.objects.select_related("manager")
    if user.is_admin:
        return qs
    if user.is_manager:
        return qs.filter(manager=user)
    return qs.filter(pk=user.team_id) if user.team_id else qs.none()


def assignable_owners_for(*, user: User) -> QuerySet[User]:
    """Active people the user may hand a customer, deal or task to."""
    return users_visible_to(user=user).filter(is_active=True).exclude(role="admin")


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The caller's own API tokens, newest first (expired ones too, until revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def sessions_of(*, user: User) -> QuerySet[UserSession]:
    """The caller's own signed-in browsers, most recently seen first. A session past its
    expiry no longer signs anyone in, so it is not listed even before clearsessions runs."""
    return UserSession.objects.filter(user=user, session__expire_date__gt=timezone.now()).order_by(
        "-last_seen_at", "-id"
    )


# --- Two-factor sign-in (issue 12) -------------------------------------------------------


def two_factor_policy() -> dict[str, bool]:
    """Whether each role must use two-factor sign-in: the admin's choice where they made
    one, otherwise the CRM_2FA_REQUIRED_ROLES setting."""
    chosen = dict(TwoFactorPolicy.objects.values_list("role", "required"))
    defaults = set(settings.CRM_2FA_REQUIRED_ROLES)
    return {role: chosen.get(role, role in defaults) for role in Role.values}


def two_factor_required_for(*, user: User) -> bool:
    role = user.effective_role
    chosen = TwoFactorPolicy.objects.filter(role=role).values_list("required", flat=True).first()
    return role in settings.CRM_2FA_REQUIRED_ROLES if chosen is None else chosen


def user_has_two_factor(*, user: User) -> bool:
    """True once the user has confirmed an authenticator app: sign-in then asks a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def email_language_of(*, user: User) -> str:
    """The language e-mails to `user` are written in: their profile's, else the default
    (an e-mail has no browser to ask)."""
    return user.language or settings.LANGUAGE_CODE
