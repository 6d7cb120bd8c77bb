from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from accounts.models import Team, User
from crm.api.fields import ModelSerializer


class UserSerializer(ModelSerializer):
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}
    )
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "role",
            "team",
            "rep_type",
            "commission_rate",
            "start_date",
            "last_day",
            "is_active",
        ]
        read_only_fields = ["is_active"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("A password is required.")]})
        if attrs.get("password"):
            candidate = User(**{k: v for k, v in attrs.items() if k != "password"})
            try:
                validate_password(attrs["password"], candidate)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": exc.messages}) from exc
        return attrs


class TeamSerializer(ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "manager", "time_zone"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=User._meta.get_field("username").max_length)
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text=gettext_lazy(
            "With two-factor sign-in on: the authenticator's code or a recovery code."
        ),
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TwoFactorPolicySerializer(serializers.Serializer):
    """Per role: must its people use two-factor sign-in?"""

    rep = serializers.BooleanField()
    manager = serializers.BooleanField()
    admin = serializers.BooleanField()
