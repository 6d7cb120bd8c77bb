"""Sign-in lockout (django-axes) as the CRM uses it: the client's address, the message and
page a locked-out client gets, and the failures axes cannot see by itself (a wrong code at
the two-factor step)."""

import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from accounts.forms import LoginForm

API_PREFIX = "/api/"


def client_ip(request: HttpRequest) -> str | None:
    """The address failures are counted against. REMOTE_ADDR, unless CRM_TRUSTED_PROXY_COUNT
    proxies sit in front: each appends the address it was reached from to X-Forwarded-For,
    so the client is the Nth entry from the end; anything before it may be forged."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.CRM_TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def lockout_message() -> str:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return ngettext(
        "Too many failed sign-in attempts; try again in %(count)s minute.",
        "Too many failed sign-in attempts; try again in %(count)s minutes.",
        minutes,
    ) % {"count": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """What axes answers a locked-out client (AXES_LOCKOUT_CALLABLE): JSON 429 on the API,
    otherwise the normal login page with the message, 429."""
    message = lockout_message()
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=429)
    return render_locked_login(request, message=message)


def render_locked_login(request: HttpRequest, *, message: str) -> HttpResponse:
    context = {
        "form": LoginForm(request),
        "lockout_message": message,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/login.html", context, status=429)


def is_locked_out(request: HttpRequest, *, username: str) -> bool:
    """True when the username or this client's address is locked right now."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def record_failure(request: HttpRequest, *, username: str) -> bool:
    """Count a failed sign-in step for `username` from this client, as a wrong password
    counts. Returns True when this failure locked them out."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))
