"""Copy the keys of DRF's single-token table (rest_framework.authtoken, no longer installed)
into ApiToken, hashed, expiring CRM_API_TOKEN_TTL_DAYS from now, so clients keep working.
The old table is read with SQL: the authtoken app is gone from INSTALLED_APPS, and a new
database never had the table (then there is nothing to copy)."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def _old_keys(schema_editor) -> list[tuple[str, int]]:
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id FROM {connection.ops.quote_name(OLD_TABLE)}")
        return cursor.fetchall()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def copy_keys(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    expires_at = now + timedelta(days=settings.CRM_API_TOKEN_TTL_DAYS)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                name="Token from before expiry",
                key_hash=_hash(key),
                prefix=key[:8],
                created_at=now,
                expires_at=expires_at,
            )
            for key, user_id in _old_keys(schema_editor)
        ]
    )


def remove_copies(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    hashes = [_hash(key) for key, _ in _old_keys(schema_editor)]
    ApiToken.objects.filter(key_hash__in=hashes).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_tokens_and_sessions")]

    operations = [migrations.RunPython(copy_keys, remove_copies)]
