"""Authentication backends: the lockout check that runs before the password check."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in that comes with a request (the login
    page, POST /api/auth/token/). A programmatic authenticate() without a request (Django's
    test Client.login, a shell) has no client to count or lock, so it goes on to the
    ModelBackend instead of failing with axes' "request required" error."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
