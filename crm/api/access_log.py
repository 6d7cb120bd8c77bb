"""GET /api/access-log/: the access log for admins (everyone) and managers (their team);
reps get 403. Filters as on the page (crm.filters.AccessLogFilter)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from crm.access_log import access_log_visible_to
from crm.api.fields import ModelSerializer
from crm.api.viewsets import ScopedQuerysetMixin
from crm.filters import AccessLogFilter
from crm.models import CustomerAccess


class CustomerAccessSerializer(ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default=None)

    class Meta:
        model = CustomerAccess
        fields = ["id", "at", "user", "username", "customer", "customer_name", "channel", "action"]


@extend_schema_view(
    list=extend_schema(summary="Who listed, opened, exported or imported which customer, when")
)
class AccessLogViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CustomerAccessSerializer
    filterset_class = AccessLogFilter
    scoped_model = CustomerAccess

    def scoped_queryset(self, *, user):
        if user.is_rep:
            raise PermissionDenied(_("The access log is for managers and admins."))
        return access_log_visible_to(user=user)
