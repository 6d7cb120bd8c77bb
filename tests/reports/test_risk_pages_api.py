"""At-risk reps on the manager dashboard (flagged first, reasons in words, a sparkline) and
in the API (/api/reports/risk-flags/), scoped like the weekly KPI rows."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import RiskFlag, WeeklyKPI
from tests.factories.accounts import RepFactory

WEEK = "2026-W47"
URL = "/dashboard/"
API = "/api/reports/risk-flags/"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.DASHBOARD_MEDIANS_CACHE_SECONDS = 0


def flag(rep, rule, figures, week=WEEK):
    return RiskFlag.objects.create(
        rep=rep, team=rep.team, week=week, rule=rule, figures=figures, computed_at=timezone.now()
    )


def kpi(rep, week, calls, goal_calls=0):
    return WeeklyKPI.objects.create(
        rep=rep,
        team=rep.team,
        week=week,
        calls=calls,
        goal_calls=goal_calls,
        computed_at=datetime(2026, 11, 23, 3, tzinfo=BERLIN),
    )


NEGLECT = {"customer": "Acme", "customer_id": 1, "days": 41, "customers": []}
ACTIVITY = {"missed": 3, "window": 4, "weeks": ["2026-W45", "2026-W46", "2026-W47"]}
ATTAINMENT = {"attainment": 31.5, "elapsed": 58.0, "gap": 26.5, "margin": 20.0}
COVERAGE = {
    "coverage": 1.8,
    "needed": 3.0,
    "pipeline": "18000.00",
    "quota": "10000.00",
    "quarter": "2027-Q1",
}


@pytest.fixture
def flagged(company):
    """rep_b (North) with two flags, rep_a (North) with one, rep_c (South) with one."""
    flag(company["rep"], "neglect", NEGLECT)
    flag(company["other_rep"], "activity", ACTIVITY)
    flag(company["other_rep"], "attainment", ATTAINMENT)
    flag(company["south_rep"], "coverage", COVERAGE)
    flag(company["rep"], "activity", ACTIVITY, week="2026-W46")
    return company


# --- the dashboard --------------------------------------------------------------------------


def test_the_dashboard_shows_flagged_reps_first_with_the_reasons(client, flagged):
    rep_a, rep_b = flagged["rep"], flagged["other_rep"]
    client.force_login(flagged["north_mgr"])

    html = client.get(URL, {"week": WEEK}).content.decode()

    at_risk = html.index('id="at-risk"')
    assert at_risk < html.index('class="kpi-tiles"')  # before every other figure
    # most flags first: rep_b (2) before rep_a (1); rep_c is South's
    assert at_risk < html.index(f'id="risk-{rep_b.pk}"') < html.index(f'id="risk-{rep_a.pk}"')
    assert f'id="risk-{flagged["south_rep"].pk}"' not in html
    assert "Under the activity goal in 3 of the last 4 weeks" in html
    assert "Quota attainment 31.5% with 58.0% of the quarter elapsed (26.5 points behind)" in html
    assert "No activity on key customer Acme for 41 days" in html
    assert "Pipeline for 2027-Q1" not in html
    assert reverse("reports:rep-dashboard", args=[rep_a.pk]) in html


def test_each_flagged_rep_has_a_sparkline_of_their_weeks(client, flagged):
    rep = flagged["rep"]
    kpi(rep, "2026-W46", calls=10, goal_calls=20)
    kpi(rep, "2026-W47", calls=20, goal_calls=20)
    client.force_login(flagged["north_mgr"])

    board = client.get(URL, {"week": WEEK}).context["board"]

    item = next(i for i in board.at_risk if i.rep == rep)
    assert item.sparkline.weeks[-2:] == ["2026-W46", "2026-W47"]
    assert item.sparkline.values == [0, 0, 0, 0, 0, 0, 10, 20]
    assert item.sparkline.goals[-1] == 20
    points = item.sparkline.points.split()
    assert len(points) == 8
    assert points[-1] == "94.0,2.0" and points[-2] == "80.9,14.0" and points[0] == "2.0,26.0"
    html = client.get(URL, {"week": WEEK}).content.decode()
    assert f'<polyline class="spark-line" points="{item.sparkline.points}"' in html
    assert "<script" not in html.split('id="at-risk"')[1].split("</section>")[0]


def test_an_admin_sees_every_teams_flagged_reps(client, flagged):
    client.force_login(flagged["admin"])

    html = client.get(URL, {"week": WEEK}).content.decode()

    for name in ("rep", "other_rep", "south_rep"):
        assert f'id="risk-{flagged[name].pk}"' in html
    assert "Pipeline for 2027-Q1 covers 1.8× the quota (3.0× needed)" in html


def test_a_rep_sees_only_their_own_flags(client, flagged):
    client.force_login(flagged["rep"])

    html = client.get(URL, {"week": WEEK}).content.decode()

    assert "Your flags" in html
    assert f'id="risk-{flagged["rep"].pk}"' in html
    assert f'id="risk-{flagged["other_rep"].pk}"' not in html


def test_a_week_without_flags_says_so(client, flagged):
    client.force_login(flagged["north_mgr"])

    html = client.get(URL, {"week": "2026-W40"}).content.decode()

    assert "Nobody flagged for 2026-W40." in html


def test_the_dashboard_query_count_does_not_grow_with_the_flagged_reps(
    client, company, django_assert_max_num_queries
):
    client.force_login(company["north_mgr"])
    counts = []
    for size in (3, 15):
        for _ in range(size):
            rep = RepFactory(team=company["north"])
            flag(rep, "neglect", NEGLECT)
            flag(rep, "activity", ACTIVITY)
            kpi(rep, WEEK, calls=3, goal_calls=5)
        client.get(URL, {"week": WEEK})
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"week": WEEK})
        counts.append(len(ctx.captured_queries))
        assert len(response.context["board"].at_risk) == sum((3, 15)[: len(counts)])
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(21):  # + the exchange rates (issue 14)
        client.get(URL, {"week": WEEK})


# --- the API --------------------------------------------------------------------------------


def _reps(response) -> set:
    assert response.status_code == 200, response.content
    return {(row["rep"], row["rule"]) for row in response.json()["results"]}


def test_the_api_gives_a_rep_only_their_own_flags(flagged, api_as):
    rep = flagged["rep"]

    rows = _reps(api_as(rep).get(API, {"week": WEEK}))

    assert rows == {(rep.pk, "neglect")}
    assert _reps(api_as(rep).get(API, {"week": WEEK, "rep": flagged["other_rep"].pk})) == set()


def test_the_api_gives_another_rep_theirs(flagged, api_as):
    other = flagged["other_rep"]

    rows = _reps(api_as(other).get(API, {"week": WEEK}))

    assert rows == {(other.pk, "activity"), (other.pk, "attainment")}


def test_the_api_gives_a_manager_their_teams_flags(flagged, api_as):
    rep_a, rep_b = flagged["rep"], flagged["other_rep"]
    client = api_as(flagged["north_mgr"])

    assert _reps(client.get(API, {"week": WEEK})) == {
        (rep_a.pk, "neglect"),
        (rep_b.pk, "activity"),
        (rep_b.pk, "attainment"),
    }
    assert _reps(client.get(API, {"week": WEEK, "rep": rep_b.pk, "rule": "activity"})) == {
        (rep_b.pk, "activity")
    }
    assert _reps(client.get(API, {"team": flagged["south"].pk})) == set()
    assert _reps(client.get(API, {"rep": rep_a.pk})) == {
        (rep_a.pk, "neglect"),
        (rep_a.pk, "activity"),  # W46
    }


def test_the_api_gives_another_manager_only_theirs(flagged, api_as):
    south_rep = flagged["south_rep"]
    client = api_as(flagged["south_mgr"])

    assert _reps(client.get(API, {"week": WEEK})) == {(south_rep.pk, "coverage")}
    other_teams = RiskFlag.objects.get(rep=flagged["rep"], week=WEEK)
    assert client.get(f"{API}{other_teams.pk}/").status_code == 404


def test_the_api_gives_an_admin_every_flag_with_figures_and_reason(flagged, api_as):
    client = api_as(flagged["admin"])

    response = client.get(API, {"week": WEEK, "team": flagged["south"].pk})

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["rep"] == flagged["south_rep"].pk
    assert row["team"] == flagged["south"].pk
    assert row["rule"] == "coverage"
    assert row["rule_label"] == "Too little pipeline for next quarter"
    assert row["figures"] == COVERAGE
    assert row["reason"] == "Pipeline for 2027-Q1 covers 1.8× the quota (3.0× needed)"
    assert len(_reps(client.get(API, {"week": WEEK}))) == 4


@pytest.mark.parametrize(
    "params, field",
    [
        ({"week": "2026-W99"}, "week"),
        ({"week": "47"}, "week"),
        ({"week": " 2026-W47"}, "week"),
        ({"rule": "bogus"}, "rule"),
        ({"team": "x"}, "team"),
        ({"rep": "-1"}, "rep"),
    ],
)
def test_a_bad_parameter_is_400_with_the_field(flagged, api_as, params, field):
    response = api_as(flagged["north_mgr"]).get(API, params)

    assert response.status_code == 400
    assert field in response.json()


def test_anonymous_callers_get_no_flags(flagged, client):
    assert client.get(API).status_code in (401, 403)


def test_the_list_runs_a_fixed_number_of_queries(flagged, api_as, django_assert_max_num_queries):
    client = api_as(flagged["admin"])
    for _ in range(10):
        flag(RepFactory(team=flagged["north"]), "neglect", NEGLECT)
    with django_assert_max_num_queries(3):
        assert client.get(API, {"week": WEEK}).status_code == 200
