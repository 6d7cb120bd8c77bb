"""Writes about people and teams."""

import hashlib
import secrets
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import ApiToken, Team, TwoFactorPolicy, User, UserSession
from accounts.selectors import two_factor_required_for, user_has_two_factor

API_TOKEN_USE_RESOLUTION = timedelta(minutes=5)


def _validate_new_password(password: str, *, user: User) -> None:
    """The password rules (AUTH_PASSWORD_VALIDATORS), reported on the password field."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def user_create(*, username: str, password: str, **fields) -> User:
    user = User(username=username, **fields)
    user.is_staff = user.is_admin
    _validate_new_password(password, user=user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, password: str | None = None, **fields) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    user.is_staff = user.is_admin
    if password:
        _validate_new_password(password, user=user)
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def team_create(*, name: str, manager: User | None = None, time_zone: str = "UTC") -> Team:
    team = Team(name=name, manager=manager, time_zone=time_zone)
    team.full_clean()
    team.save()
    if manager is not None and manager.team_id is None:
        User.objects.filter(pk=manager.pk).update(team=team)
    return team


@transaction.atomic
def team_update(*, team: Team, **fields) -> Team:
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    team.save()
    return team


# --- Offboarding (issue 6: handover execution, engineer 6B) ----------------------------


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Shut a departing user out at once, on every path in:

    - is_active False: the login form refuses them and, on every later request, Django's
      ModelBackend and the API's TokenAuthentication treat an inactive user as signed out;
    - their API tokens are deleted (a token is a password of its own);
    - their browser sessions are deleted, so no open tab keeps a signed-in page.
    The password is left as it is, so an undone handover can reactivate them unchanged."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    user_sign_out_everywhere(user=user)
    return user


@transaction.atomic
def user_reactivate(*, user: User) -> User:
    """Let a deactivated user sign in again (their old password still works; tokens and
    sessions stay revoked, they sign in afresh)."""
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    return user


# --- Tokens and sessions (issue 12) ----------------------------------------------------


def api_token_hash(key: str) -> str:
    """The stored form of an API key: its SHA-256, hex (keys are random, so no salt needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for `user`, valid CRM_API_TOKEN_TTL_DAYS. Returns the token and its
    raw key; the key is not stored and cannot be shown again."""
    name = name.strip()
    longest = ApiToken._meta.get_field("name").max_length
    if len(name) > longest:
        message = ngettext(
            "Keep the name to %(count)s character or fewer.",
            "Keep the name to %(count)s characters or fewer.",
            longest,
        ) % {"count": longest}
        raise ValidationError({"name": [message]})
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=api_token_hash(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + timedelta(days=settings.CRM_API_TOKEN_TTL_DAYS),
    )
    return token, key


def api_token_revoke(*, token: ApiToken, by: User) -> None:
    """Delete `token`; only its owner may (callers scope lookups to the owner, this guards
    against a caller that forgot)."""
    if token.user_id != by.pk:
        raise PermissionDenied(_("Only the owner can revoke this token."))
    token.delete()


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record that `token` authenticated a request, at most once per
    API_TOKEN_USE_RESOLUTION, so a busy client does not write a row per request."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= API_TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def user_session_track(
    *, user: User, session_key: str, ip: str | None = None, user_agent: str = ""
) -> None:
    """Record (or refresh) the browser session `session_key` of `user`: one UPDATE when it
    is known, an INSERT the first time. Nothing when the session row is already gone
    (signed out in another tab a moment ago)."""
    fields = {"user": user, "last_seen_at": timezone.now()}
    if ip is not None:
        fields["ip"] = ip
    if user_agent:
        fields["user_agent"] = user_agent[: UserSession._meta.get_field("user_agent").max_length]
    if UserSession.objects.filter(session_id=session_key).update(**fields):
        return
    try:
        with transaction.atomic():
            UserSession.objects.create(
                session_id=session_key, created_at=fields["last_seen_at"], **fields
            )
    except IntegrityError:
        pass  # the session row is gone, or another request of it inserted first


def user_session_revoke(*, user_session: UserSession, by: User) -> None:
    """Sign that browser out: its session row goes (the tracking row with it), so its next
    request is anonymous."""
    if user_session.user_id != by.pk:
        raise PermissionDenied(_("Only the owner can sign this session out."))
    Session.objects.filter(session_key=user_session.session_id).delete()


@transaction.atomic
def user_sessions_revoke_others(*, user: User, current_session_key: str | None) -> int:
    """Sign out every session of `user` except the browser asking. Returns how many."""
    others = UserSession.objects.filter(user=user).exclude(session_id=current_session_key)
    _, deleted = Session.objects.filter(session_key__in=others.values("session_id")).delete()
    return deleted.get(Session._meta.label, 0)


def _user_session_keys(*, user: User) -> list[str]:
    """Keys of the sessions of `user`: the tracked ones, and any unexpired untracked session
    (signed in before sessions were tracked) whose signed data names the user; those are
    decoded one by one, the user id is not in a column."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_id", flat=True))
    untracked = Session.objects.filter(expire_date__gt=timezone.now(), tracking__isnull=True)
    for session in untracked.iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> dict[str, int]:
    """Revoke every way `user` is signed in: all API tokens and all browser sessions.
    Returns {"tokens": n, "sessions": n} (rows deleted). Joins the caller's transaction."""
    tokens, _ = ApiToken.objects.filter(user=user).delete()
    _, sessions = Session.objects.filter(session_key__in=_user_session_keys(user=user)).delete()
    return {"tokens": tokens, "sessions": sessions.get(Session._meta.label, 0)}


# --- Sign-in: lockout and two-factor (issue 12) ----------------------------------------

RECOVERY_CODE_COUNT = 10
WRONG_CODE = gettext_lazy(
    "That code is wrong or was already used. Enter the current 6-digit code from your "
    "authenticator app, or one of your recovery codes."
)


def login_failures_reset(*, username: str) -> int:
    """A successful sign-in clears the failures counted against the username (those of
    its address stay: one good account must not unlock an address guessing others)."""
    return AxesProxyHandler.reset_attempts(username=username)


def _normalised_code(code: str) -> str:
    """People type codes with spaces or hyphens ("123 456", "abcd-efgh")."""
    return "".join(code.split()).replace("-", "").lower()


def _is_totp_code(code: str) -> bool:
    return code.isdigit() and len(code) == TOTPDevice._meta.get_field("digits").default


def _throttled_error(device: Device) -> ValidationError:
    _, detail = device.verify_is_allowed()
    seconds = max(1, int((detail["locked_until"] - timezone.now()).total_seconds()) + 1)
    message = ngettext(
        "Too many wrong codes in a row: wait %(count)s second and try again.",
        "Too many wrong codes in a row: wait %(count)s seconds and try again.",
        seconds,
    ) % {"count": seconds}
    return ValidationError({"code": [message]})


def _device_accepting(*, devices: QuerySet, code: str) -> Device:
    """The device among `devices` that accepts `code`. django-otp makes each code single
    use: a TOTP code is refused once a code of the same or a later time step was accepted,
    a recovery code is deleted when used. Wrong codes slow further tries (django-otp's
    throttling); the error is raised after the transaction so the throttle count stays."""
    error = ValidationError({"code": [WRONG_CODE]})
    with transaction.atomic():
        for device in devices.select_for_update():
            if not device.verify_is_allowed()[0]:
                error = _throttled_error(device)
                break
            if device.verify_token(code):
                return device
    raise error


def two_factor_verify(*, user: User, code: str) -> Device:
    """The second sign-in step: a current authenticator code or an unused recovery code."""
    code = _normalised_code(code)
    if not code:
        raise ValidationError({"code": [_("Enter the code from your authenticator app.")]})
    model = TOTPDevice if _is_totp_code(code) else StaticDevice
    return _device_accepting(devices=model.objects.filter(user=user, confirmed=True), code=code)


def two_factor_enrolment_device(*, user: User) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _recovery_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_enrol(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor sign-in on with the authenticator being set up, once it shows it
    works (a current code). Returns the device and the recovery codes, shown only once."""
    if user_has_two_factor(user=user):
        raise ValidationError({"code": [_("Two-factor sign-in is already on for your account.")]})
    pending = TOTPDevice.objects.filter(user=user, confirmed=False)
    if not pending.exists():
        raise ValidationError(
            {"code": [_("Reload the page to get a new QR code, then try again.")]}
        )
    code = _normalised_code(code)
    if not _is_totp_code(code):
        raise ValidationError({"code": [_("Enter the 6-digit code your authenticator app shows.")]})
    device = _device_accepting(devices=pending.order_by("-id")[:1], code=code)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = _recovery_codes_replace(user=user)
    return device, codes


def two_factor_recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a code proves who asks."""
    two_factor_verify(user=user, code=code)
    with transaction.atomic():
        return _recovery_codes_replace(user=user)


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-factor sign-in off, unless the user's role requires it."""
    if two_factor_required_for(user=user):
        raise ValidationError(
            {"code": [_("Your role requires two-factor sign-in, so it cannot be turned off.")]}
        )
    two_factor_verify(user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_policy_set(*, by: User, required: dict[str, bool]) -> None:
    """An admin decides, per role, whether two-factor sign-in is required."""
    if not by.is_admin:
        raise PermissionDenied(_("Only an admin may change the two-factor policy."))
    unknown = sorted(set(required) - set(Role.values))
    if unknown:
        # Translators: rep, manager and admin are the API's role keys: keep them as they are
        message = _("Not a role (rep, manager or admin).")
        raise ValidationError({role: [message] for role in unknown})
    for role, value in required.items():
        TwoFactorPolicy.objects.update_or_create(
            role=role, defaults={"required": bool(value), "updated_by": by}
        )


# --- Profile: the user's own name, e-mail, language and time zone (issue 14) ------------

PROFILE_FIELDS = ("first_name", "last_name", "email", "language", "time_zone")


def user_profile_update(*, user: User, **fields) -> User:
    """What a user may change about themselves (PROFILE_FIELDS): a blank language follows
    the browser's, a blank time zone the team's. Anything else is refused."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields) or None)
    return user


def user_language_set(*, user: User, language: str) -> None:
    """The language chosen with the header's switcher, saved on the profile (one UPDATE,
    none when it is already the user's)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("Unknown language.")]})
    if user.language != language:
        user.language = language
        User.objects.filter(pk=user.pk).update(language=language)
