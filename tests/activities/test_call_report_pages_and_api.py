"""The call report in the browser and over the API: the rep fills and submits the week, the
manager sees every rep's status and reviews with htmx, the API does the same transitions."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import WeeklyCallReport
from activities.selectors import current_week
from tests.activities.test_call_report_services import WEEK, log
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_week(company):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep, name="Acme Tools")
    for kind in ("call", "call", "meeting"):
        log(rep, customer, kind)
    return rep


def submitted(company, rep_key="rep"):
    rep = company[rep_key]
    report = services.call_report_get_or_create(rep=rep, week=WEEK)
    return services.call_report_submit(report=report, by=rep)


# --- The rep's page ----------------------------------------------------------------------


def test_the_shortcut_opens_this_weeks_report_for_a_rep_and_the_team_page_for_a_manager(
    client, company
):
    client.force_login(company["rep"])
    week = current_week(user=company["rep"])
    assert client.get("/reports/calls/")["Location"] == f"/reports/calls/{week}/"
    client.force_login(company["north_mgr"])
    assert client.get("/reports/calls/")["Location"].startswith("/reports/calls/team/?week=")


def test_rep_sees_live_figures_and_activities_without_a_report_being_created(
    client, rep_week, django_assert_max_num_queries
):
    client.force_login(rep_week)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("activities:call-report", kwargs={"week": WEEK}))
    assert page.status_code == 200
    figures = {name: value for _, name, value in page.context["figures"]}
    assert figures["calls"] == 2 and figures["meetings"] == 1
    assert "Acme Tools" in page.content.decode()
    assert "Submit report" in page.content.decode()
    assert not WeeklyCallReport.objects.exists()


def test_rep_saves_comments_then_submits_and_the_page_is_locked(client, rep_week):
    client.force_login(rep_week)
    url = reverse("activities:call-report", kwargs={"week": WEEK})

    saved = client.post(url, {"comments": "Good week", "save": "1"}, follow=True)
    assert "Comments saved." in saved.content.decode()
    assert WeeklyCallReport.objects.get().status == "draft"

    done = client.post(url, {"comments": "Good week!", "submit": "1"}, follow=True)
    report = WeeklyCallReport.objects.get()
    assert report.status == "submitted" and report.calls == 2
    assert report.comments == "Good week!"
    body = done.content.decode()
    assert "submitted; the week is locked" in body
    assert "Submit report" not in body and 'id="locked-note"' in body

    again = client.post(url, {"comments": "sneaky", "submit": "1"})
    assert again.status_code == 200
    assert "can no longer be changed" in again.content.decode()
    report.refresh_from_db()
    assert report.comments == "Good week!"


def test_a_malformed_week_gets_a_message_not_an_error(client, company):
    client.force_login(company["rep"])
    response = client.get("/reports/calls/2026-W60/", follow=True)
    assert response.status_code == 200
    assert "has no ISO week 60" in response.content.decode()
    assert client.get("/reports/calls/not-a-week/").status_code == 404


def test_a_late_entry_shows_on_the_reps_page_after_submit(client, company, rep_week):
    submitted(company)
    log(rep_week, CustomerFactory(owner=rep_week, name="Forgotten Ltd"), "visit", is_late=True)
    client.force_login(rep_week)
    page = client.get(reverse("activities:call-report", kwargs={"week": WEEK}))
    assert [a.customer.name for a in page.context["late_entries"]] == ["Forgotten Ltd"]
    assert 'id="late-entries"' in page.content.decode()
    figures = {name: value for _, name, value in page.context["figures"]}
    assert figures["visits"] == 0


# --- The manager's pages -------------------------------------------------------------------


def test_team_page_shows_each_reps_status_in_fixed_queries(
    client, company, rep_week, django_assert_max_num_queries
):
    submitted(company)
    client.force_login(company["north_mgr"])
    with django_assert_max_num_queries(10):
        page = client.get(reverse("activities:call-report-team"), {"week": WEEK})
    rows = {row.rep.username: row.status for row in page.context["rows"]}
    assert rows == {"rep_a": "submitted", "rep_b": "missing"}
    assert "Not started" in page.content.decode()


def test_manager_returns_with_htmx_then_approves_after_resubmit(client, company, rep_week):
    report = submitted(company)
    client.force_login(company["north_mgr"])
    review = client.get(reverse("activities:call-report-review", args=[report.pk]))
    assert review.status_code == 200 and "Return to rep" in review.content.decode()

    url = reverse("activities:call-report-return", args=[report.pk])
    empty = client.post(url, {"comment": ""}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 200
    assert "needs a comment" in empty.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"

    back = client.post(url, {"comment": "Add the Acme visit"}, HTTP_HX_REQUEST="true")
    assert "returned with your comment" in back.content.decode()
    assert "<html" not in back.content.decode()  # only the panel
    report.refresh_from_db()
    assert report.status == "returned" and report.review_comment == "Add the Acme visit"

    client.force_login(rep_week)
    rep_page = client.get(reverse("activities:call-report", kwargs={"week": WEEK}))
    assert "Add the Acme visit" in rep_page.content.decode()
    client.post(
        reverse("activities:call-report", kwargs={"week": WEEK}), {"comments": "", "submit": "1"}
    )

    client.force_login(company["north_mgr"])
    approved = client.post(
        reverse("activities:call-report-approve", args=[report.pk]), {"comment": "Thanks"}
    )
    assert approved.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved" and report.reviewed_by == company["north_mgr"]


@pytest.mark.parametrize(
    ("action", "comment"),
    [("approve", None), ("approve", "\x00"), ("return", ""), ("return", "\x00")],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
def test_reviewing_a_report_that_is_not_submitted_says_why_whatever_the_comment(
    client, company, action, comment, htmx
):
    report = services.call_report_get_or_create(rep=company["rep"], week=WEEK)
    client.force_login(company["north_mgr"])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    data = {} if comment is None else {"comment": comment}

    response = client.post(
        reverse(f"activities:call-report-{action}", args=[report.pk]), data, **headers
    )

    assert "Only a submitted report can be reviewed" in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("draft", "")


# --- API --------------------------------------------------------------------------------


def test_api_opens_a_draft_submits_and_the_manager_returns_and_approves(api_as, company, rep_week):
    rep_api, mgr_api = api_as(rep_week), api_as(company["north_mgr"])

    created = rep_api.post("/api/call-reports/", {"week": WEEK}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft" and body["calls"] == 2 and not body["figures_frozen"]
    again = rep_api.post("/api/call-reports/", {"week": WEEK}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]

    url = f"/api/call-reports/{body['id']}/"
    sub = rep_api.post(f"{url}submit/", {"comments": "Done"}, format="json")
    assert sub.status_code == 200
    assert sub.json()["status"] == "submitted" and sub.json()["figures_frozen"]
    twice = rep_api.post(f"{url}submit/", {}, format="json")
    assert twice.status_code == 400
    assert "can no longer be changed" in twice.json()["non_field_errors"][0]

    no_comment = mgr_api.post(f"{url}return/", {}, format="json")
    assert no_comment.status_code == 400 and "needs a comment" in no_comment.json()["comment"][0]
    returned = mgr_api.post(f"{url}return/", {"comment": "More detail"}, format="json")
    assert returned.json()["status"] == "returned"
    assert rep_api.post(f"{url}submit/", {}, format="json").status_code == 200
    approved = mgr_api.post(f"{url}approve/", {"comment": "OK"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_api_list_filters_and_validates_the_week(api_as, company, rep_week):
    submitted(company)
    services.call_report_get_or_create(rep=company["other_rep"], week=WEEK)
    api = api_as(company["north_mgr"])
    rows = api.get("/api/call-reports/", {"week": WEEK, "status": "submitted"}).json()
    assert [r["rep"] for r in rows["results"]] == [company["rep"].pk]
    drafts = api.get("/api/call-reports/", {"rep": company["other_rep"].pk}).json()["results"]
    assert [r["status"] for r in drafts] == ["draft"]
    bad = api.get("/api/call-reports/", {"week": "2026-47"})
    assert bad.status_code == 400 and "ISO week" in bad.json()["week"][0]
    future = api_as(rep_week).post("/api/call-reports/", {"week": "2099-W01"}, format="json")
    assert future.status_code == 400 and "has not started" in future.json()["week"][0]


def test_api_list_runs_a_fixed_number_of_queries(
    api_as, company, rep_week, django_assert_max_num_queries
):
    from tests.factories.accounts import RepFactory

    for i in range(6):
        rep = RepFactory(username=f"more{i}", team=company["north"])
        log(rep, CustomerFactory(owner=rep), "call")
        services.call_report_get_or_create(rep=rep, week=WEEK)
    submitted(company)
    api = api_as(company["north_mgr"])
    with django_assert_max_num_queries(6):
        rows = api.get("/api/call-reports/").json()
    assert rows["count"] == 7
    assert all(r["calls"] == 1 for r in rows["results"] if r["status"] == "draft")
