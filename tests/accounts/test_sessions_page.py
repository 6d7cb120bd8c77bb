"""The security page and /api/auth/sessions/: a user sees the browsers signed in as them
and their API tokens, and signs out or revokes any of them (issue 12)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.middleware import session_seen_key
from accounts.models import ApiToken, UserSession
from accounts.services import api_token_issue, user_sign_out_everywhere
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db

SECURITY = "/accounts/security/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def browser(user, user_agent: str = FIREFOX) -> Client:
    """A browser that signed in through the login page, as a person does."""
    client = Client(HTTP_USER_AGENT=user_agent)
    login = {"username": user.username, "password": PASSWORD}
    assert client.post(reverse("accounts:login"), login).status_code == 302
    return client


def signed_in(client: Client) -> bool:
    return client.get(SECURITY).status_code == 200


def test_signing_in_records_the_browser_and_logging_out_forgets_it(company):
    laptop = browser(company["rep"])

    tracked = UserSession.objects.get(user=company["rep"])
    assert tracked.user_agent == FIREFOX
    assert tracked.ip == "127.0.0.1"
    assert tracked.session_id == laptop.session.session_key

    laptop.post(reverse("accounts:logout"))
    assert not UserSession.objects.exists()


def test_last_seen_is_written_at_most_every_few_minutes(company):
    laptop = browser(company["rep"])
    tracked = UserSession.objects.get()
    long_ago = timezone.now() - timedelta(hours=1)
    UserSession.objects.filter(pk=tracked.pk).update(last_seen_at=long_ago)
    # a request just after signing in writes nothing
    laptop.get(SECURITY)
    assert UserSession.objects.get().last_seen_at == long_ago
    # once the few minutes are over (here: the cache forgot), the next request records it
    cache.delete(session_seen_key(laptop.session.session_key))
    laptop.get(SECURITY)
    assert UserSession.objects.get().last_seen_at > long_ago


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (FIREFOX, "Firefox on Linux"),
        (SAFARI, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_a_session_names_its_browser_as_a_person_would(user_agent, label):
    assert UserSession(user_agent=user_agent).browser == label


def test_the_page_lists_my_browsers_and_marks_this_one(company):
    laptop, phone = browser(company["rep"]), browser(company["rep"], SAFARI)
    browser(company["other_rep"], "Someone else's browser")

    html = laptop.get(SECURITY).content.decode()

    assert html.count("this browser") == 1
    assert "Firefox on Linux" in html and "Safari on iPhone" in html
    assert "Someone else" not in html
    assert phone.session.session_key not in html  # the key is a credential, never shown
    assert 'href="/accounts/security/"' in html  # the header links here


def test_the_page_links_to_the_password_and_two_factor_pages(company):
    html = browser(company["rep"]).get(SECURITY).content.decode()

    assert f'href="{reverse("accounts:password_change")}"' in html
    assert f'href="{reverse("accounts:two_factor")}"' in html


def test_signing_out_a_session_signs_that_browser_out_at_its_next_request(company):
    # given the rep signed in on a laptop and a phone
    laptop, phone = browser(company["rep"]), browser(company["rep"], SAFARI)
    phone_session = UserSession.objects.get(session_id=phone.session.session_key)
    # when they sign the phone out from the laptop
    response = laptop.post(reverse("accounts:session-revoke", args=[phone_session.pk]))
    # then the phone is signed out, the laptop is not
    assert response.status_code == 302
    assert phone.get(SECURITY).status_code == 302
    assert not Session.objects.filter(session_key=phone_session.session_id).exists()
    assert not UserSession.objects.filter(pk=phone_session.pk).exists()
    assert signed_in(laptop)


def test_signing_out_this_browser_from_the_list_signs_it_out(company):
    laptop = browser(company["rep"])
    mine = UserSession.objects.get(session_id=laptop.session.session_key)

    response = laptop.post(reverse("accounts:session-revoke", args=[mine.pk]))

    assert response.url == reverse("accounts:login")
    assert not signed_in(laptop)


def test_sign_out_all_other_sessions_keeps_only_this_browser(company):
    laptop, phone, tablet = (browser(company["rep"]) for _ in range(3))
    colleague = browser(company["other_rep"])

    response = laptop.post(reverse("accounts:sessions-revoke-others"), follow=True)

    assert "Signed out 2 other sessions." in response.content.decode()
    assert signed_in(laptop) and signed_in(colleague)
    assert not signed_in(phone) and not signed_in(tablet)
    assert list(UserSession.objects.filter(user=company["rep"])) == [
        UserSession.objects.get(session_id=laptop.session.session_key)
    ]


def test_another_users_session_or_token_is_a_404_and_stays(company):
    laptop = browser(company["rep"])
    theirs = browser(company["other_rep"])
    their_session = UserSession.objects.get(user=company["other_rep"])
    their_token, _ = api_token_issue(user=company["other_rep"])

    assert (
        laptop.post(reverse("accounts:session-revoke", args=[their_session.pk])).status_code == 404
    )
    assert laptop.post(reverse("accounts:token-revoke", args=[their_token.pk])).status_code == 404
    assert signed_in(theirs)
    assert ApiToken.objects.filter(pk=their_token.pk).exists()


def test_an_expired_session_is_not_listed(company):
    laptop, phone = browser(company["rep"]), browser(company["rep"], SAFARI)
    Session.objects.filter(session_key=phone.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    html = laptop.get(SECURITY).content.decode()

    assert SAFARI not in html


def test_a_session_without_a_row_gets_one_at_its_next_request(company):
    """Sessions signed in before tracking existed show up once they are used."""
    laptop = browser(company["rep"])
    UserSession.objects.all().delete()
    cache.delete(session_seen_key(laptop.session.session_key))

    laptop.get(SECURITY)

    tracked = UserSession.objects.get()
    assert tracked.session_id == laptop.session.session_key
    assert tracked.browser == "Firefox on Linux"


def test_a_token_created_on_the_page_shows_its_key_once(company):
    laptop = browser(company["rep"])

    response = laptop.post(reverse("accounts:token-create"), {"name": "Laptop script"})

    token = ApiToken.objects.get(user=company["rep"])
    html = response.content.decode()
    key = html.split('<code class="token-key">')[1].split("</code>")[0]
    assert key.startswith(token.prefix)
    assert "no-store" in response["Cache-Control"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/users/").status_code == 200
    again = laptop.get(SECURITY).content.decode()
    assert "Laptop script" in again and token.prefix in again
    assert key not in again


def test_a_too_long_token_name_is_a_form_error(company):
    laptop = browser(company["rep"])

    response = laptop.post(reverse("accounts:token-create"), {"name": "x" * 101})

    assert response.status_code == 400
    assert "Keep the name to 100 characters or fewer." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token_on_the_page_stops_it(company):
    laptop = browser(company["rep"])
    token, key = api_token_issue(user=company["rep"], name="Old script")

    laptop.post(reverse("accounts:token-revoke", args=[token.pk]))

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/users/").status_code == 401


def test_the_page_needs_a_signed_in_user_and_post_for_changes(company):
    assert Client().get(SECURITY).status_code == 302
    laptop = browser(company["rep"])
    assert laptop.get(reverse("accounts:sessions-revoke-others")).status_code == 405


def test_the_page_costs_the_same_queries_however_many_tokens_and_sessions(
    company, django_assert_max_num_queries
):
    laptop = browser(company["rep"])
    with django_assert_max_num_queries(5):
        assert laptop.get(SECURITY).status_code == 200
    for n in range(15):
        api_token_issue(user=company["rep"], name=f"token {n}")
        browser(company["rep"], f"Browser {n}")
    with django_assert_max_num_queries(5):
        html = laptop.get(SECURITY).content.decode()
    assert "token 14" in html and "Browser 14" in html


# --- the API ------------------------------------------------------------------------------


def test_the_sessions_api_lists_mine_and_marks_the_current_one(company):
    laptop, _ = browser(company["rep"]), browser(company["rep"], SAFARI)
    browser(company["other_rep"])

    rows = laptop.get("/api/auth/sessions/").json()["results"]

    assert {row["user_agent"] for row in rows} == {FIREFOX, SAFARI}
    assert [row["is_current"] for row in rows if row["user_agent"] == FIREFOX] == [True]
    assert set(rows[0]) == {
        "id",
        "browser",
        "user_agent",
        "ip",
        "created_at",
        "last_seen_at",
        "is_current",
    }


def test_deleting_a_session_through_the_api_signs_that_browser_out(company, api_as):
    laptop, phone = browser(company["rep"]), browser(company["rep"], SAFARI)
    phone_session = UserSession.objects.get(session_id=phone.session.session_key)
    colleague = browser(company["other_rep"])
    their_session = UserSession.objects.get(user=company["other_rep"])
    api = api_as(company["rep"])

    assert api.delete(f"/api/auth/sessions/{their_session.pk}/").status_code == 404
    assert api.delete(f"/api/auth/sessions/{phone_session.pk}/").status_code == 204

    assert not signed_in(phone)
    assert signed_in(laptop) and signed_in(colleague)


# --- signing out everywhere ---------------------------------------------------------------


def test_sign_out_everywhere_removes_every_token_and_session_of_that_user_only(company):
    # given the rep on two browsers with two tokens, and a colleague signed in too
    laptop, phone = browser(company["rep"]), browser(company["rep"], SAFARI)
    (_, key), _ = api_token_issue(user=company["rep"]), api_token_issue(user=company["rep"])
    colleague = browser(company["other_rep"])
    _, colleague_key = api_token_issue(user=company["other_rep"])
    # when the rep is signed out everywhere, inside the caller's transaction
    with transaction.atomic():
        counts = user_sign_out_everywhere(user=company["rep"])
    # then nothing of theirs signs in any more, and the colleague carries on
    assert counts == {"tokens": 2, "sessions": 2}
    assert not signed_in(laptop) and not signed_in(phone)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/users/").status_code == 401
    assert signed_in(colleague)
    api.credentials(HTTP_AUTHORIZATION=f"Token {colleague_key}")
    assert api.get("/api/users/").status_code == 200


def test_sign_out_everywhere_also_ends_a_session_from_before_tracking(company):
    laptop = browser(company["rep"])
    UserSession.objects.all().delete()  # as if signed in before sessions were tracked

    counts = user_sign_out_everywhere(user=company["rep"])

    assert counts == {"tokens": 0, "sessions": 1}
    assert not signed_in(laptop)


def test_sign_out_everywhere_rolls_back_with_the_callers_transaction(company):
    laptop = browser(company["rep"])
    api_token_issue(user=company["rep"])

    with pytest.raises(RuntimeError), transaction.atomic():
        user_sign_out_everywhere(user=company["rep"])
        raise RuntimeError("the caller's later step failed")

    assert signed_in(laptop)
    assert ApiToken.objects.filter(user=company["rep"]).exists()
