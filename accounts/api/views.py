from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from accounts import lockout, services
from accounts.api.serializers import (
    TeamSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    TwoFactorPolicySerializer,
    UserSerializer,
)
from accounts.filters import TeamFilter, UserFilter
from accounts.models import Team, User
from accounts.selectors import (
    teams_visible_to,
    two_factor_policy,
    two_factor_required_for,
    user_has_two_factor,
    users_visible_to,
)
from crm.api.permissions import IsAdminRoleOrReadOnly
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin

OTP_REQUIRED = gettext_lazy(
    "This account uses two-factor sign-in: send the current code from the authenticator app "
    '(or a recovery code) as "otp".'
)
ENROL_IN_BROWSER = gettext_lazy(
    "Your role requires two-factor sign-in: sign in to the CRM in a browser and set it up "
    "first, then request a token with your code."
)


class SignInLockedOut(APIException):
    status_code = 429
    default_code = "locked_out"


class IsAdminRole(BasePermission):
    message = gettext_lazy("Only an admin may do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


class ObtainTokenView(APIView):
    """Exchange a username and password (and, with two-factor sign-in on, a code as "otp")
    for an API token. Failures count towards the sign-in lockout (429 while locked)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    # Stricter than the API's anon limit, per IP: slows password guessing (429).
    throttle_classes = [AnonRateThrottle, ScopedRateThrottle]
    throttle_scope = "auth-token"

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
            if getattr(request, "axes_locked_out", False):
                raise SignInLockedOut(lockout.lockout_message())
            raise ValidationError(
                {"non_field_errors": [_("Unable to log in with these credentials.")]}
            )
        self.check_second_factor(request, user=user, otp=body.validated_data.get("otp", ""))
        services.login_failures_reset(username=user.get_username())
        # Translators: the name given to an API token obtained by signing in over the API
        token, key = services.api_token_issue(user=user, name=_("API sign-in"))
        return Response({"token": key, "expires_at": token.expires_at})

    @staticmethod
    def check_second_factor(request, *, user: User, otp: str) -> None:
        """A user with an authenticator sends a current code (or a recovery code); one whose
        role requires two-factor sign-in but has none must set it up in a browser first."""
        if user_has_two_factor(user=user):
            if not otp:
                raise ValidationError({"otp": [OTP_REQUIRED]})
            try:
                services.two_factor_verify(user=user, code=otp)
            except DjangoValidationError as exc:
                if lockout.record_failure(request, username=user.get_username()):
                    raise SignInLockedOut(lockout.lockout_message()) from exc
                raise ValidationError({"otp": exc.message_dict["code"]}) from exc
        elif two_factor_required_for(user=user):
            raise PermissionDenied(ENROL_IN_BROWSER)


class TwoFactorPolicyView(ServiceCallMixin, APIView):
    """Which roles must use two-factor sign-in (admins only): `{"rep": false, "manager":
    false, "admin": true}`. PUT sets every role, PATCH the roles it names."""

    permission_classes = [IsAdminRole]

    @extend_schema(responses=TwoFactorPolicySerializer)
    def get(self, request):
        return Response(two_factor_policy())

    @extend_schema(request=TwoFactorPolicySerializer, responses=TwoFactorPolicySerializer)
    def put(self, request):
        return self._save(request, partial=False)

    @extend_schema(request=TwoFactorPolicySerializer, responses=TwoFactorPolicySerializer)
    def patch(self, request):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool):
        body = TwoFactorPolicySerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        self.call_service(
            services.two_factor_policy_set, by=request.user, required=body.validated_data
        )
        return Response(two_factor_policy())


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
