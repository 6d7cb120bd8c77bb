"""API authentication: `Authorization: Token <key>` checked against the stored hashes of
the user's API tokens (accounts.ApiToken), with expiry.

A token request is signed in here, inside DRF, after every middleware has run: so this is
also where the token user's own language and time zone are switched on (as
accounts.middleware does for browser sessions). Without them the request keeps the
language LocaleMiddleware chose from Accept-Language, and the team's time zone."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.services import api_token_hash, api_token_mark_used


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's header parsing, our token table. A key with a NUL character is a wrong key
    (401), whatever the database would make of it; an expired token says so, so that a
    client knows to request a new one rather than suspect its key."""

    def authenticate_credentials(self, key):
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = (
            ApiToken.objects.select_related("user", "user__team")
            .filter(key_hash=api_token_hash(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token expired; request a new one."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        api_token_mark_used(token=token)
        activate_user_preferences(token.user)
        return token.user, token


def activate_user_preferences(user) -> None:
    """The user's own language (when their profile names one) and time zone (their own,
    else their team's) for the rest of this request. TeamTimeZoneMiddleware deactivates the
    time zone when the response is done; LocaleMiddleware chooses afresh per request."""
    if user.language:
        translation.activate(user.language)
    tzinfo = user.tzinfo
    if tzinfo is not None:
        timezone.activate(tzinfo)
