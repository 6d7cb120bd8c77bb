"""What every resource viewset shares: a queryset that starts from the scoped selector, and
services whose Django ValidationError becomes a 400 with field errors."""

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet

from crm.api.errors import as_drf_validation_error


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
