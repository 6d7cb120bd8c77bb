from django.contrib.auth.password_validation import validate_password
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
            raise serializers.ValidationError({"password": ["A password is required."]})
        if attrs.get("password"):
            candidate = User(**{k: v for k, v in attrs.items() if k != "password"})
            validate_password(attrs["password"], candidate)
        return attrs


class TeamSerializer(ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "manager", "time_zone"]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
