"""Sign-in lockout: repeated failures lock a username, or an address, for a while; on the
login page and on the token endpoint alike."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from accounts.lockout import client_ip
from tests.factories.accounts import PASSWORD, RepFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
TOKEN_URL = "/api/auth/token/"
LOCKED = "Too many failed sign-in attempts; try again in 15 minutes."


def log_in(client, username, password=PASSWORD, ip="127.0.0.1", **extra):
    return client.post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def fail(client, times, username="rep_a", ip="127.0.0.1"):
    for _ in range(times):
        log_in(client, username, password="not-the-password", ip=ip)


def is_signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_the_defaults_are_ten_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_nine_failures_still_let_the_right_password_in(client, company):
    # Given nine wrong passwords for rep_a
    fail(client, 9)
    # When the right one follows
    response = log_in(client, "rep_a")
    # Then rep_a is signed in
    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_eleventh_attempt_is_refused_even_with_the_right_password(client, company):
    # Given ten wrong passwords for rep_a
    fail(client, 10)
    # When the right password comes next
    response = log_in(client, "rep_a")
    # Then the login page says why, in the normal layout, and nobody is signed in
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "Forgot your password?" in html
    assert "Account locked" not in html  # no django-axes default text
    assert "Traceback" not in html
    assert not is_signed_in(client)


def test_the_tenth_failure_already_shows_the_lockout_message(client, company):
    fail(client, 9)
    response = log_in(client, "rep_a", password="still-wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_a_username_is_locked_from_every_address(client, company):
    # Given ten failures for rep_a, each from another address
    for n in range(10):
        log_in(client, "rep_a", password="wrong", ip=f"10.0.0.{n + 1}")
    # When rep_a tries the right password from yet another address
    response = log_in(client, "rep_a", ip="10.9.9.9")
    # Then the username is locked
    assert response.status_code == 429
    # And other users from that address are not
    assert log_in(client, "rep_b", ip="10.9.9.9").status_code == 302


def test_an_address_guessing_many_usernames_is_locked_for_all_of_them(client, company):
    # Given one address that failed ten times, each time with another username
    for n in range(10):
        log_in(client, f"guess{n}", password="wrong", ip="10.1.1.1")
    # When a real user signs in from that address with the right password
    response = log_in(client, "rep_a", ip="10.1.1.1")
    # Then it is refused; from another address the same user gets in
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert log_in(client, "rep_a", ip="10.2.2.2").status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(client, company):
    # Given no proxy is configured, and a client that sends a new X-Forwarded-For each time
    for n in range(10):
        log_in(
            client, f"guess{n}", password="wrong", ip="10.1.1.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}"
        )
    # Then its own address is locked, whatever the header says
    response = log_in(client, "rep_a", ip="10.1.1.1", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert response.status_code == 429


def test_the_client_address_comes_from_the_trusted_proxy_only_when_one_is_configured(settings):
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.CRM_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.CRM_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # what our proxy saw; "6.6.6.6" may be forged
    settings.CRM_TRUSTED_PROXY_COUNT = 3  # fewer hops than proxies: not through them
    assert client_ip(request) == "10.0.0.1"
    assert client_ip(RequestFactory().post("/", REMOTE_ADDR="not-an-ip")) is None


def test_a_successful_sign_in_clears_the_usernames_failures(client, company):
    # Given nine failures, then a good sign-in
    fail(client, 9)
    assert log_in(client, "rep_a").status_code == 302
    client.post(reverse("accounts:logout"))
    # When nine more failures follow (eighteen in all)
    fail(client, 9, ip="10.3.3.3")
    # Then the right password still works
    assert log_in(client, "rep_a", ip="10.3.3.3").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, company):
    # Given rep_a locked out
    fail(client, 10)
    assert log_in(client, "rep_a").status_code == 429
    # When sixteen minutes pass
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    # Then the right password works again
    assert log_in(client, "rep_a").status_code == 302
    assert is_signed_in(client)


def test_the_cool_off_and_limit_come_from_settings(client, settings, company):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    fail(client, 2)
    response = log_in(client, "rep_a")
    assert response.status_code == 429
    assert "try again in 1 minute." in response.content.decode()


def test_the_token_endpoint_answers_429_with_a_message_when_locked(api_client, company):
    # Given ten wrong passwords sent to the token endpoint
    for _ in range(10):
        api_client.post(TOKEN_URL, {"username": "rep_a", "password": "wrong"}, format="json")
    # When the right password comes next
    response = api_client.post(
        TOKEN_URL, {"username": "rep_a", "password": PASSWORD}, format="json"
    )
    # Then it is a 429 with the message, and no token
    assert response.status_code == 429
    assert response.json() == {"detail": LOCKED}


def test_failures_on_the_api_lock_the_login_page_too(client, api_client, company):
    for _ in range(10):
        api_client.post(TOKEN_URL, {"username": "rep_a", "password": "wrong"}, format="json")
    assert log_in(client, "rep_a", ip="10.4.4.4").status_code == 429


def test_a_wrong_password_on_the_api_is_still_a_400_below_the_limit(api_client, company):
    response = api_client.post(TOKEN_URL, {"username": "rep_a", "password": "x"}, format="json")
    assert response.status_code == 400
    assert AccessAttempt.objects.get(username="rep_a").failures_since_start == 1


def test_programmatic_sign_in_without_a_request_still_works(company):
    # Django's test client and scripts authenticate without a request: nothing to lock
    from django.test import Client

    RepFactory(username="scripted")
    assert Client().login(username="scripted", password=PASSWORD)
