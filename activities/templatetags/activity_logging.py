"""`{% quick_log customer=… deal=… target=… %}`: the quick-log form on pages whose views
belong to other areas (customer page, deal page), built by the same function as everywhere
else (activities.views.logging.quick_log_context) from the page's request."""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def quick_log(context, customer=None, deal=None, target=None):
    from activities.views.logging import quick_log_context

    request = context["request"]
    ql = quick_log_context(request, customer, deal, target=target)
    return render_to_string("activities/logging/_quick_log.html", ql, request=request)
