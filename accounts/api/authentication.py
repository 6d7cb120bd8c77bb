"""API authentication: DRF's token scheme, hardened against keys the database refuses."""

from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`. A key with a NUL character is a wrong key (401);
    DRF would send it to PostgreSQL, which refuses it with an error (500)."""

    def authenticate_credentials(self, key):
        if "\x00" in key:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)
