"""Reads about people: who a user may see and whom they may assign work to."""

from django.db.models import Q, QuerySet

from accounts.models import Team, User


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
