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
