"""Serializer pieces every API module shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.ids import parse_id


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by its integer id. DRF would look up 1.5, true or "１" as id 1
    (the database column casts them); here they are a field error."""

    default_error_messages = {
        "incorrect_type": _("Give the id as a whole number, not {data_type}."),
    }

    def to_internal_value(self, data):
        whole = isinstance(data, int) and not isinstance(data, bool)
        if not (whole or (isinstance(data, str) and parse_id(data) is not None)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose foreign keys are IdRelatedFields."""

    serializer_related_field = IdRelatedField


class ScopedRelatedField(IdRelatedField):
    """A related object among those the signed-in caller may pick: a subclass names the
    `model` and says which in `scope(user)`. Without a signed-in request (the schema being
    generated) there is nothing to pick."""

    model: type

    def scope(self, user):
        raise NotImplementedError

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not user.is_authenticated:
            return self.model.objects.none()
        return self.scope(user)
