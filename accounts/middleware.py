"""Speak the signed-in user's language and show times in their time zone (their own, else
their team's; ISO weeks stay the team's); keep the list of a user's signed-in browsers
current; keep a user who must enrol in two-factor sign-in on the enrolment page."""

import hashlib

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts.lockout import client_ip
from accounts.services import user_session_track


class UserLanguageMiddleware:
    """The signed-in user's own language (their profile's `language`) wins over the
    browser's, which LocaleMiddleware activated from the cookie or Accept-Language. The
    user row is the one AuthenticationMiddleware loads anyway: no query of its own. API
    requests with a token are signed in inside DRF; accounts.api.authentication does the
    same for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class TeamTimeZoneMiddleware:
    """Times in the signed-in user's own time zone when their profile names one, else in
    their team's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tzinfo = user.tzinfo if user is not None and user.is_authenticated else None
        if tzinfo is not None:
            timezone.activate(tzinfo)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


SESSION_SEEN_SECONDS = 300


def session_seen_key(session_key: str) -> str:
    """The cache key that says the session's row was written lately (hashed: a session
    key is a credential)."""
    return "session-seen:" + hashlib.sha256(session_key.encode()).hexdigest()


def track_request_session(request, *, user) -> None:
    """Record the browser session of this request in `user`'s list of sessions, and
    remember for SESSION_SEEN_SECONDS that it is current."""
    user_session_track(
        user=user,
        session_key=request.session.session_key,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    cache.set(session_seen_key(request.session.session_key), 1, timeout=SESSION_SEEN_SECONDS)


class SessionActivityMiddleware:
    """Keep the signed-in browser's row in the list of sessions current: "last seen" at most
    every SESSION_SEEN_SECONDS (a cache key says it was written lately, so no database
    write per request), and a row created for a session that has none (signed in before
    sessions were tracked, or a key cycled by a password change)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if session.get(SESSION_KEY) != str(user.pk):
            return response  # an API request with a token, not this session's user
        if cache.get(session_seen_key(session.session_key)) is None:
            track_request_session(request, user=user)
        return response


# --- Two-factor enrolment (issue 12) -----------------------------------------------------

TWO_FACTOR_ENROL_SESSION_KEY = "two_factor_enrol_required"
ENROL_FIRST = gettext_lazy(
    "Two-factor sign-in is required for your role: set it up on the Two-factor page first."
)


class TwoFactorEnrolmentMiddleware:
    """Keeps a user whose role requires two-factor sign-in, and who has no authenticator
    yet, on the enrolment page (logout and static files still work) until they enrol.
    The sign-in step sets a session flag, so no other request pays a query for this.

    The Django admin's own login form would skip the code step: it is sent to the CRM
    login page, which has lockout and two-factor sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == reverse("admin:login"):
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        session = getattr(request, "session", None)
        enrolling = session is not None and session.get(TWO_FACTOR_ENROL_SESSION_KEY)
        if enrolling and not self._allowed_while_enrolling(request.path):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(ENROL_FIRST)}, status=403)
            return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def _allowed_while_enrolling(path: str) -> bool:
        return path in {reverse("accounts:two_factor"), reverse("accounts:logout")} or (
            path.startswith(settings.STATIC_URL)
        )
