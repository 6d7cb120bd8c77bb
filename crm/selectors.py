"""Reads of the sales domain. The *_visible_to selectors are the one place that decides
what a user may see: every page, endpoint, export and search starts from them."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import CompetingLine, User
from crm.models import Contact, Customer, Deal, OwnershipChange


def owner_scope_q(*, user: User, field: str = "owner") -> Q:
    """Q object restricting `field` (a user FK path) to what `user` may see."""
    if user.is_admin:
        return Q()
    if user.is_manager:
        return Q(**{f"{field}__team__manager": user}) | Q(**{field: user})
    return Q(**{field: user})


def customers_visible_to(*, user: User) -> QuerySet[Customer]:
    return Customer.objects.filter(owner_scope_q(user=user))


def contacts_visible_to(*, user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(owner_scope_q(user=user, field="customer__owner"))


def deals_visible_to(*, user: User) -> QuerySet[Deal]:
    """Deals the user owns (or their team owns), plus any deal on a customer in their
    portfolio: closed deals keep their original owner but stay visible to the new one."""
    if user.is_admin:
        return Deal.objects.all()
    return Deal.objects.filter(
        owner_scope_q(user=user) | owner_scope_q(user=user, field="customer__owner")
    )


def ownership_changes_visible_to(*, user: User) -> QuerySet[OwnershipChange]:
    if user.is_admin:
        return OwnershipChange.objects.all()
    return OwnershipChange.objects.filter(
        owner_scope_q(user=user, field="customer__owner")
        | owner_scope_q(user=user, field="to_user")
    )


def with_conflict_flag(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate `has_conflict`: the owner sells a competing line in the customer's industry."""
    return qs.annotate(
        has_conflict=Exists(
            CompetingLine.objects.filter(
                rep_id=OuterRef("owner_id"), product_line__iexact=OuterRef("industry")
            )
        )
    )
