"""Pages for personal data (admins): download a customer's or contact's data as JSON, and
erase it after a confirmation page. Thin: the scoped selectors find the row (404 outside the
caller's scope), crm.privacy checks the role (403) and does the work."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm import privacy
from crm.access_log import access_record
from crm.choices import AccessAction, AccessChannel
from crm.models import Contact, Customer
from crm.selectors import contacts_visible_to, customers_visible_to


def _json_download(*, data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _log_export(request: HttpRequest, customer_id: int) -> None:
    access_record(
        user=request.user,
        customer_ids=[customer_id],
        channel=AccessChannel.PAGE,
        action=AccessAction.EXPORT,
    )


@login_required
@require_GET
def customer_personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(customers_visible_to(user=request.user), pk=pk)
    data = privacy.customer_personal_data(customer=customer, by=request.user)
    _log_export(request, customer.pk)
    return _json_download(data=data, filename=f"customer-{customer.pk}-personal-data.json")


@login_required
@require_GET
def contact_personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(contacts_visible_to(user=request.user), pk=pk)
    data = privacy.contact_personal_data(contact=contact, by=request.user)
    _log_export(request, contact.customer_id)
    return _json_download(data=data, filename=f"contact-{contact.pk}-personal-data.json")


def _erase_page(
    request: HttpRequest, *, obj: Customer | Contact, customer: Customer, erase
) -> HttpResponse:
    """GET: what will be erased and a confirm button; POST: erase, back to the customer."""
    privacy.check_admin(request.user)
    if request.method == "POST":
        is_customer = isinstance(obj, Customer)
        kind = "customer" if is_customer else "contact"
        try:
            erase(**{kind: obj}, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The customer's personal data was erased.")
                if is_customer
                else _("The contact's personal data was erased."),
            )
        return redirect("crm:customer-detail", pk=customer.pk)
    is_customer = isinstance(obj, Customer)
    context = {
        "obj": obj,
        "customer": customer,
        "is_customer": is_customer,
        # stored data: the name an erased record gets (crm.privacy, never translated)
        "erased_name": privacy.erased_customer_name(obj.pk)
        if is_customer
        else privacy.erased_contact_name(obj.pk),
    }
    return render(request, "crm/customers/erase_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_erase(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(customers_visible_to(user=request.user), pk=pk)
    return _erase_page(request, obj=customer, customer=customer, erase=privacy.customer_erase)


@login_required
@require_http_methods(["GET", "POST"])
def contact_erase(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(
        contacts_visible_to(user=request.user).select_related("customer"), pk=pk
    )
    return _erase_page(request, obj=contact, customer=contact.customer, erase=privacy.contact_erase)


urlpatterns = [
    path(
        "customers/<int:pk>/personal-data.json",
        customer_personal_data,
        name="customer-personal-data",
    ),
    path("customers/<int:pk>/erase/", customer_erase, name="customer-erase"),
    path(
        "contacts/<int:pk>/personal-data.json", contact_personal_data, name="contact-personal-data"
    ),
    path("contacts/<int:pk>/erase/", contact_erase, name="contact-erase"),
]
