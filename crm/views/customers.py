"""Pages for customers and their contacts. Thin: scoped selectors find the rows, services
write them, one filterset serves the list, its htmx refresh and the CSV export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from crm import services
from crm.access_log import access_record, access_record_query
from crm.choices import AccessAction, AccessChannel
from crm.filters import CustomerFilter
from crm.forms import ContactForm, CustomerForm
from crm.models import Customer
from crm.privacy import customer_privacy_state
from crm.selectors import (
    contacts_visible_to,
    customer_competing_lines,
    customer_picker_choices,
    customer_timeline,
    customers_for_list,
    deals_visible_to,
)
from crm.tasks import recompute_key_customers
from crm.territories import territory_choices_for
from crm.web import (
    add_service_errors,
    csv_download,
    int_param,
    querystring,
    render_page,
    sort_columns,
)
from handover.notice import customer_read, notice_guard_list
from handover.selectors import rep_has_open_handover

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
TIMELINE_PAGE_SIZE = 20

# (label, ordering key or None, css class)
LIST_COLUMNS = [
    (gettext_lazy("Name"), "name", ""),
    (gettext_lazy("Owner"), "owner", ""),
    (gettext_lazy("Segment"), "segment", ""),
    (gettext_lazy("Status"), "status", ""),
    (gettext_lazy("Source"), "source", ""),
    (gettext_lazy("Territory"), None, ""),  # issue 13
    (gettext_lazy("Open deals"), "open_deals_count", "num"),
    (gettext_lazy("Open value"), "open_deals_value", "num"),
]
EXPORT_HEADER = [
    "id",
    "name",
    "owner",
    "segment",
    "status",
    "source",
    "is_key",
    "has_conflict",
    "industry",
    "region",
    "city",
    "website",
    "phone",
    "open_deals_count",
    "open_deals_value",
    "created_at",
]


class _PageKeysPaginator(Paginator):
    """Pages of an annotated list: the page's keys are chosen by a subquery that sorts and
    skips without the annotations, and only the page's rows compute them (one query still).
    A plain OFFSET makes PostgreSQL evaluate every skipped row's open-deal subqueries: a
    manager's page 50 computed them for 2,500 rows to show 50 (perf, round 2)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if isinstance(rows, QuerySet) and bottom > 0 and not self._sorts_on_annotation(rows):
            keys = rows.values("pk")[bottom:top]
            rows = rows.filter(pk__in=Subquery(keys))
        else:
            rows = rows[bottom:top]
        return self._get_page(rows, number, self)

    @staticmethod
    def _sorts_on_annotation(rows: QuerySet) -> bool:
        """Sorting by an annotation needs it for every row anyway: then one plain slice."""
        names = {str(key).lstrip("-") for key in rows.query.order_by}
        return bool(names & set(rows.query.annotations))


def _customer_filter(request: HttpRequest) -> CustomerFilter:
    return CustomerFilter(
        request.GET, queryset=customers_for_list(user=request.user), request=request
    )


def _visible_customer(request: HttpRequest, pk: int) -> Customer:
    """One customer in scope, counted as opened (access log; the notice period's limit)."""
    customer = get_object_or_404(customers_for_list(user=request.user), pk=pk)
    customer_read(user=request.user, customer_id=customer.pk, channel=AccessChannel.PAGE)
    return customer


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    notice_guard_list(user=request.user, what=_("Customers"))
    filterset = _customer_filter(request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page_size = int_param(request, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    page = _PageKeysPaginator(rows, page_size).get_page(request.GET.get("page"))
    access_record(
        user=request.user,
        customer_ids=[customer.pk for customer in page],
        channel=AccessChannel.PAGE,
        action=AccessAction.LIST,
    )
    query = querystring(request)
    context = {
        "filter": filterset,
        "page": page,
        "columns": sort_columns(request, LIST_COLUMNS),
        "querystring": query,
        "export_url": f"{reverse('crm:customer-export')}?{query}",
        "can_manage": request.user.is_manager or request.user.is_admin,
    }
    return render_page(request, "crm/customers/list.html", "crm/customers/_table.html", context)


@login_required
def customer_export(request: HttpRequest) -> HttpResponse:
    """Exactly the rows of the current filtered list (same selector, same filterset)."""
    if rep_has_open_handover(user=request.user):  # issue 6: no export in the notice period
        raise PermissionDenied(_("You cannot export your portfolio during a handover."))
    filterset = _customer_filter(request)
    if not filterset.is_valid():
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()),
            status=400,
            content_type="text/plain",
        )

    access_record_query(
        user=request.user, customer_ids=filterset.qs.values("pk"), channel=AccessChannel.EXPORT
    )

    def rows():
        for c in filterset.qs.iterator(chunk_size=2000):
            yield [
                c.pk,
                c.name,
                c.owner.username,
                c.segment,
                c.status,
                c.source,
                c.is_key,
                c.has_conflict,
                c.industry,
                c.region,
                c.city,
                c.website,
                c.phone,
                c.open_deals_count,
                c.open_deals_value,
                c.created_at.isoformat(),
            ]

    return csv_download(filename="customers.csv", header=EXPORT_HEADER, rows=rows())


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
            return redirect("crm:customer-detail", pk=customer.pk)
    return render(request, "crm/customers/form.html", {"form": form, "customer": None})


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    # The form validates its own copy: ModelForm writes into its instance, and the service
    # must still see the current owner to log the change.
    form = CustomerForm(
        request.POST or None,
        instance=customers_for_list(user=request.user).get(pk=customer.pk),
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer=customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Customer “%(name)s” saved.") % {"name": customer.name})
            return redirect("crm:customer-detail", pk=customer.pk)
    return render(request, "crm/customers/form.html", {"form": form, "customer": customer})


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    timeline = customer_timeline(
        customer=customer,
        page=int_param(request, "tpage", default=1, maximum=10**6),
        page_size=TIMELINE_PAGE_SIZE,
    )
    context = {"customer": customer, "timeline": timeline}
    if request.htmx and request.GET.get("tpage"):
        return render(request, "crm/customers/_timeline.html", context)
    context.update(
        contacts=customer.contacts.all(),
        deals=deals_visible_to(user=request.user)
        .filter(customer=customer)
        .select_related("stage", "owner"),
        competing_lines=customer_competing_lines(customer=customer),
        can_manage=request.user.is_manager or request.user.is_admin,
        privacy=customer_privacy_state(customer=customer, by=request.user),
        territory_choices=territory_choices_for(customer=customer, user=request.user),
    )
    return render(request, "crm/customers/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(
                by=request.user, customer=customer, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Contact “%(name)s” added.") % {"name": contact})
            return redirect("crm:customer-detail", pk=customer.pk)
    return render(request, "crm/customers/contact_form.html", {"form": form, "customer": customer})


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(
        contacts_visible_to(user=request.user).select_related("customer"), pk=pk
    )
    customer_read(user=request.user, customer_id=contact.customer_id, channel=AccessChannel.PAGE)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Contact “%(name)s” saved.") % {"name": contact})
            return redirect("crm:customer-detail", pk=contact.customer_id)
    context = {"form": form, "customer": contact.customer, "contact": contact}
    return render(request, "crm/customers/contact_form.html", context)


@login_required
@require_POST
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(
        contacts_visible_to(user=request.user).select_related("customer"), pk=pk
    )
    customer_id, name = contact.customer_id, str(contact)
    services.contact_delete(contact=contact, by=request.user)
    messages.success(request, _("Contact “%(name)s” deleted.") % {"name": name})
    return redirect("crm:customer-detail", pk=customer_id)


@login_required
@require_POST
def key_customers_recompute(request: HttpRequest) -> HttpResponse:
    """Managers and admins queue the key-customer recomputation on demand."""
    if not (request.user.is_manager or request.user.is_admin):
        raise PermissionDenied(_("Only managers and admins recompute key customers."))
    recompute_key_customers.delay()
    messages.success(request, _("Key customers are being recomputed; reload in a moment."))
    return redirect("crm:customer-list")


@login_required
def customer_options(request: HttpRequest) -> HttpResponse:
    """<option>s for a customer picker: the visible customers whose name contains ?q= (or
    the recently touched ones). `?multiple=1` omits the "choose" placeholder, for pickers
    that append matches to a multi-select. A search, so none in the notice period."""
    notice_guard_list(user=request.user)
    choices = customer_picker_choices(user=request.user, query=request.GET.get("q", ""))
    options = "".join(f'<option value="{pk}">{escape(name)}</option>' for pk, name in choices)
    if request.GET.get("multiple") != "1":
        if choices:
            found = ngettext(
                "— choose (%(count)s match) —", "— choose (%(count)s matches) —", len(choices)
            ) % {"count": len(choices)}
        else:
            # Translators: the customer picker's placeholder when nothing matches.
            found = _("— choose (none) —")
        options = f'<option value="">{escape(found)}</option>' + options
    return HttpResponse(options)


urlpatterns = [
    path("customers/options/", customer_options, name="customer-options"),
    path("customers/", customer_list, name="customer-list"),
    path("customers/new/", customer_create, name="customer-create"),
    path("customers/export.csv", customer_export, name="customer-export"),
    path(
        "customers/key-customers/recompute/",
        key_customers_recompute,
        name="key-customers-recompute",
    ),
    path("customers/<int:pk>/", customer_detail, name="customer-detail"),
    path("customers/<int:pk>/edit/", customer_edit, name="customer-edit"),
    path("customers/<int:pk>/contacts/new/", contact_create, name="contact-create"),
    path("contacts/<int:pk>/edit/", contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/delete/", contact_delete, name="contact-delete"),
]
