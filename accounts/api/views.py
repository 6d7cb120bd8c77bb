from django.contrib.auth import authenticate
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
from accounts.models import Team, User
from accounts.selectors import teams_visible_to, users_visible_to
from crm.api.permissions import IsAdminRoleOrReadOnly
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin


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


class UserViewSet(ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = UserSerializer
    permission_classes = [IsAdminRoleOrReadOnly]
    filterset_class = UserFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    scoped_model = User

    def scoped_queryset(self, *, user):
        return users_visible_to(user=user).order_by("id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.call_service(services.user_create, **data)

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.user_update, user=serializer.instance, **serializer.validated_data
        )


class TeamViewSet(ScopedQuerysetMixin, ServiceCallMixin, viewsets.ModelViewSet):
    serializer_class = TeamSerializer
    permission_classes = [IsAdminRoleOrReadOnly]
    filterset_class = TeamFilter
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    scoped_model = Team

    def scoped_queryset(self, *, user):
        return teams_visible_to(user=user).order_by("id")

    def perform_create(self, serializer):
        serializer.instance = self.call_service(services.team_create, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.call_service(
            services.team_update, team=serializer.instance, **serializer.validated_data
        )
