"""Writes about people and teams."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import Team, User


@transaction.atomic
def user_create(*, username: str, password: str, **fields) -> User:
    user = User(username=username, **fields)
    user.is_staff = user.is_admin
    validate_password(password, user)
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
        validate_password(password, user)
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


def _user_session_keys(*, user: User) -> list[str]:
    """Keys of the unexpired database sessions signed in as `user` (decoded one by one:
    the user id lives inside the signed session data, not in a column)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Shut a departing user out at once, on every path in:

    - is_active False: the login form refuses them and, on every later request, Django's
      ModelBackend and DRF's TokenAuthentication treat an inactive user as signed out;
    - their API tokens are deleted (a token is a password of its own);
    - their browser sessions are deleted, so no open tab keeps a signed-in page.
    The password is left as it is, so an undone handover can reactivate them unchanged."""
    from rest_framework.authtoken.models import Token

    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    Token.objects.filter(user_id=user.pk).delete()
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=_user_session_keys(user=user)).delete()
    return user


@transaction.atomic
def user_reactivate(*, user: User) -> User:
    """Let a deactivated user sign in again (their old password still works; tokens and
    sessions stay revoked, they sign in afresh)."""
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.is_active = True
    return user
