"""Action plans beside the reports dashboard (issue 13): the rep's running plan on their
numbers page and a "Start a plan" / "Open plan" action on each flagged rep. Each tag is one
selector call with a fixed number of queries."""

from django import template

from coaching import plan_selectors as sel

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_summary(context, rep):
    """The running plan of `rep` as the signed-in viewer may see it, or None."""
    return sel.plan_summary_for(viewer=context["request"].user, rep=rep)


@register.simple_tag
def running_plans(items) -> dict[int, int]:
    """{rep id: running plan id} for the at-risk items (each has `.rep`): one query."""
    return sel.active_plan_ids(rep_ids=[item.rep.pk for item in items])


@register.filter
def plan_of(plans: dict, rep_id):
    return (plans or {}).get(rep_id)


@register.simple_tag(takes_context=True)
def may_start_plan(context, rep) -> bool:
    return sel.may_manage_rep(user=context["request"].user, rep=rep)


@register.simple_tag(takes_context=True)
def pending_plan_changes(context) -> int:
    """How many plan changes wait for the signed-in approver (admins; 0 for others, no
    query)."""
    user = context["request"].user
    if not sel.may_decide(user=user):
        return 0
    return sel.pending_change_requests_for(user=user).count()
