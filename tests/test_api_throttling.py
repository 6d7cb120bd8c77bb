"""API rate limits (issue 12): per user, per anonymous address, and a stricter one on
POST /api/auth/token/; a 429 says what happened and when to retry.

tests/conftest.py gives every test its own throttle namespace in the cache at rates no test
reaches; the tests here lower the rates to prove the 429."""

import json

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories.accounts import PASSWORD
from tests.test_settings import clean_env, run_python

pytestmark = pytest.mark.django_db

HIGH = "1000/min"


@pytest.fixture
def rates(monkeypatch):
    """rates(user=..., anon=..., token=...): set the limits for this test only."""

    def set_rates(*, user: str = HIGH, anon: str = HIGH, token: str = HIGH) -> None:
        monkeypatch.setattr(
            SimpleRateThrottle,
            "THROTTLE_RATES",
            {"user": user, "anon": anon, "auth-token": token},
        )

    return set_rates


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    detail = response.json()["detail"]
    assert detail.startswith("Too many requests: the API rate limit was reached.")
    assert "Expected available in" in detail
    assert int(response["Retry-After"]) > 0


def test_a_user_over_the_limit_gets_a_429_and_other_users_do_not(company, api_as, rates):
    # Given a limit of 3 requests a minute per user
    rates(user="3/min")
    rep = api_as(company["rep"])
    # When a rep makes a fourth request within the minute
    statuses = [rep.get("/api/customers/").status_code for _ in range(3)]
    fourth = rep.get("/api/customers/")
    # Then the first three pass and the fourth is a 429 with a clear message
    assert statuses == [200, 200, 200]
    assert_throttled(fourth)
    # ...while another user still has their own allowance
    assert api_as(company["other_rep"]).get("/api/customers/").status_code == 200


def test_writes_count_against_the_same_user_limit(company, api_as, rates):
    rates(user="2/min")
    rep = api_as(company["rep"])
    assert rep.get("/api/customers/").status_code == 200
    created = rep.post("/api/customers/", {"name": "Acme"}, format="json")
    assert created.status_code == 201
    assert_throttled(rep.post("/api/customers/", {"name": "Acme 2"}, format="json"))


def test_the_token_endpoint_has_a_stricter_limit_per_address(company, rates):
    # Given generous user and anonymous limits but 2 token requests a minute
    rates(token="2/min")
    client = APIClient()
    body = {"username": company["rep"].username, "password": PASSWORD}
    # When a third token request comes from the same address
    first = [client.post("/api/auth/token/", body, format="json") for _ in range(2)]
    third = client.post("/api/auth/token/", body, format="json")
    # Then the first two are answered and the third is a 429, even with the right password
    assert all(r.status_code != 429 for r in first), [r.status_code for r in first]
    assert_throttled(third)


def test_anonymous_callers_are_limited_per_address(company, rates):
    rates(anon="2/min")
    client = APIClient()
    assert client.post("/api/auth/token/", {}, format="json").status_code == 400
    assert client.post("/api/auth/token/", {}, format="json").status_code == 400
    assert_throttled(client.post("/api/auth/token/", {}, format="json"))


def test_the_rates_come_from_the_environment_with_defaults():
    code = (
        "import json; from crm import settings as s; "
        "print(json.dumps(s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']))"
    )
    default = run_python(["-c", code], clean_env(DJANGO_DEBUG="1"))
    assert default.returncode == 0, default.stderr
    assert json.loads(default.stdout.strip().splitlines()[-1]) == {
        "user": "240/min",
        "anon": "60/min",
        "auth-token": "10/min",
    }
    env = clean_env(
        DJANGO_DEBUG="1",
        CRM_API_RATE_USER="5/min",
        CRM_API_RATE_ANON="4/hour",
        CRM_API_RATE_TOKEN="3/hour",
    )
    custom = run_python(["-c", code], env)
    assert json.loads(custom.stdout.strip().splitlines()[-1]) == {
        "user": "5/min",
        "anon": "4/hour",
        "auth-token": "3/hour",
    }
