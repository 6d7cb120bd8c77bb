"""The signed-in user's profile (name, e-mail, language, time zone), and the header's
language switcher: Django's set_language (the cookie, for everyone) that also saves the
choice on a signed-in user's profile, so it follows them to every browser."""

import contextlib
import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services
from accounts.forms import ProfileForm
from crm.web import add_service_errors


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    # A copy: a form that fails must not leave its values on the signed-in user.
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=copy.copy(request.user))
    if request.method != "POST":
        return render(request, "accounts/profile.html", {"form": form})
    if form.is_valid():
        try:
            services.user_profile_update(
                user=request.user, **{name: form.cleaned_data[name] for name in form.fields}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # The page after the redirect speaks the new language; this message is already
            # in it (blank: the browser's, which LocaleMiddleware chose for this request).
            if request.user.language:
                translation.activate(request.user.language)
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (checks the language and `next`, sets the cookie, redirects);
    for a signed-in user the choice is also their profile's language."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and translation.check_for_language(language):
        # Not one of LANGUAGES: Django's view set no cookie either.
        with contextlib.suppress(ValidationError):
            services.user_language_set(user=request.user, language=language)
    return response


urlpatterns = [
    path("profile/", profile, name="profile"),
]
