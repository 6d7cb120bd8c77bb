"""Two-factor sign-in: setting up an authenticator app, the code step after the password,
single-use codes, recovery codes, the per-role requirement and the token endpoint."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorPolicy
from tests.accounts.otp import RECOVERY_CODES, code_for, enrol, wrong_code_for
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
VERIFY_URL = "/accounts/login/code/"
ENROL_URL = "/accounts/two-factor/"
TOKEN_URL = "/api/auth/token/"
WRONG = "That code is wrong or was already used."


@pytest.fixture(autouse=True)
def _no_code_throttling(settings):
    """django-otp slows a retry after a wrong code by seconds; these specifications type
    the next code at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def password_step(client, username="rep_a", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": PASSWORD, **extra})


def code_step(client, code):
    return client.post(VERIFY_URL, {"code": code})


def is_signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


# --- the code step ------------------------------------------------------------------------


def test_with_an_authenticator_the_password_alone_does_not_sign_in(client, company):
    # Given a rep with an authenticator app
    enrol(company["rep"])
    # When they pass the password step
    response = password_step(client)
    # Then they are asked for a code, and not signed in yet
    assert response.status_code == 302
    assert response["Location"] == VERIFY_URL
    assert not is_signed_in(client)
    page = client.get(VERIFY_URL)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()


def test_the_current_code_signs_in_and_returns_to_the_page_asked_for(client, company):
    device = enrol(company["rep"])
    password_step(client, next="/deals/")
    response = code_step(client, code_for(device))
    assert response.status_code == 302
    assert response["Location"] == "/deals/"
    assert is_signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_code_typed_with_a_space_is_accepted(client, company):
    device = enrol(company["rep"])
    password_step(client)
    code = code_for(device)
    assert code_step(client, f"{code[:3]} {code[3:]}").status_code == 302


def test_a_wrong_code_is_refused_and_counts_as_a_failed_sign_in(client, company):
    device = enrol(company["rep"])
    password_step(client)
    response = code_step(client, wrong_code_for(device))
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not is_signed_in(client)
    assert AccessAttempt.objects.get(username="rep_a").failures_since_start == 1
    # the right code still works after a wrong one
    assert code_step(client, code_for(device)).status_code == 302


def test_an_empty_code_names_the_field(client, company):
    enrol(company["rep"])
    password_step(client)
    response = code_step(client, "")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["Enter the code from your authenticator app."]
    }


def test_a_code_used_once_is_refused_the_second_time(client, company):
    # Given a rep who signed in with the current code, then signed out
    device = enrol(company["rep"])
    code = code_for(device)
    password_step(client)
    assert code_step(client, code).status_code == 302
    client.post(reverse("accounts:logout"))
    # When someone replays the same code after the password
    password_step(client)
    response = code_step(client, code)
    # Then it is refused
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not is_signed_in(client)


def test_a_recovery_code_signs_in_once_only(client, company):
    enrol(company["rep"])
    password_step(client)
    assert code_step(client, RECOVERY_CODES[0].upper()).status_code == 302
    assert is_signed_in(client)
    client.post(reverse("accounts:logout"))
    password_step(client)
    response = code_step(client, RECOVERY_CODES[0])
    assert WRONG in response.content.decode()
    assert not is_signed_in(client)
    assert StaticToken.objects.filter(device__user=company["rep"]).count() == 9


def test_the_code_page_without_the_password_step_goes_back_to_login(client, company):
    enrol(company["rep"])
    response = client.get(VERIFY_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert code_step(client, "123456")["Location"] == reverse("accounts:login")


def test_the_code_step_expires_after_five_minutes(client, company):
    device = enrol(company["rep"])
    password_step(client)
    session = client.session
    session["two_factor_pending"]["at"] -= 301
    session.save()
    response = code_step(client, code_for(device))
    assert response["Location"] == reverse("accounts:login")
    assert not is_signed_in(client)


def test_ten_wrong_codes_lock_the_user_out(client, company):
    # Given a rep who knows the password but not the code
    device = enrol(company["rep"])
    password_step(client)
    for _ in range(9):
        code_step(client, wrong_code_for(device))
    # When the tenth wrong code is sent
    response = code_step(client, wrong_code_for(device))
    # Then the login page says they are locked out, and the code step is over
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get(VERIFY_URL)["Location"] == reverse("accounts:login")
    # And even the right password and code no longer get in
    assert password_step(client).status_code == 429


# --- setting it up ------------------------------------------------------------------------


def test_the_set_up_page_shows_a_qr_code_and_the_key_without_scripts(client, company):
    client.force_login(company["rep"])
    response = client.get(ENROL_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<path" in html
    secret = response.context["secret"]
    assert secret.replace(" ", "")  # the key for typing in by hand
    assert secret in html
    assert "<script>" not in html and " onload=" not in html
    # the same key on the next visit, until it is confirmed
    assert client.get(ENROL_URL).context["secret"] == secret


def test_confirming_with_a_current_code_turns_it_on_and_shows_ten_recovery_codes(client, company):
    rep = company["rep"]
    client.force_login(rep)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=rep, confirmed=False)
    response = client.post(ENROL_URL, {"code": code_for(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=rep).count() == 10
    # the codes are not shown again: the page now manages two-factor sign-in
    page = client.get(ENROL_URL)
    assert "Recovery codes left: <strong>10</strong>" in page.content.decode()
    assert codes[0] not in page.content.decode()
    # and a printed code signs in
    client.post(reverse("accounts:logout"))
    password_step(client)
    assert code_step(client, codes[0]).status_code == 302


def test_a_wrong_code_does_not_turn_it_on(client, company):
    client.force_login(company["rep"])
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=company["rep"])
    response = client.post(ENROL_URL, {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert not TOTPDevice.objects.filter(user=company["rep"], confirmed=True).exists()
    response = client.post(ENROL_URL, {"code": "abc"})
    assert response.context["form"].errors["code"] == [
        "Enter the 6-digit code your authenticator app shows."
    ]


def test_new_recovery_codes_replace_the_old_ones(client, company):
    device = enrol(company["rep"])
    client.force_login(company["rep"])
    url = reverse("accounts:two_factor_recovery_codes")
    refused = client.post(url, {"regenerate-code": wrong_code_for(device)})
    assert WRONG in refused.content.decode()
    response = client.post(url, {"regenerate-code": code_for(device)})
    assert response.status_code == 200
    new_codes = {c.replace("-", "") for c in response.context["codes"]}
    stored = set(
        StaticToken.objects.filter(device__user=company["rep"]).values_list("token", flat=True)
    )
    assert stored == new_codes
    assert not stored & set(RECOVERY_CODES)


def test_turning_it_off_needs_a_code_and_then_sign_in_is_password_only(client, company):
    device = enrol(company["rep"])
    client.force_login(company["rep"])
    url = reverse("accounts:two_factor_disable")
    assert WRONG in client.post(url, {"disable-code": "999999"}).content.decode()
    response = client.post(url, {"disable-code": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=company["rep"]).exists()
    client.post(reverse("accounts:logout"))
    assert password_step(client)["Location"] == reverse("home")


def test_it_cannot_be_turned_off_while_the_role_requires_it(client, company):
    TwoFactorPolicy.objects.create(role="rep", required=True)
    device = enrol(company["rep"])
    client.force_login(company["rep"])
    page = client.get(ENROL_URL).content.decode()
    assert "cannot be turned off" in page
    response = client.post(
        reverse("accounts:two_factor_disable"), {"disable-code": code_for(device)}
    )
    assert "Your role requires two-factor sign-in, so it cannot be turned off." in (
        response.content.decode()
    )
    assert TOTPDevice.objects.filter(user=company["rep"], confirmed=True).exists()


# --- the per-role requirement ---------------------------------------------------------------


def test_a_role_that_requires_it_is_kept_on_the_set_up_page_until_enrolled(client, company):
    # Given the admin requires two-factor sign-in for reps, and a rep without it
    TwoFactorPolicy.objects.create(role="rep", required=True)
    # When the rep passes the password step
    response = password_step(client)
    # Then they land on the set-up page and can reach nothing else
    assert response["Location"] == ENROL_URL
    assert client.get(reverse("home"))["Location"] == ENROL_URL
    assert client.get(reverse("crm:customer-list"))["Location"] == ENROL_URL
    api = client.get("/api/customers/")
    assert api.status_code == 403
    assert "Two-factor sign-in is required" in api.json()["detail"]
    assert client.get(ENROL_URL).status_code == 200
    # When they enrol
    device = TOTPDevice.objects.get(user=company["rep"])
    client.post(ENROL_URL, {"code": code_for(device)})
    # Then the CRM opens up
    assert client.get(reverse("home")).status_code == 200


def test_a_user_kept_on_the_set_up_page_can_still_log_out(client, company):
    TwoFactorPolicy.objects.create(role="rep", required=True)
    password_step(client)
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")
    assert client.get(reverse("home"))["Location"].startswith(LOGIN_URL)


def test_without_an_admin_decision_the_setting_decides(client, settings, company):
    settings.CRM_2FA_REQUIRED_ROLES = ["admin"]
    assert password_step(client, "admin")["Location"] == ENROL_URL
    client.post(reverse("accounts:logout"))
    assert password_step(client, "rep_a")["Location"] == reverse("home")
    # an admin's decision overrides the setting
    TwoFactorPolicy.objects.create(role="admin", required=False)
    client.post(reverse("accounts:logout"))
    assert password_step(client, "admin")["Location"] == reverse("home")


def test_the_development_profile_requires_it_of_nobody(settings):
    assert settings.CRM_2FA_REQUIRED_ROLES == []


def test_the_django_admin_signs_in_through_the_crm_login_page(client, company):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "next=/admin/accounts/user/" in response["Location"]


# --- the policy page and API ---------------------------------------------------------------


def test_an_admin_sets_the_policy_on_a_page(client, company):
    client.force_login(company["admin"])
    url = reverse("accounts:two_factor_policy")
    assert client.get(url).status_code == 200
    response = client.post(url, {"manager": "on", "admin": "on"})
    assert response.status_code == 302
    assert dict(TwoFactorPolicy.objects.values_list("role", "required")) == {
        "rep": False,
        "manager": True,
        "admin": True,
    }
    assert TwoFactorPolicy.objects.get(role="manager").updated_by == company["admin"]


@pytest.mark.parametrize("who", ["rep", "north_mgr"])
def test_only_admins_open_the_policy_page(client, company, who):
    client.force_login(company[who])
    assert client.get(reverse("accounts:two_factor_policy")).status_code == 403
    assert client.post(reverse("accounts:two_factor_policy"), {"rep": "on"}).status_code == 403
    assert not TwoFactorPolicy.objects.exists()


def test_the_policy_api_reads_and_writes_for_admins(api_as, company, settings):
    settings.CRM_2FA_REQUIRED_ROLES = ["admin"]
    admin = api_as(company["admin"])
    url = "/api/auth/two-factor-policy/"
    assert admin.get(url).json() == {"rep": False, "manager": False, "admin": True}
    response = admin.put(url, {"rep": True, "manager": False, "admin": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {"rep": True, "manager": False, "admin": True}
    assert admin.patch(url, {"manager": True}, format="json").json()["manager"] is True
    bad = admin.put(url, {"rep": "perhaps"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"rep", "manager", "admin"}


@pytest.mark.parametrize("who", ["rep", "north_mgr"])
def test_the_policy_api_is_403_for_others(api_as, company, who):
    client = api_as(company[who])
    assert client.get("/api/auth/two-factor-policy/").status_code == 403
    assert (
        client.put("/api/auth/two-factor-policy/", {"rep": True}, format="json").status_code == 403
    )


def test_the_policy_api_is_401_without_credentials(api_client, db):
    assert api_client.get("/api/auth/two-factor-policy/").status_code == 401


# --- the token endpoint ----------------------------------------------------------------------


def ask_token(api_client, **extra):
    return api_client.post(
        TOKEN_URL, {"username": "rep_a", "password": PASSWORD, **extra}, format="json"
    )


def test_the_token_endpoint_asks_for_the_code_when_two_factor_is_on(api_client, company):
    device = enrol(company["rep"])
    missing = ask_token(api_client)
    assert missing.status_code == 400
    assert "otp" in missing.json() and "token" not in missing.json()
    wrong = ask_token(api_client, otp=wrong_code_for(device))
    assert wrong.status_code == 400
    assert WRONG in wrong.json()["otp"][0]
    code = code_for(device)
    good = ask_token(api_client, otp=code)
    assert good.status_code == 200
    assert good.json()["token"]
    replay = ask_token(api_client, otp=code)
    assert replay.status_code == 400
    assert WRONG in replay.json()["otp"][0]


def test_the_token_endpoint_takes_a_recovery_code_once(api_client, company):
    enrol(company["rep"])
    assert ask_token(api_client, otp=RECOVERY_CODES[1]).status_code == 200
    assert ask_token(api_client, otp=RECOVERY_CODES[1]).status_code == 400


def test_wrong_codes_on_the_api_count_towards_the_lockout(api_client, company):
    device = enrol(company["rep"])
    for _ in range(9):
        ask_token(api_client, otp=wrong_code_for(device))
    response = ask_token(api_client, otp=wrong_code_for(device))
    assert response.status_code == 429
    assert ask_token(api_client, otp=code_for(device)).status_code == 429


def test_a_required_but_unenrolled_user_gets_no_token(api_client, company):
    TwoFactorPolicy.objects.create(role="rep", required=True)
    response = ask_token(api_client)
    assert response.status_code == 403
    assert "set it up first" in response.json()["detail"]


def test_without_two_factor_the_token_endpoint_is_unchanged(api_client, company):
    response = ask_token(api_client)
    assert response.status_code == 200
    assert response.json()["token"]


def test_every_page_links_to_the_password_and_two_factor_page(client, company):
    client.force_login(company["rep"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{ENROL_URL}">Password &amp; 2FA</a>' in html
    assert reverse("accounts:password_change") in client.get(ENROL_URL).content.decode()


def test_an_overlong_username_on_the_token_endpoint_is_a_400(api_client, db):
    response = api_client.post(
        TOKEN_URL, {"username": "x" * 300, "password": "whatever"}, format="json"
    )
    assert response.status_code == 400
    assert "username" in response.json()


def test_an_overlong_code_is_a_field_error(client, company):
    enrol(company["rep"])
    password_step(client)
    response = code_step(client, "1" * 40)
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
