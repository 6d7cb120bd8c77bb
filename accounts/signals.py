"""Signal receivers of the accounts app: each hands over to one service."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.middleware import track_request_session


@receiver(user_logged_in, dispatch_uid="accounts.track_session_at_login")
def track_session_at_login(sender, request, user, **kwargs) -> None:
    """A sign-in starts a session the user can later see and sign out."""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()  # login() after a flush: the new session has no row yet
    track_request_session(request, user=user)
