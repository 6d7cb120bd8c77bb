"""Issue 14: pages and API errors in the user's language (profile > browser > English),
numbers and weeks in the locale's format, the profile and the header's switcher."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone, translation
from rest_framework.test import APIClient

from accounts import services
from tests.factories.accounts import ManagerFactory, RepFactory, TeamFactory

pytestmark = pytest.mark.django_db

# The navigation (accounts.context_processors) and the header (base.html) in each language.
EXPECTED = {
    "id": {"nav": "Pelanggan", "tasks": "Tugas", "logout": "Keluar", "switch": "Ganti bahasa"},
    "nl": {"nav": "Klanten", "tasks": "Taken", "logout": "Uitloggen", "switch": "Taal wijzigen"},
    "nb": {"nav": "Kunder", "tasks": "Oppgaver", "logout": "Logg ut", "switch": "Bytt språk"},
}
TOKEN_EXPIRED = {
    "en": "Token expired; request a new one.",
    "id": "Token kedaluwarsa; minta token baru.",
    "nl": "Token verlopen; vraag een nieuwe aan.",
    "nb": "Tokenet er utløpt; be om et nytt.",
}
NO_CREDENTIALS = {  # DRF's own catalogues
    "en": "Authentication credentials were not provided.",
    "id": "Data autentikasi tidak diberikan.",
    "nl": "Authenticatiegegevens zijn niet opgegeven.",
    "nb": "Manglende autentiseringsinformasjon.",
}


@pytest.fixture
def rep():
    team = TeamFactory(name="Jakarta", time_zone="Asia/Jakarta")
    return RepFactory(username="rep_i18n", team=team)


def _nav_html(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="topbar">') : html.index("</header>")]


@pytest.mark.parametrize("lang", ["id", "nl", "nb"])
def test_a_page_speaks_the_language_of_the_users_profile(client, rep, lang):
    rep.language = lang
    rep.save()
    client.force_login(rep)
    # The browser asks for English: the profile wins.
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    header = _nav_html(response)
    assert f">{EXPECTED[lang]['nav']}</a>" in header
    assert f">{EXPECTED[lang]['tasks']}</a>" in header
    assert EXPECTED[lang]["logout"] in header
    assert ">Customers<" not in header
    assert response["Content-Language"] == lang


@pytest.mark.parametrize("lang", ["id", "nl", "nb"])
def test_without_a_profile_language_the_browser_chooses(client, rep, lang):
    client.force_login(rep)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=f"{lang},en;q=0.5")
    assert f'<html lang="{lang}">' in response.content.decode()
    assert f">{EXPECTED[lang]['nav']}</a>" in _nav_html(response)


@pytest.mark.parametrize("lang", ["id", "nl", "nb"])
def test_an_anonymous_visitor_gets_the_browsers_language(client, lang):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=lang)
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert EXPECTED[lang]["switch"] in html


def test_english_stays_the_default_and_unchanged(client, rep):
    client.force_login(rep)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert ">Customers</a>" in html and ">Log out</button>" in html
    # An unknown language falls back to English.
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.parametrize("lang", ["en", "id", "nl", "nb"])
def test_an_api_error_in_the_browsers_language(rep, lang):
    token, key = services.api_token_issue(user=rep, name="script")
    token.expires_at = timezone.now() - timedelta(minutes=1)
    token.save()
    client = APIClient()
    response = client.get(
        "/api/customers/", HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 401
    assert response.json()["detail"] == TOKEN_EXPIRED[lang]
    response = client.get("/api/customers/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == NO_CREDENTIALS[lang]


def test_a_token_user_gets_their_profile_language_and_time_zone(rep):
    rep.language, rep.time_zone = "nl", "Europe/Amsterdam"
    rep.save()
    _, key = services.api_token_issue(user=rep, name="script")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    response = client.patch("/api/users/me/", {"language": "xx"}, format="json")
    assert response.status_code == 400
    assert response.json()["language"] == ['"xx" is een ongeldige keuze.']
    assert client.get("/api/users/me/").json()["time_zone"] == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "1,234.50"), ("id", "1.234,50"), ("nl", "1.234,50"), ("nb", "1.234,50")],
)
def test_numbers_in_the_locales_format(lang, expected):
    with translation.override(lang):
        assert formats.number_format(Decimal("1234.5"), 2, force_grouping=True) == expected
        html = Template('{% load humanize %}{{ x|floatformat:"2g" }}|{{ n|intcomma }}').render(
            Context({"x": Decimal("1234.5"), "n": 1234567})
        )
        separator = "," if lang == "en" else "."
        assert html == f"{expected}|1{separator}234{separator}567"


@pytest.mark.parametrize("lang", ["en", "id", "nl", "nb"])
def test_weeks_start_on_monday_and_dates_are_local(lang):
    from datetime import date

    short = {"en": "12/07/2026", "id": "07/12/2026", "nl": "07-12-2026", "nb": "07.12.2026"}
    with translation.override(lang):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert formats.date_format(date(2026, 12, 7), "SHORT_DATE_FORMAT") == short[lang]


def test_the_profile_page_saves_language_and_time_zone(client, rep):
    client.force_login(rep)
    url = reverse("accounts:profile")
    page = client.get(url)
    assert page.status_code == 200
    assert "Asia/Jakarta" in page.content.decode()  # the team's zone, named in the blank choice
    data = {
        "first_name": "Sari",
        "last_name": "Wijaya",
        "email": "sari@example.com",
        "language": "id",
        "time_zone": "Asia/Makassar",
    }
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Profil Anda telah disimpan." in response.content.decode()
    rep.refresh_from_db()
    assert (rep.first_name, rep.language, rep.time_zone) == ("Sari", "id", "Asia/Makassar")


@pytest.mark.parametrize(
    ("field", "value"), [("language", "fr"), ("time_zone", "Mars/Olympus"), ("email", "nope")]
)
def test_the_profile_page_refuses_what_it_does_not_know(client, rep, field, value):
    client.force_login(rep)
    data = {"first_name": "A", "last_name": "B", "email": "a@example.com", field: value}
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    rep.refresh_from_db()
    assert rep.language == "" and rep.time_zone == ""


def test_the_profile_page_needs_a_signed_in_user(client):
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_the_api_reads_and_changes_the_callers_profile(api_as, rep):
    client = api_as(rep)
    me = client.get("/api/users/me/").json()
    assert me["username"] == "rep_i18n" and me["language"] == "" and me["time_zone"] == ""
    response = client.patch(
        "/api/users/me/", {"language": "nb", "time_zone": "Europe/Oslo"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["language"] == "nb"
    rep.refresh_from_db()
    assert (rep.language, rep.time_zone) == ("nb", "Europe/Oslo")
    # Blank again: the browser's language and the team's time zone.
    response = client.patch("/api/users/me/", {"language": "", "time_zone": ""}, format="json")
    assert response.status_code == 200
    rep.refresh_from_db()
    assert (rep.language, rep.time_zone) == ("", "")


def test_the_api_refuses_an_unknown_language_or_time_zone(api_as, rep):
    client = api_as(rep)
    response = client.patch("/api/users/me/", {"language": "xx"}, format="json")
    assert response.status_code == 400
    assert response.json()["language"] == ['"xx" is not a valid choice.']
    response = client.patch("/api/users/me/", {"time_zone": "Mars/Olympus"}, format="json")
    assert response.status_code == 400
    assert "is not a known time zone" in response.json()["time_zone"][0]
    response = client.patch("/api/users/me/", {"username": "boss"}, format="json")
    rep.refresh_from_db()
    assert rep.username == "rep_i18n"  # read-only
    assert APIClient().get("/api/users/me/").status_code in (401, 403)


def test_the_switcher_sets_the_cookie_and_saves_a_signed_in_users_choice(client, rep):
    client.force_login(rep)
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["django_language"].value == "nl"
    rep.refresh_from_db()
    assert rep.language == "nl"
    assert ">Klanten</a>" in client.get("/").content.decode()
    # An unknown language changes nothing.
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    rep.refresh_from_db()
    assert rep.language == "nl"


def test_the_switcher_works_for_an_anonymous_visitor(client):
    response = client.post(reverse("set_language"), {"language": "nb", "next": "/accounts/login/"})
    assert response.cookies["django_language"].value == "nb"
    page = client.get("/accounts/login/")
    assert '<html lang="nb">' in page.content.decode()


def test_the_user_time_zone_comes_before_the_teams(client, rep):
    client.force_login(rep)
    seen = {}

    def capture(request):
        seen["zone"] = timezone.get_current_timezone_name()

    from accounts.middleware import TeamTimeZoneMiddleware

    request = client.get("/").wsgi_request
    TeamTimeZoneMiddleware(capture)(request)
    assert seen["zone"] == "Asia/Jakarta"
    rep.time_zone = "Asia/Jayapura"
    rep.save()
    request.user = rep
    TeamTimeZoneMiddleware(capture)(request)
    assert seen["zone"] == "Asia/Jayapura"


def test_the_language_middleware_costs_no_query(client, rep):
    """Same queries for a user with and without a profile language (the user row is
    loaded anyway)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(rep)
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        client.get("/")
    rep.language = "id"
    rep.save()
    client.get("/")
    with CaptureQueriesContext(connection) as after:
        client.get("/")
    assert len(after.captured_queries) == len(before.captured_queries)


CHART_WORDS = {  # the dashboard's charts: legend words and month names from the server
    "en": ("Calls goal", "Deals reaching the stage", "May"),
    "id": ("Target panggilan", "Deal yang mencapai tahap ini", "Mei"),
    "nl": ("Doel gesprekken", "Deals die deze fase bereiken", "Mei"),
    "nb": ("Mål for samtaler", "Avtaler som når fasen", "Mai"),
}


@pytest.mark.parametrize("lang", ["en", "id", "nl", "nb"])
def test_the_dashboard_charts_speak_the_users_language(client, lang):
    manager = ManagerFactory(username="mgr_i18n", language=lang)
    team = TeamFactory(name="Jakarta", manager=manager, time_zone="Asia/Jakarta")
    manager.team = team
    manager.save()
    RepFactory(username="rep_i18n", team=team)
    client.force_login(manager)

    response = client.get(reverse("reports:dashboard"))

    data = response.context["chart_data"]
    goal, reached, may = CHART_WORDS[lang]
    assert (data["words"]["calls_goal"], data["words"]["reached"]) == (goal, reached)
    assert data["yoy"]["labels"][4] == may
    assert "Calls goal" not in response.content.decode() or lang == "en"
