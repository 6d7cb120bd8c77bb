"""Passwords: the rules every new password meets, changing one while signed in, and
resetting a forgotten one by e-mail."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
TOO_SHORT = "This password is too short. It must contain at least 10 characters."
TOO_COMMON = "This password is too common."
NEW_PASSWORD = "Tangerine-Kayak-42"


def can_log_in(client, username, password) -> bool:
    response = client.post(LOGIN_URL, {"username": username, "password": password})
    client.post(reverse("accounts:logout"))
    return response.status_code == 302


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"), [("Sh0rt-pw!", TOO_SHORT), ("password123", TOO_COMMON)]
)
def test_the_user_service_refuses_a_weak_password_with_the_rule(db, password, message):
    with pytest.raises(ValidationError) as refused:
        services.user_create(username="newbie", password=password, email="n@example.com")
    assert message in refused.value.message_dict["password"]


def test_the_users_api_refuses_a_nine_character_password(company, api_as):
    response = api_as(company["admin"]).post(
        "/api/users/",
        {"username": "newbie", "password": "Nine-ch4r", "role": "rep"},
        format="json",
    )
    assert response.status_code == 400
    assert TOO_SHORT in response.json()["password"]


def test_ten_characters_are_enough(db):
    user = services.user_create(username="newbie", password="Ten-chars!", email="n@example.com")
    assert user.check_password("Ten-chars!")


# --- change ---------------------------------------------------------------------------------


def test_the_password_change_page_needs_a_signed_in_user(client):
    url = reverse("accounts:password_change")
    assert client.get(url)["Location"] == f"{LOGIN_URL}?next={url}"


def test_a_signed_in_user_changes_their_password(client, company):
    # Given a signed-in rep
    client.force_login(company["rep"])
    # When they change their password
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    # Then they stay signed in, and only the new password works from now on
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("accounts:password_change_done")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert can_log_in(client, "rep_a", NEW_PASSWORD)
    assert not can_log_in(client, "rep_a", PASSWORD)


def test_a_changed_password_signs_the_other_browsers_out(client, company):
    # Given a rep signed in on their laptop and on their phone
    phone = type(client)()
    phone.force_login(company["rep"])
    client.force_login(company["rep"])
    # When they change their password on the laptop
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    # Then the laptop stays signed in, the phone is back at the login page, and the laptop's
    # session is still listed on the Security page
    assert client.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).status_code == 302
    assert company["rep"].tracked_sessions.count() == 1


@pytest.mark.parametrize(
    ("new", "field", "message"),
    [
        ("Sh0rt-pw!", "new_password2", TOO_SHORT),
        ("password123", "new_password2", TOO_COMMON),
    ],
)
def test_a_weak_new_password_is_refused_with_the_rule(client, company, new, field, message):
    client.force_login(company["rep"])
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in response.content.decode()
    company["rep"].refresh_from_db()
    assert company["rep"].check_password(PASSWORD)


def test_a_wrong_old_password_is_refused(client, company):
    client.force_login(company["rep"])
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors


# --- reset ----------------------------------------------------------------------------------


def test_the_login_page_links_to_the_reset(client):
    html = client.get(LOGIN_URL).content.decode()
    assert f'href="{reverse("accounts:password_reset")}">Forgot your password?' in html


def reset_link(message) -> str:
    return re.search(r"https?://testserver(/accounts/password/reset/\S+/)", message.body).group(1)


def test_a_reset_mail_carries_a_link_that_sets_a_new_password(client, company):
    # Given a rep who forgot their password
    # When they ask for a reset with their e-mail address
    response = client.post(reverse("accounts:password_reset"), {"email": "rep_a@example.com"})
    # Then they are told to check their mail, and one mail went to them
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rep_a@example.com"]
    assert mail.outbox[0].subject == "Reset your Sales CRM password"
    # When they open the link and set a new password
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    # Then the new password signs in, the old one does not, and the link is spent
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert can_log_in(client, "rep_a", NEW_PASSWORD)
    assert not can_log_in(client, "rep_a", PASSWORD)
    again = client.get(reset_link(mail.outbox[0]), follow=True)
    assert not again.context["validlink"]
    assert "invalid or has already been used" in again.content.decode()


def test_the_reset_does_not_reveal_whether_an_address_has_an_account(client, company):
    known = client.post(reverse("accounts:password_reset"), {"email": "rep_a@example.com"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_the_reset_refuses_a_weak_new_password(client, company):
    client.post(reverse("accounts:password_reset"), {"email": "rep_a@example.com"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert TOO_SHORT in response.content.decode()


def test_a_reset_lifts_a_lockout_of_the_username(client, company):
    for _ in range(10):
        client.post(LOGIN_URL, {"username": "rep_a", "password": "wrong"}, REMOTE_ADDR="10.5.5.5")
    client.post(reverse("accounts:password_reset"), {"email": "rep_a@example.com"})
    set_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert can_log_in(client, "rep_a", NEW_PASSWORD)


def test_a_bad_reset_link_says_so_and_offers_a_new_one(client, db):
    response = client.get("/accounts/password/reset/MQ/bad-token/")
    assert response.status_code == 200
    assert "invalid or has already been used" in response.content.decode()
