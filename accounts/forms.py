import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User


class LoginForm(AuthenticationForm):
    """Django's login form; inactive users are refused by the model backend."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "Wrong username or password, or the account is no longer active."
        ),
    }


class ApiTokenForm(forms.Form):
    """The name of a new API token; the service checks its length."""

    name = forms.CharField(
        required=False,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("Where the key will be used, e.g. “Laptop script”."),
    )


class TwoFactorCodeForm(forms.Form):
    """One code: from the authenticator app (6 digits) or a recovery code."""

    code = forms.CharField(
        # Translators: a sign-in code from an authenticator app
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        error_messages={"required": gettext_lazy("Enter the code from your authenticator app.")},
    )


class TwoFactorPolicyForm(forms.Form):
    """Per role: must its people use two-factor sign-in?"""

    rep = forms.BooleanField(required=False, label=gettext_lazy("Reps"))
    manager = forms.BooleanField(required=False, label=gettext_lazy("Managers"))
    admin = forms.BooleanField(required=False, label=gettext_lazy("Admins"))


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    """The signed-in user's own profile (issue 14): name, e-mail, language, time zone.
    Blank language: the browser's; blank time zone: the team's (named in the choice)."""

    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), required=False)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", gettext("The language my browser asks for")),
            *settings.LANGUAGES,
        ]
        team = self.instance.team if self.instance.team_id else None
        team_zone = (
            gettext("My team's time zone (%(zone)s)") % {"zone": team.time_zone}
            if team is not None
            else gettext("My team's time zone")
        )
        self.fields["time_zone"].choices = [("", team_zone), *_time_zone_choices()]
