"""<option>s as one string join instead of a template loop: pages that repeat a <select>
on every row (a stage on each of the board's ~70 cards, a receiver on each of the handover
plan's 100 rows, each listing every eligible rep) spent most of their render time there."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def select_options(objects, selected, value: str = "pk", label: str = "") -> SafeString:
    """One <option> per object: its `value` attribute as the value, its `label` attribute
    (or str()) as the text; the one whose value equals `selected` is selected."""
    return mark_safe(
        "".join(
            f'<option value="{escape(str(getattr(obj, value)))}"'
            f"{' selected' if getattr(obj, value) == selected else ''}>"
            f"{escape(str(getattr(obj, label) if label else obj))}</option>"
            for obj in objects
        )
    )
