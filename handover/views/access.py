"""The notice period's pages for admins and managers (issue 12): "lock now" on the handover
page, and the access log (who read, exported or imported which customer, when), filterable
by person and day, with a CSV export of exactly the filtered rows. Reps have no access log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.access_log import access_log_visible_to
from crm.filters import AccessLogFilter
from crm.web import csv_download, int_param, querystring, render_page
from handover import services
from handover.selectors import handovers_visible_to

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
EXPORT_HEADER = ["at", "person", "customer_id", "customer", "channel", "action"]


@login_required
@require_POST
def handover_lock(request: HttpRequest, pk: int) -> HttpResponse:
    handover = get_object_or_404(handovers_visible_to(user=request.user), pk=pk)
    try:
        handover = services.handover_lock_now(handover=handover, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(rep)s is locked out: every session and API token is revoked.")
            % {"rep": handover.departing_rep},
        )
    return redirect("handover:plan", pk=handover.pk)


def _access_filter(request: HttpRequest) -> AccessLogFilter:
    if request.user.is_rep:
        raise PermissionDenied(_("The access log is for managers and admins."))
    return AccessLogFilter(
        request.GET, queryset=access_log_visible_to(user=request.user), request=request
    )


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    filterset = _access_filter(request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page_size = int_param(request, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    page = Paginator(rows, page_size).get_page(request.GET.get("page"))
    query = querystring(request)
    context = {
        "filter": filterset,
        "page": page,
        "querystring": query,
        "export_url": f"{reverse('handover:access-log-export')}?{query}",
        "retention_days": settings.CRM_ACCESS_LOG_RETENTION_DAYS,
    }
    return render_page(
        request, "handover/access_log.html", "handover/_access_log_table.html", context
    )


@login_required
def access_log_export(request: HttpRequest) -> HttpResponse:
    filterset = _access_filter(request)
    if not filterset.is_valid():
        return HttpResponse(
            _("Invalid filter: %(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())},
            status=400,
            content_type="text/plain",
        )
    rows = filterset.qs.values_list(
        "at", "user__username", "customer_id", "customer__name", "channel", "action"
    )
    return csv_download(
        filename="access-log.csv",
        header=EXPORT_HEADER,
        rows=(
            [timezone.localtime(at).isoformat(), *rest]
            for at, *rest in rows.iterator(chunk_size=2000)
        ),
    )


urlpatterns = [
    path("handovers/<int:pk>/lock/", handover_lock, name="lock"),
    path("handovers/access-log/", access_log, name="access-log"),
    path("handovers/access-log.csv", access_log_export, name="access-log-export"),
]
