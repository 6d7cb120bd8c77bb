"""ISO weeks are counted in the team's time zone."""

import zoneinfo
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from activities.weeks import parse_week, shift_week, week_bounds, week_of

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_sunday_2330_local_belongs_to_the_week_it_ends():
    # Sunday 2026-11-22 23:30 in New York is Monday 04:30 UTC: still week 47 for the team.
    moment = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    assert week_of(moment, NEW_YORK) == "2026-W47"
    assert week_of(moment, BERLIN) == "2026-W48"


def test_week_bounds_are_local_midnights():
    start, end = week_bounds("2026-W47", BERLIN)
    assert start.isoformat() == "2026-11-16T00:00:00+01:00"
    assert end.isoformat() == "2026-11-23T00:00:00+01:00"


def test_a_week_label_always_has_four_year_digits_so_labels_sort_by_time():
    from datetime import date

    from activities.weeks import week_label

    assert week_label(date(999, 6, 1)) == "0999-W22"
    assert sorted([week_label(date(2026, 1, 5)), week_label(date(999, 6, 1))])[0] == "0999-W22"


def test_year_boundary_weeks():
    assert week_of(datetime(2027, 1, 1, 12, tzinfo=UTC), BERLIN) == "2026-W53"
    assert shift_week("2026-W53", 1) == "2027-W01"
    assert shift_week("2026-W01", -1) == "2025-W52"


@pytest.mark.parametrize(
    "bad",
    [
        "2026-47",
        "2026-W00",
        "2025-W53",
        "W47",
        "",
        "2026-W7",
        "9999-W52",
        "0001-W01",
        " 2026-W49",
        "2026-W47\n",
    ],
)
def test_bad_weeks_are_refused_with_a_message(bad):
    with pytest.raises(ValidationError):
        parse_week(bad)


# Real ISO weeks, but a page stepping a week or a year from them would leave the calendar.
EDGE_WEEKS = ["9999-W52", "0001-W01"]


@pytest.mark.django_db
@pytest.mark.parametrize("week", EDGE_WEEKS)
@pytest.mark.parametrize(
    "who, url",
    [
        ("rep", "/week/?week={w}"),
        ("rep", "/?week={w}"),
        ("north_mgr", "/week/?week={w}"),
        ("north_mgr", "/reports/calls/team/?week={w}"),
        ("north_mgr", "/dashboard/?week={w}"),
        ("north_mgr", "/dashboard/?week={w}&partial=table"),
        ("rep", "/dashboard/?week={w}"),
    ],
)
def test_pages_asked_for_a_week_at_the_calendars_edge_show_this_week_and_say_why(
    client, company, who, url, week
):
    client.force_login(company[who])

    response = client.get(url.format(w=week), follow=True)

    assert response.status_code == 200
    assert "out of range" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("week", EDGE_WEEKS)
def test_a_call_report_of_a_week_at_the_calendars_edge_leads_back_to_the_list_saying_why(
    client, company, week
):
    from activities.models import WeeklyCallReport

    client.force_login(company["rep"])

    for response in (
        client.get(f"/reports/calls/{week}/", follow=True),
        client.post(f"/reports/calls/{week}/", {"comments": "x"}, follow=True),
    ):
        assert response.redirect_chain[0][0] == "/reports/calls/"
        assert "out of range" in response.content.decode()
    assert not WeeklyCallReport.objects.exists()


@pytest.mark.django_db
def test_a_plan_or_goal_for_a_week_at_the_calendars_edge_is_refused_and_not_saved(client, company):
    from activities.models import WeeklyPlan
    from reports.models import ActivityGoal

    client.force_login(company["rep"])
    plan = {f"planned_{k}": 1 for k in ("calls", "meetings", "visits", "prospects")}
    client.post("/week/plan/", {"week": "9999-W52", **plan})
    client.force_login(company["north_mgr"])
    goal = {"calls": 1, "meetings": 1, "visits": 1, "new_prospects": 1}
    response = client.post(
        "/targets/goals/", {"team": "", "rep": company["rep"].pk, "week": "9999-W52", **goal}
    )

    assert "out of range" in response.content.decode()
    assert not WeeklyPlan.objects.exists()
    assert not ActivityGoal.objects.exists()
