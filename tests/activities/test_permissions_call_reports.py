"""Permission matrix of every call-report and feed page and endpoint: rep (own report),
another rep of the same team, the team's manager, the other team's manager and an admin.
Reps may not review or open the team pages (403); a report outside scope is 404."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import WeeklyCallReport
from tests.activities.test_call_report_services import WEEK

pytestmark = pytest.mark.django_db

ACTORS = ["rep", "other_rep", "north_mgr", "south_mgr", "admin"]
# Who may see rep_a's report
SEES_REPORT = {"rep", "north_mgr", "admin"}
REVIEWERS = {"north_mgr", "admin"}
MANAGER_PAGES = {"north_mgr", "south_mgr", "admin"}


def review_status(actor: str, allowed: set[str]) -> int:
    """Reps may not review (403); managers outside the team get 404; the rest 200."""
    if actor in ("rep", "other_rep"):
        return 403
    return 200 if actor in allowed else 404


@pytest.fixture
def report(company):
    r = services.call_report_get_or_create(rep=company["rep"], week=WEEK)
    return services.call_report_submit(report=r, by=company["rep"])


@pytest.mark.parametrize("actor", ACTORS)
def test_team_pages_are_for_managers_and_admins(client, company, actor):
    client.force_login(company[actor])
    expected = 200 if actor in MANAGER_PAGES else 403
    assert client.get(reverse("activities:feed")).status_code == expected
    assert client.get(reverse("activities:call-report-team")).status_code == expected


@pytest.mark.parametrize("actor", ACTORS)
def test_rep_report_page_shows_only_the_callers_own_report(client, company, report, actor):
    client.force_login(company[actor])
    response = client.get(reverse("activities:call-report", kwargs={"week": WEEK}))
    if actor in ("rep", "other_rep"):
        assert response.status_code == 200
        assert response.context["report"].rep == company[actor]
    else:
        assert response.status_code == 302  # managers and admins go to the team page


@pytest.mark.parametrize("actor", ACTORS)
def test_review_page_and_actions(client, company, report, actor):
    client.force_login(company[actor])
    expected = review_status(actor, SEES_REPORT)
    assert client.get(reverse("activities:call-report-review", args=[report.pk])).status_code == (
        expected
    )
    approve = client.post(
        reverse("activities:call-report-approve", args=[report.pk]), HTTP_HX_REQUEST="true"
    )
    assert approve.status_code == expected
    report.refresh_from_db()
    assert report.status == ("approved" if actor in REVIEWERS else "submitted")


@pytest.mark.parametrize("actor", ACTORS)
def test_api_read_is_scoped(api_as, company, report, actor):
    api = api_as(company[actor])
    listed = {r["id"] for r in api.get("/api/call-reports/").json()["results"]}
    assert listed == ({report.pk} if actor in SEES_REPORT else set())
    expected = 200 if actor in SEES_REPORT else 404
    assert api.get(f"/api/call-reports/{report.pk}/").status_code == expected


@pytest.mark.parametrize("actor", ACTORS)
def test_api_review_actions(api_as, company, report, actor):
    api = api_as(company[actor])
    expected = review_status(actor, REVIEWERS)
    returned = api.post(f"/api/call-reports/{report.pk}/return/", {"comment": "x"}, format="json")
    assert returned.status_code == expected
    report.refresh_from_db()
    assert report.status == ("returned" if actor in REVIEWERS else "submitted")


@pytest.mark.parametrize("actor", ACTORS)
def test_api_submit_only_by_the_rep(api_as, company, actor):
    draft = services.call_report_get_or_create(rep=company["rep"], week=WEEK)
    response = api_as(company[actor]).post(f"/api/call-reports/{draft.pk}/submit/", {})
    expected = {"rep": 200, "other_rep": 404, "south_mgr": 404}.get(actor, 403)
    assert response.status_code == expected
    assert WeeklyCallReport.objects.get(pk=draft.pk).status == (
        "submitted" if actor == "rep" else "draft"
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_api_open_a_report_is_for_reps(api_as, company, actor):
    response = api_as(company[actor]).post("/api/call-reports/", {"week": WEEK}, format="json")
    assert response.status_code == (201 if actor in ("rep", "other_rep") else 403)


def test_anonymous_is_sent_to_login_or_gets_401(client, api_client, report):
    for url in (
        reverse("activities:feed"),
        reverse("activities:call-report-team"),
        reverse("activities:call-report-current"),
        reverse("activities:call-report", kwargs={"week": WEEK}),
        reverse("activities:call-report-review", args=[report.pk]),
    ):
        assert client.get(url).status_code == 302
    assert api_client.get("/api/call-reports/").status_code == 401
