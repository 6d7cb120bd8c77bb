"""Password change (signed in) and reset by e-mail, with Django's views and the CRM's
templates. Reset answers the same whether or not the address has an account."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import services


class PasswordChangeView(auth_views.PasswordChangeView):
    """A changed password signs the user's other browsers out (this one stays signed in)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_sessions_revoke_others(
            user=form.user, current_session_key=self.request.session.session_key
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the mailed link also lifts a lockout of the username:
    whoever holds the mailbox is the account's owner. Every browser signed in as them is
    signed out (API tokens stay: revoke them on the Security page)."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.login_failures_reset(username=form.user.get_username())
        services.user_sessions_revoke_others(user=form.user, current_session_key=None)
        return response


urlpatterns = [
    path("password/change/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
