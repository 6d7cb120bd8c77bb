import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User
from crm.filtering import FilterSet


class UserFilter(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    ordering = django_filters.OrderingFilter(
        fields=(("username", "username"), ("last_name", "last_name"), ("date_joined", "joined"))
    )

    class Meta:
        model = User
        fields = ["role", "team", "rep_type", "is_active"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )


class TeamFilter(FilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    ordering = django_filters.OrderingFilter(fields=(("name", "name"),))

    class Meta:
        model = Team
        fields = ["manager"]
