"""/api/reports/weekly-kpi/: scoped rows with attainment, and the recompute action."""

from decimal import Decimal

import pytest

from reports.kpis import compute_weekly_kpis
from reports.models import WeeklyKPI

URL = "/api/reports/weekly-kpi/"
WEEK = "2026-W47"


@pytest.fixture
def rows(company):
    compute_weekly_kpis(week=WEEK)
    WeeklyKPI.objects.filter(rep=company["rep"]).update(
        calls=45,
        goal_calls=60,
        revenue_mtd=Decimal("2500"),
        quota_month=Decimal("10000"),
        commission=Decimal("125.00"),
    )
    return company


def usernames(response) -> set[str]:
    from accounts.models import User

    ids = [row["rep"] for row in response.json()["results"]]
    return set(User.objects.filter(pk__in=ids).values_list("username", flat=True))


def test_a_rep_sees_only_their_own_row_with_attainment_figures(rows, api_as):
    response = api_as(rows["rep"]).get(URL, {"week": WEEK})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["rep"] == rows["rep"].pk
    assert row["week"] == WEEK
    assert (row["calls"], row["goal_calls"], row["calls_goal_pct"]) == (45, 60, "75.0")
    assert row["meetings_goal_pct"] is None  # no goal to measure against
    assert (row["quota_mtd_pct"], row["quota_qtd_pct"]) == ("25.0", None)
    assert (row["won_value"], row["commission"]) == ("0.00", "125.00")
    for name in ("emails", "prospecting", "new_prospects", "deals_created", "deals_won"):
        assert name in row
    assert {"pipeline_value", "forecast"} <= set(row)


def test_a_manager_sees_their_team_and_an_admin_everyone(rows, api_as):
    assert usernames(api_as(rows["north_mgr"]).get(URL, {"week": WEEK})) == {"rep_a", "rep_b"}
    assert usernames(api_as(rows["admin"]).get(URL, {"week": WEEK})) == {
        "rep_a",
        "rep_b",
        "rep_c",
    }


def test_filters_by_team_and_rep_stay_within_scope(rows, api_as):
    admin, manager = api_as(rows["admin"]), api_as(rows["north_mgr"])

    by_team = admin.get(URL, {"week": WEEK, "team": rows["south"].pk})
    by_rep = admin.get(URL, {"week": WEEK, "rep": rows["other_rep"].pk})
    other_team = manager.get(URL, {"week": WEEK, "team": rows["south"].pk})

    assert usernames(by_team) == {"rep_c"}
    assert usernames(by_rep) == {"rep_b"}
    assert other_team.json()["count"] == 0  # never a leak


def test_rows_are_paginated(rows, api_as):
    response = api_as(rows["admin"]).get(URL, {"week": WEEK, "page_size": 2})

    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"week": "2026-47"}, "week"),
        ({"week": "2026-W99"}, "week"),
        ({"week": WEEK, "team": "north"}, "team"),
        ({"week": WEEK, "rep": "-3"}, "rep"),
    ],
)
def test_bad_filters_are_400_with_the_field(rows, api_as, params, field):
    response = api_as(rows["admin"]).get(URL, params)

    assert response.status_code == 400
    assert field in response.json()


def test_the_list_runs_a_fixed_number_of_queries(rows, api_as, django_assert_max_num_queries):
    client = api_as(rows["admin"])
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"week": WEEK})
    assert response.status_code == 200


def test_anonymous_is_401(api_client, rows):
    assert api_client.get(URL).status_code == 401


# --- POST /api/reports/weekly-kpi/recompute/ --------------------------------------------


def test_a_manager_queues_the_recompute_of_their_team_on_commit(
    company, api_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_as(company["north_mgr"]).post(URL + "recompute/", {"week": WEEK})

    assert response.status_code == 202
    assert response.json() == {"queued": True, "week": WEEK, "teams": [company["north"].pk]}
    assert len(callbacks) == 2  # the job, then (after it) the badges it may award
    # The (eager) job ran for North only.
    assert set(WeeklyKPI.objects.values_list("rep__username", flat=True)) == {"rep_a", "rep_b"}


def test_an_admin_queues_all_teams_or_one(company, api_as, django_capture_on_commit_callbacks):
    client = api_as(company["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        everyone = client.post(URL + "recompute/", {"week": WEEK}, format="json")
        south = client.post(
            URL + "recompute/", {"week": "2026-W46", "team": company["south"].pk}, format="json"
        )

    assert (everyone.status_code, everyone.json()["teams"]) == (202, [None])
    assert (south.status_code, south.json()["teams"]) == (202, [company["south"].pk])
    assert WeeklyKPI.objects.filter(week=WEEK).count() == 3
    assert WeeklyKPI.objects.filter(week="2026-W46").count() == 1


def test_a_rep_may_not_recompute(company, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_as(company["rep"]).post(URL + "recompute/", {"week": WEEK})

    assert response.status_code == 403
    assert callbacks == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "week"),
        ({"week": "W47"}, "week"),
        ({"week": ["2026-W47"]}, "week"),
        ({"week": WEEK, "team": "abc"}, "team"),
        ({"week": "２０２６-W47"}, "week"),  # full-width digits
    ],
)
def test_bad_recompute_input_is_400_and_queues_nothing(
    company, api_as, django_capture_on_commit_callbacks, body, field
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_as(company["admin"]).post(URL + "recompute/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert callbacks == []


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "spell", [lambda pk: pk + 0.5, lambda pk: str(pk).translate(FULL_WIDTH)], ids=["1.5", "１"]
)
def test_a_team_id_that_is_not_a_whole_number_is_refused_not_rounded(
    company, api_as, django_capture_on_commit_callbacks, spell
):
    # given: the manager's own team, spelled so that int() would still read its id
    team = company["north"]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_as(company["north_mgr"]).post(
            URL + "recompute/", {"week": WEEK, "team": spell(team.pk)}, format="json"
        )

    assert response.status_code == 400
    assert response.json() == {"team": ["Choose one of your teams."]}
    assert callbacks == []


def test_a_manager_may_not_recompute_another_team(
    company, api_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_as(company["north_mgr"]).post(
            URL + "recompute/", {"week": WEEK, "team": company["south"].pk}, format="json"
        )

    assert response.status_code == 400
    assert response.json() == {"team": ["Choose one of your teams."]}
    assert callbacks == []


def test_a_json_list_body_is_a_400_not_a_500(company, api_as):
    response = api_as(company["admin"]).post(URL + "recompute/", [1, 2], format="json")

    assert response.status_code == 400
