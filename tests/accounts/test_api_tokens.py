"""API tokens: many per user, stored only as a hash, expiring, listed and revoked by their
owner through /api/auth/tokens/ (issue 12)."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_issue
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

TOKENS = "/api/auth/tokens/"


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_signing_in_issues_a_token_that_expires_after_the_ttl(company, api_client, settings):
    # given a TTL of 7 days
    settings.CRM_API_TOKEN_TTL_DAYS = 7
    # when the rep signs in through the API
    response = api_client.post(
        "/api/auth/token/", {"username": "rep_a", "password": PASSWORD}, format="json"
    )
    # then the key works and expires in 7 days
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    token = ApiToken.objects.get(user=company["rep"])
    assert token.name == "API sign-in"
    assert abs(token.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert with_key(body["token"]).get("/api/users/").status_code == 200


def test_the_key_is_stored_only_as_its_hash(company):
    token, key = api_token_issue(user=company["rep"], name="Laptop")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert key not in {str(value) for value in stored.values()}
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["prefix"] == key[:8]


def test_each_sign_in_is_a_token_of_its_own(company):
    _, first_key = api_token_issue(user=company["rep"])
    _, second_key = api_token_issue(user=company["rep"])

    assert first_key != second_key
    assert with_key(first_key).get("/api/users/").status_code == 200
    assert with_key(second_key).get("/api/users/").status_code == 200


def test_an_expired_token_is_a_401_that_says_so(company):
    token, key = api_token_issue(user=company["rep"])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = with_key(key).get("/api/users/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Token expired; request a new one."}


def test_a_revoked_token_is_a_401(company, api_as):
    token, key = api_token_issue(user=company["rep"])
    assert api_as(company["rep"]).delete(f"{TOKENS}{token.pk}/").status_code == 204

    response = with_key(key).get("/api/users/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_token_of_an_inactive_user_is_a_401(company):
    _, key = api_token_issue(user=company["rep"])
    company["rep"].is_active = False
    company["rep"].save()

    assert with_key(key).get("/api/users/").status_code == 401


@pytest.mark.parametrize("key", ["\x00", "abc\x00def"])
def test_a_key_with_a_nul_character_is_a_401_not_a_500(company, key):
    api_token_issue(user=company["rep"])

    response = with_key(key).get("/api/users/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_last_used_is_written_at_most_once_every_few_minutes(company):
    token, key = api_token_issue(user=company["rep"])
    client = with_key(key)
    # the first request records the use
    client.get(TOKENS)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    # a request a moment later does not write
    client.get(TOKENS)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    # once the last use is a few minutes old, the next request records it again
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=6))
    client.get(TOKENS)
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_the_list_holds_the_callers_tokens_and_never_a_key(company, api_as):
    mine, _ = api_token_issue(user=company["rep"], name="Laptop")
    api_token_issue(user=company["other_rep"], name="Not mine")

    response = api_as(company["rep"]).get(TOKENS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert set(rows[0]) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "is_expired",
    }


def test_a_created_token_shows_its_key_once(company, api_as):
    client = api_as(company["rep"])

    created = client.post(TOKENS, {"name": "  Nightly export "}, format="json")

    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "Nightly export"
    assert body["prefix"] == body["key"][:8]
    assert with_key(body["key"]).get("/api/users/").status_code == 200
    listed = client.get(TOKENS).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert body["key"] not in client.get(f"{TOKENS}").content.decode()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"name": "x" * 101}, "Keep the name to 100 characters or fewer."),
        ({"name": None}, "This field may not be null."),
        ({"name": {"a": 1}}, "Not a valid string."),
    ],
)
def test_a_bad_token_name_is_a_400_on_the_name(company, api_as, payload, message):
    response = api_as(company["rep"]).post(TOKENS, payload, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": [message]}
    assert not ApiToken.objects.exists()


def test_another_users_token_is_a_404_and_stays(company, api_as):
    theirs, key = api_token_issue(user=company["other_rep"])

    response = api_as(company["rep"]).delete(f"{TOKENS}{theirs.pk}/")

    assert response.status_code == 404
    assert with_key(key).get("/api/users/").status_code == 200


@pytest.mark.parametrize("pk", ["abc", "1.5", "99999999999999999999"])
def test_a_bad_token_id_is_a_404(company, api_as, pk):
    assert api_as(company["rep"]).delete(f"{TOKENS}{pk}/").status_code == 404


def test_tokens_and_sessions_need_credentials(api_client, db):
    assert api_client.get(TOKENS).status_code == 401
    assert api_client.post(TOKENS, {"name": "x"}, format="json").status_code == 401
    assert api_client.get("/api/auth/sessions/").status_code == 401


def test_an_admin_finds_and_revokes_a_token_in_the_django_admin(company, client):
    token, key = api_token_issue(user=company["rep"], name="Laptop")
    client.force_login(company["admin"])

    listing = client.get("/admin/accounts/apitoken/?q=rep_a").content.decode()
    assert token.prefix in listing and token.key_hash not in listing and key not in listing
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})

    assert with_key(key).get("/api/users/").status_code == 401
