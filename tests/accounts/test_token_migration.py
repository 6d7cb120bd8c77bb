"""accounts/0003 copies DRF's single tokens into ApiToken, hashed and expiring, so a client
holding an old key keeps working after the upgrade; undone, it removes the copies."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_issue

MIGRATION = importlib.import_module("accounts.migrations.0003_api_tokens_from_authtoken")
OLD_KEY = "0123456789abcdef0123456789abcdef01234567"

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_token_table(company):
    """DRF's table as the upgraded database still holds it, with one rep's key (a test
    database made before the upgrade already has the table)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS authtoken_token (key varchar(40) PRIMARY KEY,"
            " created timestamptz NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute("DELETE FROM authtoken_token")
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, now(), %s)", [OLD_KEY, company["rep"].pk]
        )


def run(step) -> None:
    with connection.schema_editor() as schema_editor:
        step(apps, schema_editor)


def test_an_old_key_keeps_working_until_the_ttl(company, old_token_table, settings):
    settings.CRM_API_TOKEN_TTL_DAYS = 30

    run(MIGRATION.copy_keys)

    token = ApiToken.objects.get()
    assert token.user == company["rep"] and token.prefix == OLD_KEY[:8]
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {OLD_KEY}")
    assert client.get("/api/users/").status_code == 200


def test_undoing_the_migration_removes_the_copies_only(company, old_token_table):
    run(MIGRATION.copy_keys)
    kept, _ = api_token_issue(user=company["rep"])

    run(MIGRATION.remove_copies)

    assert list(ApiToken.objects.all()) == [kept]


def test_a_new_database_has_nothing_to_copy(company):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS authtoken_token")  # undone with the test

    run(MIGRATION.copy_keys)

    assert not ApiToken.objects.exists()
