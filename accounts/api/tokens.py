"""The caller's own API tokens and browser sessions: list them, create a token (its key is
in that one response), revoke either. Another user's id is a 404, like anything out of
scope."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from accounts import services
from accounts.models import ApiToken, UserSession
from accounts.selectors import api_tokens_of, sessions_of
from crm.api.viewsets import ScopedQuerysetMixin, ServiceCallMixin


class ApiTokenSerializer(serializers.ModelSerializer):
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "is_expired"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The new token with its key: the only response that ever holds the key."""

    key = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class UserSessionSerializer(serializers.ModelSerializer):
    browser = serializers.CharField(read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = UserSession
        fields = ["id", "browser", "user_agent", "ip", "created_at", "last_seen_at", "is_current"]
        read_only_fields = fields

    def get_is_current(self, obj: UserSession) -> bool:
        """True for the browser session this request came with."""
        request = self.context.get("request")
        return obj.session_id == getattr(getattr(request, "session", None), "session_key", None)


class ApiTokenViewSet(
    ScopedQuerysetMixin,
    ServiceCallMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ApiTokenSerializer
    scoped_model = ApiToken

    def scoped_queryset(self, *, user):
        return api_tokens_of(user=user)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        body = ApiTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, key = self.call_service(
            services.api_token_issue, user=request.user, name=body.validated_data["name"]
        )
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        self.call_service(services.api_token_revoke, token=instance, by=self.request.user)


class UserSessionViewSet(
    ScopedQuerysetMixin,
    ServiceCallMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = UserSessionSerializer
    scoped_model = UserSession

    def scoped_queryset(self, *, user):
        return sessions_of(user=user)

    def perform_destroy(self, instance):
        self.call_service(services.user_session_revoke, user_session=instance, by=self.request.user)
