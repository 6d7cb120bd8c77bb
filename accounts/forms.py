from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form; inactive users are refused by the model backend."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong username or password, or the account is no longer active.",
    }
