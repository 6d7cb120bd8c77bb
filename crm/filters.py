"""One filterset per model, serving both the browser list page and the API list."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import users_visible_to
from crm.choices import (
    AccessAction,
    AccessChannel,
    CustomerSource,
    CustomerStatus,
    DealStage,
    Segment,
)
from crm.currency import currency_choices
from crm.expressions import InSubquery
from crm.filtering import BooleanFilter, FilterSet, IntegerFilter
from crm.models import Contact, Customer, CustomerAccess, Deal, Territory
from crm.search import SEARCH_HELP, name_search_q

# --- Customers and contacts (issue 3: customers area) ---------------------------------


def _owners_for_request(request):
    """Owner choices follow the caller's scope; without a request (schema) nobody."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return User.objects.none()
    return users_visible_to(user=user)


def _customers_for_request(request):
    from crm.selectors import customers_visible_to

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Customer.objects.none()
    return customers_visible_to(user=user)


def _territories_for_request(request):
    from crm.territories import territories_visible_to

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Territory.objects.none()
    return territories_visible_to(user=user)


class CustomerFilter(FilterSet):
    """Filters of the customer list page, its CSV export and /api/customers/.

    Expects a queryset from crm.selectors.customers_for_list (it filters and sorts on the
    annotations has_conflict, open_deals_count and open_deals_value)."""

    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), help_text=SEARCH_HELP
    )
    segment = django_filters.ChoiceFilter(
        choices=Segment.choices, label=_("Segment"), empty_label=_("Any")
    )
    status = django_filters.ChoiceFilter(
        choices=CustomerStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    source = django_filters.ChoiceFilter(
        choices=CustomerSource.choices, label=_("Source"), empty_label=_("Any")
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=_owners_for_request, label=_("Owner"), empty_label=_("Anyone")
    )
    is_key = BooleanFilter(label=_("Key customer"))
    # Translators: a filter: the owner also sells a competing principal's line.
    conflict = BooleanFilter(field_name="has_conflict", label=_("Conflict"))
    has_conflict = BooleanFilter(field_name="has_conflict", label=_("Conflict"))
    territory = django_filters.ModelChoiceFilter(  # issue 13: the caller's territories only
        queryset=_territories_for_request, label=_("Territory"), empty_label=_("Any")
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("owner__last_name", "owner"),
            ("segment", "segment"),
            ("status", "status"),
            ("source", "source"),
            ("is_key", "is_key"),
            ("open_deals_count", "open_deals_count"),
            ("open_deals_value", "open_deals_value"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Customer
        fields = ["segment", "status", "source", "industry", "region", "city", "postal_code"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(name_search_q(term=value, fields=["name"]))

    @property
    def qs(self):
        # A stable order under any sort, so pages never repeat or skip rows.
        return super().qs.order_by(*(self._sort_keys() or ["name"]), "id")

    def _sort_keys(self) -> list[str]:
        if not self.is_bound or not self.is_valid():
            return []
        chosen = self.form.cleaned_data.get("ordering") or []
        names = dict(self.filters["ordering"].param_map)
        keys = []
        for value in chosen:
            desc = value.startswith("-")
            field = names.get(value.lstrip("-"))
            if field:
                keys.append(f"-{field}" if desc else field)
        return keys


class ContactFilter(FilterSet):
    """Filters of /api/contacts/ (and any contact list page)."""

    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(queryset=_customers_for_request)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("last_name", "last_name"),
            ("first_name", "first_name"),
            ("customer__name", "customer"),
            ("created_at", "created_at"),
        )
    )

    class Meta:
        model = Contact
        fields = ["customer", "is_primary", "email"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
            | Q(job_title__icontains=value)
        )


# --- Deals (issue 3: deals and pipeline area) ---------------------------------------------


class DealFilter(FilterSet):
    """Filters of the pipeline board, the deal list page, its CSV export and /api/deals/.

    Expects an already scoped queryset (crm.selectors.deals_visible_to): `customer` is a
    plain id filter, so it can never widen what the caller sees."""

    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_(
            "Deal title or customer name. Three letters or more match anywhere in the name; "
            "fewer match its start."
        ),
    )
    owner = django_filters.ModelChoiceFilter(queryset=_owners_for_request, label=_("Owner"))
    customer = IntegerFilter(field_name="customer_id", label=_("Customer id"))
    stage = django_filters.ChoiceFilter(
        field_name="stage_id", choices=DealStage.choices, label=_("Stage")
    )
    currency = django_filters.ChoiceFilter(  # issue 14: ?currency=NOK
        choices=currency_choices(),
        label=_("Currency"),
        error_messages={"invalid_choice": _("“%(value)s” is not a supported currency.")},
    )
    amount_min = django_filters.NumberFilter(
        field_name="amount", lookup_expr="gte", label=_("Min amount")
    )
    amount_max = django_filters.NumberFilter(
        field_name="amount", lookup_expr="lte", label=_("Max amount")
    )
    expected_close_after = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="gte", label=_("Closes from")
    )
    expected_close_before = django_filters.DateFilter(
        field_name="expected_close", lookup_expr="lte", label=_("Closes until")
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("amount", "amount"),
            ("expected_close", "expected_close"),
            ("updated_at", "updated_at"),
            ("title", "title"),
        ),
        label=_("Sort by"),
    )

    class Meta:
        model = Deal
        fields = ["search", "owner", "customer", "stage", "currency"]

    def filter_search(self, queryset, name, value):
        """The title, or the customer's name probed through the customer id index (an OR
        across the customer join would read every deal in scope)."""
        if not value.strip():
            return queryset
        customers = Customer.objects.filter(name_search_q(term=value, fields=["name"]))
        return queryset.filter(
            name_search_q(term=value, fields=["title"])
            | Q(InSubquery("customer_id", customers.order_by().values("pk")))
        )

    @property
    def is_searching(self) -> bool:
        """A search term is applied (the board then totals the few matches in one pass)."""
        return self.is_valid() and bool((self.form.cleaned_data.get("search") or "").strip())

    @property
    def qs(self):
        # A stable order under any sort (id breaks ties), so pages never repeat or skip rows.
        qs = super().qs
        keys = list(qs.query.order_by) or ["-updated_at"]
        return qs.order_by(*keys, "-id" if keys[0].startswith("-") else "id")


# --- The access log (issue 12) -----------------------------------------------------------


def _access_log_people(request):
    from crm.access_log import access_log_people

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return User.objects.none()
    return access_log_people(user=user)


class AccessLogFilter(FilterSet):
    """Filters of the access-log page, its CSV export and /api/access-log/. A day is the
    viewer's day (their team's time zone on pages)."""

    rep = django_filters.ModelChoiceFilter(
        field_name="user", queryset=_access_log_people, label=_("Person"), empty_label=_("Anyone")
    )
    day = django_filters.DateFilter(field_name="at", lookup_expr="date", label=_("Day"))
    customer = IntegerFilter(field_name="customer_id", label=_("Customer id"))
    channel = django_filters.ChoiceFilter(
        choices=AccessChannel.choices, label=_("Channel"), empty_label=_("Any")
    )
    action = django_filters.ChoiceFilter(
        choices=AccessAction.choices, label=_("Action"), empty_label=_("Any")
    )

    class Meta:
        model = CustomerAccess
        fields = ["rep", "day", "customer", "channel", "action"]
