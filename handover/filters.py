"""Filters of the plan page (area 6A): narrow the portfolio by segment, key flag, region,
receiver and name. Expects handover.selectors.plan_customers (receiver_id annotation)."""

import django_filters

from crm.choices import Segment
from crm.filtering import BooleanFilter, FilterSet, IntegerFilter
from crm.search import SEARCH_HELP, name_search_q


class PlanFilter(FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label="Search", help_text=SEARCH_HELP
    )
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label="Any")
    is_key = BooleanFilter(label="Key customer")
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact", label="Region")
    receiver = IntegerFilter(field_name="receiver_id", label="Receiver")

    def filter_search(self, queryset, name, value):
        return queryset.filter(name_search_q(term=value, fields=["name"]))
