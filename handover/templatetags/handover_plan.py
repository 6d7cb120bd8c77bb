"""The plan page renders a receiver <select> on each of its 100 rows, each listing every
eligible rep: one string join per row instead of a template loop (~5,000 options a page)."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def receiver_options(receivers, selected_id) -> SafeString:
    """The <option>s of one row's receiver select, the current receiver selected."""
    return mark_safe(
        "".join(
            f'<option value="{r.pk}"{" selected" if r.pk == selected_id else ""}>'
            f"{escape(str(r))}</option>"
            for r in receivers
        )
    )
