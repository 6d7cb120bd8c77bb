from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import (
    TeamSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
)
from accounts.filters import TeamFilter, UserFilter
from accounts.selectors import teams_visible_to, users_visible_to
from crm.api.errors import as_drf_validation_error
from crm.api.permissions import IsAdminRoleOrReadOnly


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
        )
        if user is None:
            raise ValidationError(
                {"non_field_errors": ["Unable to log in with these credentials."]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class ServiceCallMixin:
    """Run a service and turn its Django ValidationError into a 400 with field errors."""

    def call_service(self, fn, **kwargs):
        try:
            return fn(**kwargs)
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from exc


class UserViewSet(ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [IsAdminRoleOrReadOnly]
    filterset_class = UserFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self):
        return users_visible_to(user=self.request.user).order_by("id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.call_service(services.user_create, **data)

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.user_update, user=serializer.instance, **serializer.validated_data
        )


class TeamViewSet(ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = TeamSerializer
    permission_classes = [IsAdminRoleOrReadOnly]
    filterset_class = TeamFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self):
        return teams_visible_to(user=self.request.user).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = self.call_service(services.team_create, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.team_update, team=serializer.instance, **serializer.validated_data
        )
