"""Logging in and out, and the navigation each role sees once inside."""

import re

import pytest
from django.urls import reverse

from accounts import services
from tests.factories.accounts import PASSWORD, RepFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
BAD_LOGIN = "Wrong username or password, or the account is no longer active."
PAGES = ("home", "crm:customer-list", "crm:pipeline", "crm:deal-list", "crm:import-start")
EVERYONE = ["Home", "Customers", "Pipeline", "Deals", "Import"]


def nav_labels(response) -> list[str]:
    """The labels of the main navigation, in order, as the user sees them."""
    html = response.content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.DOTALL)
    if nav is None:
        return []
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(1))]


def log_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def test_login_page_renders_a_form_without_navigation(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert nav_labels(response) == []
    assert "Log out" not in html


def test_good_login_lands_on_home(client, company):
    # Given a rep with the right password
    # When they log in
    response = log_in(client, "rep_a")
    # Then they land on the home page, logged in
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"].username == "rep_a"


def test_login_returns_to_the_page_asked_for(client, company):
    response = log_in(client, "rep_a", next="/deals/")
    assert response["Location"] == "/deals/"


def test_login_never_redirects_to_another_site(client, company):
    response = log_in(client, "rep_a", next="https://evil.example.com/")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_an_error_and_does_not_log_in(client, company):
    response = log_in(client, "rep_a", password="not-the-password")
    assert response.status_code == 200
    assert BAD_LOGIN in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert client.get(reverse("home")).status_code == 302


def test_empty_login_form_names_the_missing_fields(client):
    response = client.post(LOGIN_URL, {"username": "", "password": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }
    assert response.content.decode().count('class="field-error"') == 2


def test_inactive_user_cannot_log_in_and_is_told(client):
    # Given a rep whose account was shut on their last day
    RepFactory(username="gone", is_active=False)
    # When they try the right password
    response = log_in(client, "gone")
    # Then they are refused with a message, and stay logged out
    assert response.status_code == 200
    assert BAD_LOGIN in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_logout_by_post_ends_the_session(client, company):
    client.force_login(company["rep"])
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home"))["Location"].startswith(LOGIN_URL)


def test_logout_by_get_is_refused_and_keeps_the_session(client, company):
    client.force_login(company["rep"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("url_name", PAGES)
def test_pages_require_login_and_come_back_after_it(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={url}"


def in_order(expected: list[str], labels: list[str]) -> bool:
    """True when `expected` appear in `labels` in this order (other items may sit between)."""
    remaining = iter(labels)
    return all(label in remaining for label in expected)


@pytest.mark.parametrize(
    ("who", "expected", "hidden"),
    [
        ("rep", EVERYONE, ["API docs", "Admin"]),
        ("north_mgr", [*EVERYONE, "API docs"], ["Admin"]),
        ("admin", [*EVERYONE, "API docs", "Admin"], []),
    ],
)
def test_each_role_sees_its_navigation(client, company, who, expected, hidden):
    # Given a user of that role, logged in
    client.force_login(company[who])
    # When they open the home page
    labels = nav_labels(client.get(reverse("home")))
    # Then the main navigation offers what the role may use, and nothing it may not
    assert in_order(expected, labels), f"{who} sees {labels}, expected {expected} in order"
    assert not set(hidden) & set(labels), f"{who} must not see {hidden}: {labels}"


def test_a_superuser_is_an_admin_whatever_the_role_field_says(client):
    boss = RepFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(boss)
    labels = nav_labels(client.get(reverse("home")))
    assert in_order(["API docs", "Admin"], labels), labels


def test_navigation_marks_the_current_page(client, company):
    client.force_login(company["rep"])
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("home")}" aria-current="page"' in html


def test_an_admin_created_through_the_product_can_open_django_admin(client, company):
    # Given an admin-role user created by the user service (not a superuser)
    ops = services.user_create(
        username="ops", password="An0ther-Pass!", email="ops@example.com", role="admin"
    )
    assert not ops.is_superuser
    client.force_login(ops)
    # When they open the Django admin and the user list
    # Then both pages are theirs to use
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


@pytest.mark.parametrize("who", ["rep", "north_mgr"])
def test_reps_and_managers_are_kept_out_of_django_admin(client, company, who):
    client.force_login(company[who])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/user/").status_code == 302
