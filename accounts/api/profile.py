"""GET/PATCH /api/users/me/: the caller's own profile (name, e-mail, language, time zone),
the same fields as the profile page. A blank language follows Accept-Language, a blank time
zone the team's."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import User, validate_time_zone
from crm.api.viewsets import ServiceCallMixin


class ProfileSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(
        choices=[("", ""), *settings.LANGUAGES], required=False, allow_blank=True
    )
    time_zone = serializers.CharField(
        required=False, allow_blank=True, max_length=64, validators=[validate_time_zone]
    )

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "language", "time_zone"]
        read_only_fields = ["id", "username"]


class MeView(ServiceCallMixin, APIView):
    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request):
        body = ProfileSerializer(request.user, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        user = self.call_service(
            services.user_profile_update, user=request.user, **body.validated_data
        )
        return Response(ProfileSerializer(user).data)
