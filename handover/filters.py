"""Filters of the plan page (area 6A): narrow the portfolio by segment, key flag, region,
receiver and name. Expects handover.selectors.plan_customers (receiver_id annotation)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from crm.choices import Segment
from crm.filtering import BooleanFilter, FilterSet, IntegerFilter
from crm.search import SEARCH_HELP, name_search_q


class PlanFilter(FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), help_text=SEARCH_HELP
    )
    # Translators: empty choice of a filter: any segment
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label=_("Any"))
    is_key = BooleanFilter(label=_("Key customer"))
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact", label=_("Region"))
    receiver = IntegerFilter(field_name="receiver_id", label=_("Receiver"))

    def filter_search(self, queryset, name, value):
        return queryset.filter(name_search_q(term=value, fields=["name"]))
