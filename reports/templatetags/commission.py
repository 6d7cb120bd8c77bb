"""{% deal_commission deal as value %}: the commission a won deal earns, for the deal page.
Only the credited rep, their manager and admins see it (None for anyone else)."""

from decimal import Decimal

from django import template

from reports.selectors import can_set_targets_for, commission_for_deal

register = template.Library()


@register.simple_tag(takes_context=True)
def deal_commission(context, deal) -> Decimal | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not deal.credited_to_id:
        return None
    if user.pk != deal.credited_to_id and not can_set_targets_for(user=user, rep=deal.credited_to):
        return None
    return commission_for_deal(deal=deal)
