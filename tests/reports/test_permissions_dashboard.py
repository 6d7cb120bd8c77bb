"""Who may see which dashboard: a rep only themself, a manager their team (others 404),
an admin every team; exports follow the same scope; only managers and admins recompute."""

import pytest
from django.urls import reverse

from tests.factories.reports import WeeklyKPIFactory
from tests.helpers import csv_dicts

WEEK = "2026-W47"


@pytest.fixture(autouse=True)
def _no_medians_cache(settings):
    settings.DASHBOARD_MEDIANS_CACHE_SECONDS = 0
    settings.DASHBOARD_CACHE_SECONDS = 0


def _rep_url(user):
    return reverse("reports:rep-dashboard", args=[user.pk])


def _export(table):
    return reverse("reports:dashboard-export", args=[table])


def test_anonymous_is_sent_to_login(client, company):
    for url in ("/dashboard/", _rep_url(company["rep"]), _export("team")):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_rep_cannot_open_another_reps_drill_down(client, company):
    client.force_login(company["rep"])
    assert client.get(_rep_url(company["rep"])).status_code == 200
    assert client.get(_rep_url(company["other_rep"])).status_code == 404
    assert client.get(_rep_url(company["south_rep"])).status_code == 404


def test_manager_cannot_open_another_teams_rep_or_team(client, company):
    client.force_login(company["north_mgr"])
    assert client.get(_rep_url(company["other_rep"])).status_code == 200
    assert client.get(_rep_url(company["south_rep"])).status_code == 404
    assert client.get("/dashboard/", {"team": company["south"].pk}).status_code == 404
    assert client.get("/dashboard/", {"team": "abc"}).status_code == 404
    # a manager is not a rep: no drill-down of managers or admins
    assert client.get(_rep_url(company["south_mgr"])).status_code == 404


def test_admin_opens_any_rep_and_any_team(client, company):
    client.force_login(company["admin"])
    assert client.get(_rep_url(company["south_rep"])).status_code == 200
    assert client.get("/dashboard/", {"team": company["south"].pk}).status_code == 200
    assert client.get("/dashboard/", {"team": 999999}).status_code == 404


def test_a_nonexistent_rep_is_404(client, company):
    client.force_login(company["admin"])
    assert client.get("/dashboard/rep/999999/").status_code == 404


def _usernames(response):
    return {row["username"] for row in csv_dicts(response)}


@pytest.mark.parametrize("table", ["team", "missing"])
def test_exports_follow_the_same_scope(client, company, table):
    for rep in (company["rep"], company["other_rep"], company["south_rep"]):
        WeeklyKPIFactory(rep=rep, week=WEEK)

    client.force_login(company["rep"])
    assert _usernames(client.get(_export(table), {"week": WEEK})) == {"rep_a"}
    # a rep asking for someone else's rows still gets only their own
    response = client.get(_export(table), {"week": WEEK, "rep": company["other_rep"].pk})
    assert _usernames(response) == {"rep_a"}

    client.force_login(company["north_mgr"])
    assert _usernames(client.get(_export(table), {"week": WEEK})) == {"rep_a", "rep_b"}
    response = client.get(_export(table), {"week": WEEK, "rep": company["rep"].pk})
    assert _usernames(response) == {"rep_a"}
    assert client.get(_export(table), {"rep": company["south_rep"].pk}).status_code == 404
    assert client.get(_export(table), {"team": company["south"].pk}).status_code == 404
    assert client.get(_export(table), {"rep": "x"}).status_code == 404

    client.force_login(company["admin"])
    assert _usernames(client.get(_export(table), {"week": WEEK})) == {"rep_a", "rep_b", "rep_c"}


def test_unknown_export_table_is_404(client, company):
    client.force_login(company["north_mgr"])
    assert client.get("/dashboard/export/passwords.csv").status_code == 404


def test_rep_may_not_recompute(client, company):
    client.force_login(company["rep"])
    response = client.post(reverse("reports:dashboard-recompute"), {"week": WEEK})
    assert response.status_code == 403


def test_recompute_is_post_only_and_scoped(client, company):
    client.force_login(company["north_mgr"])
    assert client.get(reverse("reports:dashboard-recompute")).status_code == 405
    response = client.post(
        reverse("reports:dashboard-recompute"), {"week": WEEK, "team": company["south"].pk}
    )
    assert response.status_code == 404
