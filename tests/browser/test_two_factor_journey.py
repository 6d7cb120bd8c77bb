"""Journey: a rep turns on two-factor sign-in with the QR page, then signs in with a code;
every page on the way keeps to the Content-Security-Policy (the `page` fixture checks)."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.accounts.otp import code_for
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.browser


def test_a_rep_sets_up_two_factor_sign_in_and_signs_in_with_a_code(page, login, company):
    # Given a signed-in rep on the Password & 2FA page
    login(page, "rep_a", PASSWORD)
    page.get_by_role("link", name="Password & 2FA").click()
    # Then the QR code is drawn, with the key for typing in by hand
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    expect(page.locator(".otp-secret")).not_to_be_empty()
    # When they confirm with the code their app shows
    device = TOTPDevice.objects.get(user=company["rep"], confirmed=False)
    page.get_by_label("Code", exact=True).fill(code_for(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    # Then they see their ten recovery codes once
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    # When they sign out and in again: the password, then the next code of the app
    page.get_by_role("button", name="Log out").click()
    login(page, "rep_a", PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    page.get_by_label("Code", exact=True).fill(code_for(device, steps_ahead=1))
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    # Then they are home
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".who .badge")).to_have_text("rep")
