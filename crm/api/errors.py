"""API errors: 400 `{field: [messages]}`, 401/403/404 as DRF gives them, 429 saying a rate
limit was reached and when to retry, and Django's ValidationError raised by services turned
into the same 400 shape instead of a 500."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from handover.notice import NoticeReadLimitReached


class NoticeReadLimit(exceptions.APIException):
    """429: a rep in their notice period opened the day's limit of customers."""

    status_code = 429
    default_code = "notice_read_limit"


def as_drf_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, NoticeReadLimitReached):
        exc = NoticeReadLimit(str(exc))
    elif isinstance(exc, exceptions.Throttled):  # 429: say what happened, DRF adds the wait
        exc = exceptions.Throttled(
            wait=exc.wait, detail=_("Too many requests: the API rate limit was reached.")
        )
    return drf_exception_handler(exc, context)
