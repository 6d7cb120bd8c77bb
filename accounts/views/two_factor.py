"""Two-factor sign-in pages: setting up an authenticator app (QR code drawn on the server
as inline SVG, so the page needs no script), recovery codes, turning it off, and the
admins' per-role policy. Thin: the selectors read, the services write."""

from base64 import b32encode

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from qrcode.image.svg import SvgPathFillImage

from accounts import services
from accounts.forms import TwoFactorCodeForm, TwoFactorPolicyForm
from accounts.middleware import TWO_FACTOR_ENROL_SESSION_KEY
from accounts.selectors import (
    recovery_codes_left,
    two_factor_policy,
    two_factor_required_for,
    user_has_two_factor,
)
from crm.web import add_service_errors


def _qr_svg(data: str) -> str:
    """The QR code as an <svg> element: our own markup (path data only), safe to inline."""
    image = qrcode.make(data, image_factory=SvgPathFillImage, box_size=10, border=2)
    return mark_safe(image.to_string(encoding="unicode"))


def _in_groups(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """Recovery codes are shown in this one response (never stored readable, never again)."""
    shown = [f"{code[:4]}-{code[4:]}" for code in codes]
    return render(request, "accounts/two_factor_codes.html", {"codes": shown})


def _enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    required = two_factor_required_for(user=user)
    if not required:
        request.session.pop(TWO_FACTOR_ENROL_SESSION_KEY, None)  # an admin relaxed the rule
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.two_factor_enrol(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            otp_login(request, device)
            request.session.pop(TWO_FACTOR_ENROL_SESSION_KEY, None)
            messages.success(request, _("Two-factor sign-in is on."))
            return _show_codes(request, codes)
    device = services.two_factor_enrolment_device(user=user)
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _in_groups(b32encode(device.bin_key).decode()),
        "required": required,
    }
    return render(request, "accounts/two_factor_enrol.html", context)


def _manage(request: HttpRequest, **forms) -> HttpResponse:
    context = {
        "codes_left": recovery_codes_left(user=request.user),
        "required": two_factor_required_for(user=request.user),
        "regenerate_form": forms.get("regenerate_form") or TwoFactorCodeForm(prefix="regenerate"),
        "disable_form": forms.get("disable_form") or TwoFactorCodeForm(prefix="disable"),
    }
    return render(request, "accounts/two_factor.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set-up until the user has an authenticator; then its status and actions."""
    if not user_has_two_factor(user=request.user):
        return _enrol(request)
    return _manage(request)


@never_cache
@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    form = TwoFactorCodeForm(request.POST, prefix="regenerate")
    if form.is_valid():
        try:
            codes = services.two_factor_recovery_codes_regenerate(
                user=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("New recovery codes: the old ones no longer work."))
            return _show_codes(request, codes)
    return _manage(request, regenerate_form=form)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = TwoFactorCodeForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            services.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:two_factor")
    return _manage(request, disable_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_policy_edit(request: HttpRequest) -> HttpResponse:
    """Admins decide which roles must use two-factor sign-in."""
    if not request.user.is_admin:
        raise PermissionDenied(_("Only an admin may change the two-factor policy."))
    form = TwoFactorPolicyForm(request.POST or None, initial=two_factor_policy())
    if request.method == "POST" and form.is_valid():
        services.two_factor_policy_set(by=request.user, required=form.cleaned_data)
        messages.success(request, _("Two-factor policy saved; it applies from each next sign-in."))
        return redirect("accounts:two_factor_policy")
    return render(request, "accounts/two_factor_policy.html", {"form": form})


urlpatterns = [
    path("two-factor/", two_factor, name="two_factor"),
    path("two-factor/recovery-codes/", recovery_codes_regenerate, name="two_factor_recovery_codes"),
    path("two-factor/disable/", two_factor_disable, name="two_factor_disable"),
    path("two-factor/policy/", two_factor_policy_edit, name="two_factor_policy"),
]
