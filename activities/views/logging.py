"""Logging activities from the pages: the quick-log form (customer page, deal page, "My week"),
which posts with htmx and puts the new entry at the top of the list without a reload, and
the edit / delete pages for mistakes (owner only, during the week, until it is locked).
Thin: the scoped selectors find the rows, activities.services validates and writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget

from activities import services
from activities.forms import ActivityEditForm, QuickLogForm
from activities.models import Activity
from activities.selectors import (
    activities_for_list,
    activity_lock_reason,
    recent_activities,
)
from crm.choices import AccessChannel
from crm.ids import parse_id
from crm.models import Customer, Deal
from crm.selectors import customers_visible_to, deals_visible_to
from crm.web import add_service_errors
from handover.notice import customer_read

FORM_ID = "quick-log"
OWN_LIST = "#activity-list"
# Lists a quick-log form may insert into: its own list, or the customer page's timeline.
TARGETS = (OWN_LIST, "#timeline-list")


def _mode(customer: Customer | None, deal: Deal | None) -> str:
    if deal is not None:
        return f"deal:{deal.pk}"
    if customer is not None:
        return f"customer:{customer.pk}"
    return ""


def quick_log_context(
    request: HttpRequest,
    customer: Customer | None = None,
    deal: Deal | None = None,
    *,
    target: str | None = None,
    form: QuickLogForm | None = None,
    logged: Activity | None = None,
) -> dict:
    """Everything templates/activities/logging/_quick_log.html needs, under one key `ql`
    (so it merges into any page's context): the form (customer and/or deal preselected),
    where a new entry goes, and, when it goes into the form's own list, the newest entries.

    `target` "#timeline-list" inserts into the customer page's timeline; by default the
    partial shows its own list (the deal's, the customer's, or the user's latest)."""
    target = target if target in TARGETS else OWN_LIST
    if form is None:
        form = QuickLogForm(user=request.user, customer=customer, deal=deal)
    recent = None
    if target == OWN_LIST:
        recent = recent_activities(user=request.user, customer=customer, deal=deal)
    return {
        "ql": {
            "form": form,
            "form_id": FORM_ID,
            "target": target,
            "recent": recent,
            "mode": _mode(customer, deal),
            "customer": customer,
            "deal": deal,
            "logged": logged,
            "next": request.get_full_path(),
        }
    }


def _fixed_links(request: HttpRequest, mode: str) -> tuple[Customer | None, Deal | None]:
    """The customer or deal a form was preselected for ("customer:7", "deal:9"), in scope."""
    kind, _sep, raw = (mode or "").partition(":")
    pk = parse_id(raw)
    if pk is None:
        return None, None
    if kind == "deal":
        deal = get_object_or_404(
            deals_visible_to(user=request.user).select_related("customer"), pk=pk
        )
        return deal.customer, deal
    if kind == "customer":
        return get_object_or_404(customers_visible_to(user=request.user), pk=pk), None
    return None, None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    url = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and ok else fallback


def _form_response(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    html = render_to_string("activities/logging/_quick_log_form.html", context, request=request)
    return HttpResponse(html, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def quick_log(request: HttpRequest) -> HttpResponse:
    """GET: the form again (htmx refreshes it when the customer changes, to offer that
    customer's contacts and deals). POST: log it; with htmx the response is the new entry
    (swapped in at the top of the list) plus the cleared form out of band, or the form
    with its field errors swapped over itself; without htmx a redirect or the full page."""
    params = request.POST if request.method == "POST" else request.GET
    customer, deal = _fixed_links(request, params.get("ql_mode", ""))
    target = params.get("ql_target", "")
    if request.method == "GET":
        form = QuickLogForm(user=request.user, customer=customer, deal=deal, initial=params.dict())
        context = quick_log_context(request, customer, deal, target=target, form=form)
        if request.htmx:
            return _form_response(request, context)
        return render(request, "activities/logging/log.html", context)

    form = QuickLogForm(request.POST, user=request.user, customer=customer, deal=deal)
    activity = None
    if form.is_valid():
        try:
            activity = services.activity_log(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if activity is None:
        context = quick_log_context(request, customer, deal, target=target, form=form)
        if request.htmx:
            return reswap(retarget(_form_response(request, context), f"#{FORM_ID}"), "outerHTML")
        return render(request, "activities/logging/log.html", context)

    names = {"kind": activity.get_kind_display(), "customer": activity.customer.name}
    if activity.is_late:
        label = (
            _(
                "%(kind)s with %(customer)s logged (late entry: the week's report is already "
                "submitted)."
            )
            % names
        )
    else:
        # Translators: e.g. "Call with Acme logged."
        label = _("%(kind)s with %(customer)s logged.") % names
    if not request.htmx:
        messages.success(request, label)
        fallback = reverse("crm:customer-detail", args=[activity.customer_id])
        return redirect(_safe_next(request, fallback))
    activity = activities_for_list(user=request.user).get(pk=activity.pk)
    context = quick_log_context(request, customer, deal, target=target, logged=activity)
    context["ql"].update(message=label, oob=True)
    context["ql"]["next"] = request.POST.get("next", "")
    context["a"] = activity
    return render(request, "activities/logging/_logged.html", context)


def _own_activity(request: HttpRequest, pk: int) -> Activity:
    """404 outside the user's scope; 403 for someone who sees it but did not log it."""
    activity = get_object_or_404(
        activities_for_list(user=request.user).select_related("owner__team"), pk=pk
    )
    if activity.owner_id != request.user.pk:
        raise PermissionDenied(services.MSG_NOT_OWNER)
    customer_read(user=request.user, customer_id=activity.customer_id, channel=AccessChannel.PAGE)
    return activity


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _own_activity(request, pk)
    locked = activity_lock_reason(activity=activity, user=request.user)
    form = ActivityEditForm(request.POST or None, user=request.user, activity=activity)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields if name != "customer"}
        if fields.get("occurred_at") is None:
            fields.pop("occurred_at", None)
        try:
            services.activity_update(activity=activity, by=request.user, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Translators: %(kind)s is an activity kind, e.g. "Call saved."
            messages.success(request, _("%(kind)s saved.") % {"kind": activity.get_kind_display()})
            return redirect("crm:customer-detail", pk=activity.customer_id)
    context = {"activity": activity, "form": form, "locked": locked}
    return render(request, "activities/logging/edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _own_activity(request, pk)
    error = activity_lock_reason(activity=activity, user=request.user)
    if request.method == "POST":
        try:
            services.activity_delete(activity=activity, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            kind = activity.get_kind_display()
            # Translators: %(kind)s is an activity kind, e.g. "Call deleted."
            messages.success(request, _("%(kind)s deleted.") % {"kind": kind})
            return redirect("crm:customer-detail", pk=activity.customer_id)
    context = {"activity": activity, "error": error}
    return render(request, "activities/logging/confirm_delete.html", context)


urlpatterns = [
    path("activities/log/", quick_log, name="quick-log"),
    path("activities/<int:pk>/edit/", activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", activity_delete, name="activity-delete"),
]
