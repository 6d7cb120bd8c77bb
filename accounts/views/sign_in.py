"""Signing in: the password step (the CRM login page, behind the lockout) and, for a user
with an authenticator app, the code step. Between the two steps nobody is signed in: the
session only remembers, for a few minutes, who passed the password step."""

import time

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.models import Device

from accounts import lockout, services
from accounts.forms import LoginForm, TwoFactorCodeForm
from accounts.middleware import TWO_FACTOR_ENROL_SESSION_KEY
from accounts.models import User
from accounts.selectors import two_factor_required_for, user_has_two_factor
from crm.web import add_service_errors

PENDING_SESSION_KEY = "two_factor_pending"
PENDING_MAX_AGE = 5 * 60  # seconds between the password and the code


def _complete_sign_in(
    request: HttpRequest, *, user: User, next_url: str, backend: str, device: Device | None = None
) -> HttpResponse:
    """Sign the user in. One who must use two-factor sign-in but has no authenticator yet
    is kept on the enrolment page (TwoFactorEnrolmentMiddleware) until they set it up."""
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    services.login_failures_reset(username=user.get_username())
    if device is None and two_factor_required_for(user=user):
        request.session[TWO_FACTOR_ENROL_SESSION_KEY] = True
        messages.warning(request, _("Your role requires two-factor sign-in: set it up to go on."))
        return redirect("accounts:two_factor")
    return HttpResponseRedirect(next_url)


class SignInView(auth_views.LoginView):
    """The password step. A user with an authenticator goes on to the code step, not yet
    signed in; everyone else is signed in here."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if user_has_two_factor(user=user):
            self.request.session[PENDING_SESSION_KEY] = {
                "user_id": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("accounts:two_factor_verify")
        return _complete_sign_in(
            self.request, user=user, next_url=self.get_success_url(), backend=user.backend
        )


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return None
    if time.time() - pending["at"] > PENDING_MAX_AGE:
        del request.session[PENDING_SESSION_KEY]
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code step. A wrong code counts as a failed sign-in (the same lockout as wrong
    passwords); each code works once."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Enter your username and password first."))
        return redirect("accounts:login")
    username = user.get_username()
    if lockout.is_locked_out(request, username=username):
        del request.session[PENDING_SESSION_KEY]
        return lockout.render_locked_login(request, message=lockout.lockout_message())
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            if lockout.record_failure(request, username=username):
                del request.session[PENDING_SESSION_KEY]
                return lockout.render_locked_login(request, message=lockout.lockout_message())
        else:
            pending = request.session.pop(PENDING_SESSION_KEY)
            return _complete_sign_in(
                request,
                user=user,
                next_url=pending["next"],
                backend=pending["backend"],
                device=device,
            )
    return render(request, "accounts/two_factor_verify.html", {"form": form})


urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("login/code/", two_factor_verify, name="two_factor_verify"),
]
