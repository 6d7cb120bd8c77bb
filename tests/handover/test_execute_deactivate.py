"""accounts.services.user_deactivate: the departing rep is shut out on every path in, and
nobody else is."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_issue, user_deactivate, user_reactivate
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_deactivation_ends_sessions_revokes_tokens_and_refuses_login(company):
    rep, other = company["rep"], company["other_rep"]
    rep_browser, other_browser = _signed_in(rep), _signed_in(other)
    (rep_token, rep_key), (other_token, _) = api_token_issue(user=rep), api_token_issue(user=other)
    assert Session.objects.count() == 2
    user_deactivate(user=rep)
    # the rep: no session, no token, no new login, the API refuses the old token
    assert rep_browser.get("/week/").status_code == 302
    assert Session.objects.count() == 1
    assert not ApiToken.objects.filter(pk=rep_token.pk).exists()
    assert not Client().login(username=rep.username, password=PASSWORD)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {rep_key}")
    assert api.get("/api/customers/").status_code == 401
    # everyone else carries on
    assert other_browser.get("/week/").status_code == 200
    assert ApiToken.objects.filter(pk=other_token.pk).exists()


def test_reactivation_lets_them_sign_in_again_with_their_password(company):
    rep = company["rep"]
    user_deactivate(user=rep)
    user_reactivate(user=rep)
    assert Client().login(username=rep.username, password=PASSWORD)
