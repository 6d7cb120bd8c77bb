"""Recognition (issue 13): the team leaderboard ranks reps by activity points (weights per
kind, per team, with defaults) then won value, for a week or a month, in one query; a
manager can hide it from the reps; badges are awarded once per (rep, incentive, period)
after the weekly KPI job."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from activities.models import Activity
from coaching import recognition
from coaching.models import Badge
from reports.kpis import compute_weekly_kpis
from reports.models import Incentive
from reports.selectors import incentives_earned
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory, DealFactory
from tests.factories.reports import QuotaFactory

pytestmark = pytest.mark.django_db

WEEK = "2026-W47"  # Monday 16 November 2026 to Sunday 22 November
BERLIN = ZoneInfo("Europe/Berlin")


def log(rep, kind, n=1, *, week=WEEK, when=None):
    customer = CustomerFactory(owner=rep)
    when = when or datetime(2026, 11, 18, 10, tzinfo=BERLIN)
    Activity.objects.bulk_create(
        [
            Activity(owner=rep, customer=customer, kind=kind, occurred_at=when, week=week)
            for _ in range(n)
        ]
    )


def won(rep, amount, closed_at=date(2026, 11, 18)):
    return DealFactory(
        customer=CustomerFactory(owner=rep),
        owner=rep,
        credited_to=rep,
        amount=Decimal(amount),
        stage_id="won",
        probability=100,
        closed_at=closed_at,
    )


def board(user, team, **params):
    period = recognition.leaderboard_period(team=team, **params)
    return recognition.leaderboard_for(user=user, team=team, period=period)


def ranking(result) -> list[tuple[int, str, int]]:
    return [(r.rank, r.rep.username, r.points) for r in result.rows]


# --- ranking and weights ---------------------------------------------------------------


def test_reps_rank_by_default_points(company, settings):
    # given the defaults call 1, meeting 3, visit 5
    settings.COACHING_POINTS = {"call": 1, "meeting": 3, "visit": 5, "email": 1}
    log(company["rep"], "call", 10)  # 10 points
    log(company["other_rep"], "visit")  # 5 + 3 = 8 points
    log(company["other_rep"], "meeting")
    log(company["south_rep"], "call", 50)  # another team
    log(company["rep"], "call", 7, week="2026-W46")  # another week
    result = board(company["north_mgr"], company["north"], week=WEEK)
    assert ranking(result) == [(1, "rep_a", 10), (2, "rep_b", 8)]
    assert [r.activities for r in result.rows] == [10, 2]


def test_the_team_s_own_weights_change_the_ranking(company):
    log(company["rep"], "call", 10)
    log(company["other_rep"], "visit")
    recognition.recognition_settings_update(
        team=company["north"], by=company["north_mgr"], points={"visit": 20, "call": 0}
    )
    result = board(company["rep"], company["north"], week=WEEK)
    assert ranking(result) == [(1, "rep_b", 20), (2, "rep_a", 0)]
    assert result.points["visit"] == 20 and result.points["meeting"] == 3  # default kept


def test_equal_points_rank_by_won_value_and_share_a_rank_when_equal(company):
    rep_d = RepFactory(username="rep_d", team=company["north"])
    for rep in (company["rep"], company["other_rep"], rep_d):
        log(rep, "call", 4)
    won(company["other_rep"], "900.00")
    won(company["other_rep"], "100.00", closed_at=date(2026, 11, 23))  # next week
    result = board(company["north_mgr"], company["north"], week=WEEK)
    assert [(r.rank, r.rep.username) for r in result.rows][0] == (1, "rep_b")
    assert result.rows[0].won_value == Decimal("900.00")
    assert {(r.rank, r.rep.username) for r in result.rows[1:]} == {(2, "rep_a"), (2, "rep_d")}


def test_a_month_is_the_team_s_calendar_month(company):
    # 1 December 00:30 in Berlin is still 30 November in UTC: it belongs to December
    log(company["rep"], "call", 2, when=datetime(2026, 11, 30, 23, 30, tzinfo=BERLIN))
    log(company["rep"], "call", 5, when=datetime(2026, 12, 1, 0, 30, tzinfo=BERLIN))
    won(company["rep"], "300", closed_at=date(2026, 11, 2))
    november = board(company["rep"], company["north"], period="month", month="2026-11")
    december = board(company["rep"], company["north"], period="month", month="2026-12")
    assert november.rows[0].points == 2 and november.rows[0].won_value == Decimal("300.00")
    assert december.rows[0].points == 5 and december.rows[0].won_value == Decimal("0.00")


@pytest.mark.parametrize("reps", [2, 12])
def test_the_figures_take_one_query_whatever_the_team_size(
    company, django_assert_num_queries, reps
):
    for n in range(reps - 2):
        RepFactory(username=f"extra{n}", team=company["north"])
    for rep in company["north"].members.filter(role="rep"):
        log(rep, "call", 3)
        won(rep, "10")
    period = recognition.leaderboard_period(team=company["north"], week=WEEK)
    points = recognition.recognition_settings(team=company["north"]).points()
    with django_assert_num_queries(1):
        rows = recognition.leaderboard_rows(team=company["north"], period=period, points=points)
    assert len(rows) == reps


# --- API and scope ---------------------------------------------------------------------


def test_the_api_gives_the_caller_s_team(company, api_as):
    log(company["rep"], "call", 3)
    body = api_as(company["rep"]).get(f"/api/leaderboard/?period=week&week={WEEK}").json()
    assert body["team_name"] == "North" and body["label"] == WEEK
    assert body["start"] == "2026-11-16" and body["end"] == "2026-11-22"
    assert [r["rep_name"] for r in body["rows"]][0] == str(company["rep"])
    assert body["rows"][0]["won_value"] == "0.00"
    month = api_as(company["rep"]).get("/api/leaderboard/?period=month&month=2026-11").json()
    assert month["period"] == "month" and month["end"] == "2026-11-30"


def test_other_teams_are_404_except_for_admins(company, api_as):
    south = company["south"].pk
    assert api_as(company["rep"]).get(f"/api/leaderboard/?team={south}").status_code == 404
    assert api_as(company["north_mgr"]).get(f"/api/leaderboard/?team={south}").status_code == 404
    admin = api_as(company["admin"]).get(f"/api/leaderboard/?team={south}")
    assert admin.status_code == 200 and admin.json()["team_name"] == "South"


@pytest.mark.parametrize(
    "query, field",
    [
        ("period=year", "period"),
        ("period=week&week=2026-W99", "week"),
        ("period=week&week=yesterday", "week"),
        ("period=month&month=2026-13", "month"),
        ("period=month&month=11-2026", "month"),
        ("team=abc", "team"),
    ],
)
def test_bad_parameters_are_a_400(company, api_as, query, field):
    response = api_as(company["north_mgr"]).get(f"/api/leaderboard/?{query}")
    assert response.status_code == 400
    assert field in response.json()


# --- hidden per team -------------------------------------------------------------------


def test_a_hidden_leaderboard_is_a_note_for_reps_and_still_there_for_managers(
    company, api_as, client
):
    log(company["rep"], "call", 3)
    manager = api_as(company["north_mgr"])
    changed = manager.patch(
        "/api/leaderboard/settings/", {"leaderboard_hidden": True}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["leaderboard_hidden"] is True
    as_rep = api_as(company["rep"]).get("/api/leaderboard/").json()
    assert as_rep["visible"] is False and as_rep["rows"] == []
    as_manager = manager.get("/api/leaderboard/").json()
    assert as_manager["visible"] is True and len(as_manager["rows"]) == 2
    as_admin = api_as(company["admin"]).get(f"/api/leaderboard/?team={company['north'].pk}")
    assert as_admin.json()["visible"] is True
    # the page says so to the rep, and shows no table
    client.force_login(company["rep"])
    page = client.get(reverse("coaching:leaderboard")).content.decode()
    assert "Your manager has hidden the team" in page and "leaderboard-table" not in page
    client.force_login(company["north_mgr"])
    page = client.get(reverse("coaching:leaderboard")).content.decode()
    assert "leaderboard-table" in page and "Hidden from the team" in page
    # South's leaderboard is untouched
    south = api_as(company["south_rep"]).get("/api/leaderboard/").json()
    assert south["visible"] is True


def test_only_the_team_s_manager_or_an_admin_changes_the_settings(company, api_as):
    assert (
        api_as(company["rep"])
        .patch("/api/leaderboard/settings/", {"leaderboard_hidden": True}, format="json")
        .status_code
        == 403
    )
    response = api_as(company["north_mgr"]).patch(
        f"/api/leaderboard/settings/?team={company['south'].pk}",
        {"leaderboard_hidden": True},
        format="json",
    )
    assert response.status_code == 404
    assert not recognition.recognition_settings(team=company["south"]).leaderboard_hidden


@pytest.mark.parametrize(
    "points",
    [{"call": -1}, {"call": 5000}, {"planet": 3}, {"call": 1.5}],
)
def test_bad_points_are_a_400_and_change_nothing(company, api_as, points):
    response = api_as(company["north_mgr"]).patch(
        "/api/leaderboard/settings/", {"points": points}, format="json"
    )
    assert response.status_code == 400
    assert "points" in response.json()
    assert recognition.recognition_settings(team=company["north"]).pk is None


def test_the_page_saves_the_settings_form(company, client):
    client.force_login(company["north_mgr"])
    response = client.post(
        reverse("coaching:leaderboard-settings", args=[company["north"].pk]),
        {"leaderboard_hidden": "on", "points_call": "2", "points_visit": ""},
    )
    assert response.status_code == 302
    saved = recognition.recognition_settings(team=company["north"])
    assert saved.leaderboard_hidden and saved.points()["call"] == 2
    assert saved.points()["visit"] == 5  # empty: the default
    client.force_login(company["rep"])
    response = client.post(reverse("coaching:leaderboard-settings", args=[company["north"].pk]), {})
    assert response.status_code == 403


# --- badges ----------------------------------------------------------------------------


def _november_incentive(**scope):
    return Incentive.objects.create(
        name="November club",
        reward="Dinner",
        period="month",
        period_start=date(2026, 11, 1),
        attainment=Decimal("100"),
        **scope,
    )


def test_a_badge_is_awarded_once_when_the_incentive_is_earned(company):
    # given: November's quota of 1,000 for both North reps; rep_a won 1,200, rep_b 500
    incentive = _november_incentive(team=company["north"])
    for rep in (company["rep"], company["other_rep"]):
        QuotaFactory(rep=rep, period="month", period_start=date(2026, 11, 1), revenue=1000)
    won(company["rep"], "1200")
    won(company["other_rep"], "500")
    # when
    assert recognition.award_badges(week=WEEK, team=company["north"]) == 1
    # then: only rep_a, with the figures; a rerun (and a later week) awards nothing new
    badge = Badge.objects.get()
    assert (badge.rep, badge.incentive, badge.period_start) == (
        company["rep"],
        incentive,
        date(2026, 11, 1),
    )
    assert (badge.won, badge.quota, badge.attainment) == (
        Decimal("1200.00"),
        Decimal("1000.00"),
        Decimal("120.00"),
    )
    assert recognition.award_badges(week=WEEK, team=company["north"]) == 0
    assert recognition.award_badges(week="2026-W48", team=company["north"]) == 0
    assert Badge.objects.count() == 1
    # and it agrees with the incentives page's own rule
    assert [i.pk for i in incentives_earned(rep=company["rep"], year=2026)] == [incentive.pk]
    assert incentives_earned(rep=company["other_rep"], year=2026) == []


def test_no_quota_no_badge_and_other_periods_are_left_alone(company):
    _november_incentive(rep=company["rep"])  # a rep-specific incentive, but no quota
    Incentive.objects.create(  # October's: its period does not overlap the week
        name="October",
        reward="x",
        period="month",
        period_start=date(2026, 10, 1),
        team=company["north"],
    )
    QuotaFactory(rep=company["rep"], period="month", period_start=date(2026, 10, 1), revenue=1)
    won(company["rep"], "5000", closed_at=date(2026, 10, 5))
    won(company["rep"], "5000")
    assert recognition.award_badges(week=WEEK, team=company["north"]) == 0


def test_company_wide_incentives_reach_every_team(company):
    _november_incentive()
    QuotaFactory(
        rep=company["south_rep"], period="month", period_start=date(2026, 11, 1), revenue=100
    )
    won(company["south_rep"], "100", closed_at=date(2026, 11, 20))
    assert recognition.award_badges(week=WEEK) == 1
    assert Badge.objects.get().rep == company["south_rep"]


def test_the_weekly_kpi_job_queues_the_badges_on_commit(
    company, django_capture_on_commit_callbacks
):
    _november_incentive(team=company["north"])
    QuotaFactory(rep=company["rep"], period="month", period_start=date(2026, 11, 1), revenue=1000)
    won(company["rep"], "1000")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        compute_weekly_kpis(week=WEEK, team=company["north"])
    assert len(callbacks) >= 1
    assert Badge.objects.filter(rep=company["rep"]).count() == 1
    # a recompute of the same week queues it again: still one badge
    with django_capture_on_commit_callbacks(execute=True):
        compute_weekly_kpis(week=WEEK, team=company["north"])
    assert Badge.objects.count() == 1


def test_badges_show_on_the_leaderboard_and_in_the_api_by_scope(company, api_as):
    _november_incentive(team=company["north"])
    QuotaFactory(rep=company["rep"], period="month", period_start=date(2026, 11, 1), revenue=10)
    won(company["rep"], "10")
    recognition.award_badges(week=WEEK, team=company["north"])
    Badge.objects.update(awarded_at=datetime(2026, 11, 23, 4, tzinfo=BERLIN))
    body = api_as(company["other_rep"]).get("/api/leaderboard/?period=month&month=2026-11").json()
    assert [b["incentive_name"] for b in body["badges"]] == ["November club"]
    assert api_as(company["rep"]).get("/api/badges/").json()["count"] == 1
    assert api_as(company["other_rep"]).get("/api/badges/").json()["count"] == 0
    assert api_as(company["north_mgr"]).get("/api/badges/").json()["count"] == 1
    assert api_as(company["south_mgr"]).get("/api/badges/").json()["count"] == 0


@pytest.mark.parametrize("reps", [1, 10])
def test_awarding_runs_a_fixed_number_of_queries(company, django_assert_max_num_queries, reps):
    _november_incentive(team=company["north"])
    _november_incentive()
    for n in range(reps):
        rep = RepFactory(username=f"club{n}", team=company["north"])
        QuotaFactory(rep=rep, period="month", period_start=date(2026, 11, 1), revenue=100)
        won(rep, "100")
    with django_assert_max_num_queries(9):  # 7, and the savepoint and its release
        awarded = recognition.award_badges(week=WEEK, team=company["north"])
    assert awarded == 2 * reps


def test_the_page_for_a_rep_without_a_team_and_for_an_admin(company, client):
    loner = RepFactory(username="loner", team=None)
    client.force_login(loner)
    assert "You are in no team" in client.get(reverse("coaching:leaderboard")).content.decode()
    client.force_login(company["admin"])
    page = client.get(reverse("coaching:leaderboard"), {"team": company["south"].pk})
    assert page.status_code == 200 and "South" in page.content.decode()
    bad = client.get(reverse("coaching:leaderboard"), {"period": "month", "month": "nope"})
    assert "is not a month" in bad.content.decode()
