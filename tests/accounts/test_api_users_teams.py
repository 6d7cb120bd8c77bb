"""The users and teams API: who may create people and what each role can see."""

import pytest

from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_endpoint_returns_a_token_that_authenticates(company, api_client):
    response = api_client.post(
        "/api/auth/token/", {"username": "rep_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/users/")
    assert me.status_code == 200
    assert [u["username"] for u in me.json()["results"]] == ["rep_a"]


@pytest.mark.parametrize("key", ["\x00", "abc\x00def", "nope"])
def test_a_wrong_token_is_a_401_whatever_it_holds(company, api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.get("/api/customers/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_token_endpoint_rejects_bad_credentials_with_a_message(company, api_client):
    response = api_client.post(
        "/api/auth/token/", {"username": "rep_a", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["non_field_errors"][0]


def test_inactive_user_gets_no_token(company, api_client):
    company["rep"].is_active = False
    company["rep"].save()
    response = api_client.post(
        "/api/auth/token/", {"username": "rep_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400


def test_api_without_credentials_is_401(api_client, db):
    assert api_client.get("/api/users/").status_code == 401


def test_admin_creates_user_and_team(company, api_as):
    admin = api_as(company["admin"])
    team = admin.post(
        "/api/teams/",
        {"name": "West", "manager": company["north_mgr"].pk, "time_zone": "America/Denver"},
        format="json",
    )
    assert team.status_code == 201, team.json()
    user = admin.post(
        "/api/users/",
        {
            "username": "newrep",
            "password": "Lo0ng-enough-pass",
            "email": "new@example.com",
            "first_name": "New",
            "last_name": "Rep",
            "role": "rep",
            "team": team.json()["id"],
        },
        format="json",
    )
    assert user.status_code == 201, user.json()
    assert "password" not in user.json()
    assert user.json()["team"] == team.json()["id"]


def test_bad_user_input_gets_field_errors_and_creates_nothing(company, api_as):
    admin = api_as(company["admin"])
    response = admin.post(
        "/api/users/",
        {"username": "x", "password": "123", "role": "emperor", "team": 99999},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert {"role", "team"} <= set(body)
    usernames = [u["username"] for u in admin.get("/api/users/?page_size=200").json()["results"]]
    assert "x" not in usernames


def test_bad_time_zone_is_a_field_error(company, api_as):
    response = api_as(company["admin"]).post(
        "/api/teams/", {"name": "Moon", "time_zone": "Mars/Olympus"}, format="json"
    )
    assert response.status_code == 400
    assert "time_zone" in response.json()


@pytest.mark.parametrize("who", ["rep", "north_mgr"])
def test_only_admins_create_users(company, api_as, who):
    response = api_as(company[who]).post(
        "/api/users/",
        {"username": "sneaky", "password": "Lo0ng-enough-pass", "role": "admin"},
        format="json",
    )
    assert response.status_code == 403


def test_user_list_is_scoped_by_role(company, api_as):
    def names(who):
        body = api_as(company[who]).get("/api/users/?page_size=200").json()
        return {u["username"] for u in body["results"]}

    assert names("rep") == {"rep_a"}
    assert names("north_mgr") == {"north_mgr", "rep_a", "rep_b"}
    assert {"rep_c", "south_mgr", "admin"} <= names("admin")


def test_user_outside_scope_is_404(company, api_as):
    other = company["south_rep"]
    assert api_as(company["rep"]).get(f"/api/users/{other.pk}/").status_code == 404


def test_pagination_shape_and_max_page_size(company, api_as):
    body = api_as(company["admin"]).get("/api/users/?page_size=500").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 6


def test_superuser_is_always_admin(company, api_as):
    company["rep"].is_superuser = True
    company["rep"].save()
    assert company["rep"].is_admin
    assert api_as(company["rep"]).get("/api/users/?page_size=200").json()["count"] == 6
