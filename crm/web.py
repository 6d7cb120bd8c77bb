"""Helpers every page shares: whole page or htmx partial, service errors on a form, the
list's query string, and streamed CSV downloads."""

import csv
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render


def render_page(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    """The full page normally; only the partial beside it when htmx asks for a fragment."""
    return render(request, partial if request.htmx else template, context)


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: form-wide)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def int_param(request: HttpRequest, name: str, *, default: int, maximum: int) -> int:
    """A whole-number query parameter kept within 1..maximum; nonsense gives the default."""
    try:
        value = int(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
    return max(1, min(value, maximum))


def querystring(request: HttpRequest, *drop: str) -> str:
    """The current filters as a query string, without the page number (and `drop`)."""
    params = request.GET.copy()
    for name in ("page", *drop):
        params.pop(name, None)
    return params.urlencode()


def sort_columns(request: HttpRequest, columns) -> list[dict]:
    """Table headers from (label, ordering key or None, css class): a sortable header links
    to the same list ordered by its key, flipping the direction when already sorted by it."""
    current = request.GET.get("ordering", "")
    headers = []
    for label, key, css in columns:
        header = {"label": label, "css": css, "url": "", "arrow": ""}
        if key:
            params = request.GET.copy()
            params.pop("page", None)
            params["ordering"] = f"-{key}" if current == key else key
            header["url"] = f"?{params.urlencode()}"
            header["arrow"] = "▲" if current == key else "▼" if current == f"-{key}" else ""
        headers.append(header)
    return headers


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer feeds a stream."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula: text typed by people that starts
    with =, +, -, @ gets a leading apostrophe. Numbers and dates pass unchanged."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_download(*, filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> HttpResponse:
    """Stream a CSV download row by row: large exports never sit whole in memory."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
