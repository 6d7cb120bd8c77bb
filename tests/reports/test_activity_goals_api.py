"""/api/activity-goals/: team defaults and rep overrides, standing or for one ISO week."""

import pytest

from reports.models import ActivityGoal
from reports.selectors import activity_goal_for

URL = "/api/activity-goals/"


@pytest.mark.django_db
def test_manager_sets_a_team_default_and_a_rep_override(company, api_as):
    client = api_as(company["north_mgr"])
    team_default = client.post(
        URL, {"team": company["north"].pk, "calls": 100, "meetings": 5}, format="json"
    )
    assert team_default.status_code == 201, team_default.json()
    override = client.post(
        URL, {"rep": company["rep"].pk, "week": "2026-w47", "calls": 60}, format="json"
    )
    assert override.status_code == 201, override.json()
    assert override.json()["week"] == "2026-W47"
    # then the rep is measured against the override that week and the default otherwise
    assert activity_goal_for(rep=company["rep"], week="2026-W47")["calls"] == 60
    assert activity_goal_for(rep=company["rep"], week="2026-W48")["calls"] == 100
    assert activity_goal_for(rep=company["other_rep"], week="2026-W47")["meetings"] == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"calls": 1}, "non_field_errors"),
        ({"team": "NORTH", "rep": "REP", "calls": 1}, "non_field_errors"),
        ({"team": "NORTH", "week": "2026-47"}, "week"),
        ({"team": "NORTH", "week": "2026-W54"}, "week"),
        ({"team": "NORTH", "calls": -3}, "calls"),
        ({"team": "NORTH", "calls": "many"}, "calls"),
    ],
)
def test_bad_goals_are_400_field_errors(company, api_as, payload, field):
    ids = {"NORTH": company["north"].pk, "REP": company["rep"].pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    response = api_as(company["north_mgr"]).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ActivityGoal.objects.exists()


@pytest.mark.django_db
def test_week_message_names_the_expected_format(company, api_as):
    response = api_as(company["north_mgr"]).post(
        URL, {"team": company["north"].pk, "week": "47"}, format="json"
    )
    assert "2026-W47" in response.json()["week"][0]


@pytest.mark.django_db
def test_scope_rep_reads_own_and_team_default_only(company, api_as):
    north_default = ActivityGoal.objects.create(team=company["north"], calls=100)
    mine = ActivityGoal.objects.create(rep=company["rep"], calls=10)
    ActivityGoal.objects.create(rep=company["other_rep"], calls=20)
    ActivityGoal.objects.create(team=company["south"], calls=30)
    client = api_as(company["rep"])
    ids = {row["id"] for row in client.get(URL).json()["results"]}
    assert ids == {north_default.pk, mine.pk}
    assert (
        client.post(URL, {"rep": company["rep"].pk, "calls": 1}, format="json").status_code == 403
    )
    assert client.delete(f"{URL}{mine.pk}/").status_code == 403


@pytest.mark.django_db
def test_other_teams_manager_cannot_see_or_set(company, api_as):
    north_goal = ActivityGoal.objects.create(rep=company["rep"], calls=10)
    client = api_as(company["south_mgr"])
    assert client.get(f"{URL}{north_goal.pk}/").status_code == 404
    assert client.delete(f"{URL}{north_goal.pk}/").status_code == 404
    for body in ({"rep": company["rep"].pk}, {"team": company["north"].pk}):
        response = client.post(URL, {**body, "calls": 1}, format="json")
        assert response.status_code == 400
    assert ActivityGoal.objects.count() == 1


@pytest.mark.django_db
def test_filters_team_rep_week(company, api_as):
    standing = ActivityGoal.objects.create(team=company["north"], calls=100)
    week = ActivityGoal.objects.create(team=company["north"], week="2026-W47", calls=80)
    rep_goal = ActivityGoal.objects.create(rep=company["rep"], week="2026-W47", calls=1)
    client = api_as(company["admin"])

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(team=company["north"].pk) == {standing.pk, week.pk}
    assert ids(rep=company["rep"].pk) == {rep_goal.pk}
    assert ids(week="2026-W47") == {week.pk, rep_goal.pk}
    assert ids(standing="true") == {standing.pk}


@pytest.mark.django_db
def test_patch_changes_figures_and_a_clashing_week_is_refused(company, api_as):
    a = ActivityGoal.objects.create(rep=company["rep"], week="2026-W47", calls=1)
    ActivityGoal.objects.create(rep=company["rep"], week="2026-W48", calls=2)
    client = api_as(company["north_mgr"])
    ok = client.patch(f"{URL}{a.pk}/", {"calls": 70}, format="json")
    assert ok.status_code == 200 and ok.json()["calls"] == 70
    clash = client.patch(f"{URL}{a.pk}/", {"week": "2026-W48"}, format="json")
    assert clash.status_code == 400 and "week" in clash.json()
    a.refresh_from_db()
    assert a.week == "2026-W47"


@pytest.mark.django_db
def test_admin_deletes_a_goal(company, api_as):
    goal = ActivityGoal.objects.create(team=company["south"], calls=1)
    assert api_as(company["admin"]).delete(f"{URL}{goal.pk}/").status_code == 204
    assert not ActivityGoal.objects.exists()


@pytest.mark.django_db
def test_list_runs_a_fixed_number_of_queries(company, api_as, django_assert_max_num_queries):
    for n in range(1, 30):
        ActivityGoal.objects.create(rep=company["rep"], week=f"2026-W{n:02d}", calls=n)
    with django_assert_max_num_queries(4):
        response = api_as(company["north_mgr"]).get(URL, {"page_size": 200})
    assert response.json()["count"] == 29
