"""The signed-in user's security page: their browser sessions and API tokens, each one
revocable, and a form that issues a named token (its key is in that one response).
Thin: the selectors say what is the caller's own, the services write."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts import services
from accounts.forms import ApiTokenForm
from accounts.selectors import api_tokens_of, sessions_of
from crm.web import add_service_errors


def _render(
    request: HttpRequest, *, form: ApiTokenForm, new_key: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "sessions": sessions_of(user=request.user),
        "current_session_key": request.session.session_key,
        "tokens": api_tokens_of(user=request.user),
        "form": form,
        "new_key": new_key,
    }
    return render(request, "accounts/security.html", context, status=status)


@never_cache
@login_required
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    return _render(request, form=ApiTokenForm())


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """The page again, with the new key in it: rendered, not redirected, so the key is
    never stored anywhere (never_cache keeps browsers from keeping the page)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _, key = services.api_token_issue(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _render(request, form=ApiTokenForm(), new_key=key)
    return _render(request, form=form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_of(user=request.user), pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(
        request, _("Token “%(token)s” revoked; it no longer signs anyone in.") % {"token": token}
    )
    return redirect("accounts:security")


@login_required
@require_POST
def session_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user_session = get_object_or_404(sessions_of(user=request.user), pk=pk)
    services.user_session_revoke(user_session=user_session, by=request.user)
    if user_session.session_id == request.session.session_key:
        logout(request)  # this very browser: its session is gone, sign the request out too
        return redirect("accounts:login")
    messages.success(request, _("That session is signed out."))
    return redirect("accounts:security")


@login_required
@require_POST
def sessions_revoke_others(request: HttpRequest) -> HttpResponse:
    count = services.user_sessions_revoke_others(
        user=request.user, current_session_key=request.session.session_key
    )
    message = ngettext(
        "Signed out %(count)s other session.", "Signed out %(count)s other sessions.", count
    ) % {"count": count}
    messages.success(request, message)
    return redirect("accounts:security")


urlpatterns = [
    path("security/", security, name="security"),
    path("security/tokens/", token_create, name="token-create"),
    path("security/tokens/<int:pk>/revoke/", token_revoke, name="token-revoke"),
    path("security/sessions/<int:pk>/sign-out/", session_revoke, name="session-revoke"),
    path(
        "security/sessions/sign-out-others/", sessions_revoke_others, name="sessions-revoke-others"
    ),
]
