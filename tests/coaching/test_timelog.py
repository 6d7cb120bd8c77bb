"""The manager's time log: logging time (bad input refused with its message, nothing saved),
the month's totals and coaching share summed in SQL, the chart data, the CSV, and who may see
whose log (a rep 403, another manager 404, an admin everyone's)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching import timelog
from coaching.models import CoachingTarget, TimeEntry
from tests.factories.coaching import TimeEntryFactory
from tests.helpers import csv_dicts

NOV = date(2026, 11, 1)


@pytest.fixture
def november(company):
    """north_mgr's November: 6 h coaching, 3 h admin, 1 h meetings (60% coaching); and one
    October entry and one of south_mgr's, which the November sums leave out."""
    mgr = company["north_mgr"]
    TimeEntryFactory(manager=mgr, date=date(2026, 11, 2), minutes=240, category="coaching")
    TimeEntryFactory(manager=mgr, date=date(2026, 11, 20), minutes=120, category="coaching")
    TimeEntryFactory(manager=mgr, date=date(2026, 11, 3), minutes=180, category="admin")
    TimeEntryFactory(
        manager=mgr, date=date(2026, 11, 30), minutes=60, category="meetings", note="=SUM(A1)"
    )
    TimeEntryFactory(manager=mgr, date=date(2026, 10, 31), minutes=100, category="coaching")
    TimeEntryFactory(manager=mgr, date=date(2026, 10, 30), minutes=300, category="selling")
    TimeEntryFactory(manager=company["south_mgr"], date=date(2026, 11, 2), minutes=999)
    return mgr


# --- Logging time: the API ---------------------------------------------------------------


def _log(client, **data):
    body = {"date": str(date.today()), "minutes": 30, "category": "coaching", **data}
    body = {key: value for key, value in body.items() if value is not None}
    return client.post("/api/time-entries/", body, format="json")


def test_a_manager_logs_time_in_minutes_or_quarter_hours(api_as, company):
    client = api_as(company["north_mgr"])
    response = _log(client, minutes=45, note="1:1 with rep_a")
    assert response.status_code == 201, response.json()
    assert response.json()["minutes"] == 45
    response = _log(client, minutes=None, hours="1.75", category="reporting")
    assert response.status_code == 201, response.json()
    entry = TimeEntry.objects.get(pk=response.json()["id"])
    assert (entry.minutes, entry.category, entry.manager) == (
        105,
        "reporting",
        company["north_mgr"],
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"minutes": -30}, "minutes", "Give more than 0 minutes."),
        ({"minutes": 0}, "minutes", "Give more than 0 minutes."),
        ({"minutes": 1441}, "minutes", "A day has 1440 minutes; give at most that."),
        ({"minutes": None, "hours": "1.1"}, "hours", "Give hours in quarter steps"),
        ({"minutes": None, "hours": "-1"}, "hours", "Give more than 0 hours."),
        ({"minutes": 30, "hours": "1"}, "hours", "Give minutes or hours, not both."),
        ({"category": "golf"}, "category", "“golf” is not a category; choose one of coaching"),
        ({"category": ""}, "category", ""),
        ({"date": "2026-13-01"}, "date", ""),
        ({"date": "0001-01-01"}, "date", "Give a date between 1900 and 2999."),
    ],
)
def test_bad_input_is_a_400_with_its_message_and_saves_nothing(
    api_as, company, data, field, message
):
    data = {k: v for k, v in data.items() if v is not None}
    body = {"date": str(date.today()), "category": "coaching", **data}
    if "minutes" not in data and "hours" not in data:
        body["minutes"] = 30
    response = api_as(company["north_mgr"]).post("/api/time-entries/", body, format="json")
    assert response.status_code == 400
    assert response.json()[field][0].startswith(message)
    assert not TimeEntry.objects.exists()


def test_a_date_after_today_is_refused(api_as, company):
    tomorrow = timelog.today_for(user=company["north_mgr"]) + timedelta(days=1)
    response = _log(api_as(company["north_mgr"]), date=str(tomorrow))
    assert response.status_code == 400
    assert response.json() == {
        "date": [f"{tomorrow:%Y-%m-%d} is in the future; log time already spent."]
    }
    assert not TimeEntry.objects.exists()


def test_a_day_holds_at_most_24_hours(api_as, company):
    client = api_as(company["north_mgr"])
    assert _log(client, minutes=1400).status_code == 201
    response = _log(client, minutes=60)
    assert response.status_code == 400
    assert response.json()["minutes"][0].endswith(
        "already has 1400 minutes logged; at most 40 more fit."
    )
    assert TimeEntry.objects.count() == 1


def test_a_manager_edits_and_removes_only_their_own_entries(api_as, company):
    mine = TimeEntryFactory(manager=company["north_mgr"], minutes=30)
    theirs = TimeEntryFactory(manager=company["south_mgr"], minutes=30)
    client = api_as(company["north_mgr"])
    response = client.patch(f"/api/time-entries/{mine.pk}/", {"minutes": 90}, format="json")
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.minutes == 90
    response = client.patch(f"/api/time-entries/{mine.pk}/", {"minutes": -1}, format="json")
    assert response.json() == {"minutes": ["Give more than 0 minutes."]}
    assert client.patch(f"/api/time-entries/{theirs.pk}/", {"minutes": 1}).status_code == 404
    assert client.delete(f"/api/time-entries/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/time-entries/{mine.pk}/").status_code == 204
    assert list(TimeEntry.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_a_rep_gets_403_and_an_admin_reads_all_but_writes_none(api_as, company, november):
    rep = api_as(company["rep"])
    assert rep.get("/api/time-entries/").status_code == 403
    assert _log(rep).status_code == 403
    assert rep.get("/api/time-entries/summary/", {"month": "2026-11"}).status_code == 403

    admin = api_as(company["admin"])
    assert admin.get("/api/time-entries/").json()["count"] == 7
    assert _log(admin).status_code == 403
    entry = TimeEntry.objects.filter(manager=november).first()
    assert admin.patch(f"/api/time-entries/{entry.pk}/", {"minutes": 1}).status_code == 403
    assert api_as(company["north_mgr"]).get("/api/time-entries/").json()["count"] == 6


# --- The month's summary -------------------------------------------------------------------


def test_the_months_share_is_summed_in_sql_with_group_by(company, november):
    with CaptureQueriesContext(connection) as ctx:
        summary = timelog.month_summary(manager=november, month=NOV)
    assert len(ctx.captured_queries) == 2  # minutes per (month, category); the target
    assert "GROUP BY" in ctx.captured_queries[0]["sql"]
    assert summary.total_minutes == 600
    assert {c.category: c.minutes for c in summary.categories} == {
        "coaching": 360,
        "admin": 180,
        "selling": 0,
        "meetings": 60,
        "reporting": 0,
    }
    assert summary.coaching_share == Decimal("60.0")
    assert summary.target_share == 40 and summary.on_target is True


def test_the_query_count_does_not_grow_with_the_entries(company, november):
    for day in range(1, 29):
        TimeEntryFactory(manager=november, date=date(2026, 11, day), minutes=5, category="admin")
    with CaptureQueriesContext(connection) as ctx:
        summary = timelog.month_summary(manager=november, month=NOV)
    assert len(ctx.captured_queries) == 2
    assert summary.total_minutes == 600 + 28 * 5


def test_the_team_target_wins_over_the_setting(company, november, settings):
    settings.CRM_COACHING_TARGET_SHARE = 50
    assert timelog.month_summary(manager=november, month=NOV).target_share == 50
    CoachingTarget.objects.create(team=company["north"], share=65)
    summary = timelog.month_summary(manager=november, month=NOV)
    assert summary.target_share == 65 and summary.on_target is False


def test_the_summary_api(api_as, company, november):
    response = api_as(company["north_mgr"]).get("/api/time-entries/summary/", {"month": "2026-11"})
    assert response.status_code == 200
    body = response.json()
    assert body["coaching_share"] == "60.0" and body["target_share"] == 40
    assert body["total_minutes"] == 600 and body["on_target"] is True
    assert {c["category"]: c["share"] for c in body["categories"]}["admin"] == "30.0"
    october = api_as(company["north_mgr"]).get("/api/time-entries/summary/", {"month": "2026-10"})
    assert october.json()["coaching_share"] == "25.0"


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "2026-13: there is no month 13."),
        ("november", "“november” is not a month; use the form 2026-11."),
        ("", "“” is not a month; use the form 2026-11."),
        ("0001-01", "Give a date between 1900 and 2999."),
    ],
)
def test_a_bad_month_is_a_400(api_as, company, month, message):
    response = api_as(company["north_mgr"]).get("/api/time-entries/summary/", {"month": month})
    assert response.status_code == 400
    assert response.json() == {"month": [message]}


def test_summary_scope_admin_any_manager_other_manager_404(api_as, company, november):
    params = {"month": "2026-11", "manager": november.pk}
    admin = api_as(company["admin"]).get("/api/time-entries/summary/", params)
    assert admin.status_code == 200 and admin.json()["total_minutes"] == 600
    other = api_as(company["south_mgr"]).get("/api/time-entries/summary/", params)
    assert other.status_code == 404
    bad = api_as(company["admin"]).get("/api/time-entries/summary/", {"month": "2026-11"})
    assert bad.json() == {"manager": ["Give the manager whose log to sum up."]}


# --- Pages: quick entry, the report with its chart, the CSV --------------------------------


def test_the_quick_entry_page_logs_time_and_lists_this_weeks_entries(client, company):
    client.force_login(company["north_mgr"])
    today = timelog.today_for(user=company["north_mgr"])
    response = client.post(
        "/time/", {"date": today, "hours": "1.5", "category": "coaching", "note": "ride-along"}
    )
    assert response.status_code == 302
    page = client.get("/time/")
    assert page.status_code == 200
    assert [e.minutes for e in page.context["entries"]] == [90]
    assert "ride-along" in page.content.decode()


def test_the_quick_entry_page_shows_the_error_and_saves_nothing(client, company):
    client.force_login(company["north_mgr"])
    tomorrow = timelog.today_for(user=company["north_mgr"]) + timedelta(days=1)
    response = client.post("/time/", {"date": tomorrow, "hours": "1", "category": "coaching"})
    assert response.status_code == 400
    assert "is in the future; log time already spent." in response.content.decode()
    response = client.post("/time/", {"date": tomorrow, "hours": "1", "category": "golf"})
    assert "“golf” is not a category" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_the_report_page_draws_the_share_against_the_target(client, company, november):
    client.force_login(company["north_mgr"])
    response = client.get("/time/report/", {"month": "2026-11"})
    assert response.status_code == 200
    data = response.context["chart_data"]
    assert data["share"]["labels"][-2:] == ["Oct 2026", "Nov 2026"]
    assert data["share"]["coaching"][-2:] == ["25.0", "60.0"]
    assert data["share"]["coaching"][0] is None  # a month without time
    assert data["share"]["target"] == 40
    assert data["categories"]["minutes"] == [360, 180, 0, 60, 0]
    html = response.content.decode()
    assert 'id="timelog-data"' in html and "js/timelog.js" in html
    assert "vendor/chartjs/chart.umd.js" in html
    assert "<script>" not in html and " onclick" not in html


def test_the_csv_export_has_the_entries_and_the_totals(client, company, november):
    client.force_login(company["north_mgr"])
    response = client.get("/time/report/export.csv", {"month": "2026-11"})
    assert response.status_code == 200
    rows = csv_dicts(response)
    entries = [r for r in rows if r["row"] == "entry"]
    assert [(r["date"], r["minutes"]) for r in entries] == [
        ("2026-11-02", "240"),
        ("2026-11-03", "180"),
        ("2026-11-20", "120"),
        ("2026-11-30", "60"),
    ]
    assert entries[-1]["note"] == "'=SUM(A1)"  # never a formula in a spreadsheet
    totals = {r["category"]: r for r in rows if r["row"] == "total"}
    assert totals["coaching"]["minutes"] == "360" and totals["coaching"]["share_percent"] == "60.0"
    assert totals["all"]["minutes"] == "600"
    [share] = [r for r in rows if r["row"] == "coaching_share"]
    assert share["share_percent"] == "60.0" and share["note"] == "target 40%"


def test_page_scope_rep_403_other_manager_404_admin_any(client, company, november):
    client.force_login(company["rep"])
    assert client.get("/time/").status_code == 403
    assert client.get("/time/report/").status_code == 403
    assert client.get("/time/report/export.csv").status_code == 403

    client.force_login(company["south_mgr"])
    params = {"month": "2026-11", "manager": november.pk}
    assert client.get("/time/report/", params).status_code == 404
    assert client.get("/time/report/export.csv", params).status_code == 404
    entry = TimeEntry.objects.filter(manager=november).first()
    assert client.post(f"/time/{entry.pk}/delete/").status_code == 404

    client.force_login(company["admin"])
    response = client.get("/time/report/", params)
    assert response.status_code == 200 and response.context["summary"].total_minutes == 600
    assert client.get("/time/report/export.csv", params).status_code == 200
    assert client.get("/time/report/", {"manager": "abc"}).status_code == 404


def test_a_bad_month_on_the_page_falls_back_to_this_month_with_a_message(client, company):
    client.force_login(company["north_mgr"])
    response = client.get("/time/report/", {"month": "2026-13"}, follow=True)
    assert response.status_code == 200
    assert "there is no month 13" in response.content.decode()


def test_an_admin_sets_a_teams_target_share_and_a_manager_may_not(client, company, november):
    client.force_login(company["north_mgr"])
    url = "/time/report/target/"
    assert client.post(url, {"manager": november.pk, "share": "70"}).status_code == 403
    client.force_login(company["admin"])
    response = client.post(url, {"manager": november.pk, "share": "150"}, follow=True)
    assert "Give the target share as a whole percent, 1 to 100." in response.content.decode()
    assert not CoachingTarget.objects.exists()
    client.post(url, {"manager": november.pk, "share": "70", "month": "2026-11"})
    assert CoachingTarget.objects.get(team=company["north"]).share == 70
    client.post(url, {"manager": november.pk, "share": ""})
    assert not CoachingTarget.objects.exists()
