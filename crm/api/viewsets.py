"""What every resource viewset shares: a queryset that starts from the scoped selector, and
services whose Django ValidationError becomes a 400 with field errors."""

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet

from crm.access_log import access_record
from crm.api.errors import as_drf_validation_error
from crm.choices import AccessAction, AccessChannel
from handover.notice import customer_read, notice_guard_list


class ServiceCallMixin:
    """Run a service and turn its Django ValidationError into a 400 with field errors."""

    def call_service(self, fn: Callable, **kwargs):
        try:
            return fn(**kwargs)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc


class ScopedQuerysetMixin:
    """`get_queryset` is the caller's scope (`scoped_queryset`), so anything outside it is a
    404. Schema generation has no user: it gets an empty queryset of `scoped_model`."""

    scoped_model: type[Model]

    def scoped_queryset(self, *, user) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.scoped_model.objects.none()
        return self.scoped_queryset(user=self.request.user)


class CustomerDataMixin:
    """Viewsets of a customer's data (customers, contacts, deals, activities, tasks), for
    the notice period and the access log (issue 12): a rep in their notice period gets no
    list (403); every record opened, changed or listed is logged by its customer (a list
    page in one INSERT), and a departing rep's single records count against the daily
    limit (429). `customer_field` names the row's customer id."""

    customer_field = "customer_id"

    def list(self, request, *args, **kwargs):
        notice_guard_list(user=request.user)
        return super().list(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            access_record(
                user=self.request.user,
                customer_ids=[getattr(row, self.customer_field) for row in page],
                channel=AccessChannel.API,
                action=AccessAction.LIST,
            )
        return page

    def get_object(self):
        obj = super().get_object()
        customer_read(
            user=self.request.user,
            customer_id=getattr(obj, self.customer_field),
            channel=AccessChannel.API,
        )
        return obj
