"""/api/ramp-schedules/, /api/ramps/ and /api/ramp-checklist/: the ramp's schedule, buddy and
checklist through the API, scoped (another team's rep is a 404, a rep may not manage: 403)
and with a specific message for every bad choice."""

from datetime import date

import pytest
from django.utils import timezone

from coaching.models import RampChecklistItem, RepRamp, TeamRamp
from tests.factories.accounts import RepFactory
from tests.factories.coaching import RampChecklistItemFactory, TeamRampFactory

START = date(2026, 11, 4)


@pytest.fixture
def new_rep(company):
    rep = company["rep"]
    rep.start_date = timezone.localdate()
    rep.save(update_fields=["start_date"])
    return rep


# --- Schedules -----------------------------------------------------------------------------


def test_a_team_without_a_schedule_reads_the_default(api_as, company):
    response = api_as(company["north_mgr"]).get(f"/api/ramp-schedules/{company['north'].pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["is_default"] is True
    assert body["steps"][0] == {"until_week": 3, "percent": 40}
    assert body["checklist"] == [
        "Training modules completed",
        "Shadowed calls with the buddy",
        "First solo visit",
    ]


def test_the_manager_sets_the_teams_schedule_and_checklist(api_as, company):
    steps = [{"until_week": 4, "percent": 50}, {"until_week": 8, "percent": 75}]
    response = api_as(company["north_mgr"]).put(
        f"/api/ramp-schedules/{company['north'].pk}/",
        {"steps": steps, "checklist": ["CRM training", " CRM training ", "First solo visit"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    ramp = TeamRamp.objects.get(team=company["north"])
    assert ramp.steps == steps
    assert ramp.checklist == ["CRM training", "First solo visit"]  # trimmed, no duplicates
    assert ramp.updated_by == company["north_mgr"]


def test_a_bad_schedule_is_a_400_and_saves_nothing(api_as, company):
    response = api_as(company["north_mgr"]).patch(
        f"/api/ramp-schedules/{company['north'].pk}/",
        {"steps": [{"until_week": 3, "percent": 140}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"steps": ["Step 1: percent must be between 1 and 100."]}
    assert not TeamRamp.objects.exists()


def test_a_rep_may_read_but_not_change_the_schedule(api_as, company):
    client = api_as(company["rep"])
    assert client.get(f"/api/ramp-schedules/{company['north'].pk}/").status_code == 200
    response = client.put(
        f"/api/ramp-schedules/{company['north'].pk}/",
        {"steps": [{"until_week": 2, "percent": 50}]},
        format="json",
    )
    assert response.status_code == 403
    assert not TeamRamp.objects.exists()


def test_another_teams_schedule_is_a_404_for_a_manager(api_as, company):
    client = api_as(company["north_mgr"])
    assert client.get(f"/api/ramp-schedules/{company['south'].pk}/").status_code == 404
    response = client.put(
        f"/api/ramp-schedules/{company['south'].pk}/",
        {"steps": [{"until_week": 2, "percent": 50}]},
        format="json",
    )
    assert response.status_code == 404
    assert [r["team_name"] for r in client.get("/api/ramp-schedules/").json()["results"]] == [
        "North"
    ]


# --- Buddy ---------------------------------------------------------------------------------


def _buddy(client, rep, buddy_id):
    return client.patch(f"/api/ramps/{rep.pk}/", {"buddy": buddy_id}, format="json")


def test_the_manager_gives_a_new_rep_a_buddy(api_as, company, new_rep):
    response = _buddy(api_as(company["north_mgr"]), new_rep, company["other_rep"].pk)
    assert response.status_code == 200, response.json()
    assert response.json()["buddy"] == company["other_rep"].pk
    assert response.json()["ramping"] is True
    assert RepRamp.objects.get(rep=new_rep).buddy == company["other_rep"]


def test_a_rep_cannot_be_their_own_buddy(api_as, company, new_rep):
    response = _buddy(api_as(company["north_mgr"]), new_rep, new_rep.pk)
    assert response.status_code == 400
    assert response.json() == {"buddy": ["A rep cannot be their own buddy."]}
    assert not RepRamp.objects.exists()


def test_an_inactive_rep_cannot_be_a_buddy(api_as, company, new_rep):
    gone = RepFactory(team=company["north"], is_active=False, first_name="Gina", last_name="Gone")
    response = _buddy(api_as(company["north_mgr"]), new_rep, gone.pk)
    assert response.status_code == 400
    assert response.json() == {"buddy": ["Gina Gone is inactive; choose an active rep."]}
    assert not RepRamp.objects.exists()


def test_a_rep_of_another_team_cannot_be_a_buddy(api_as, company, new_rep):
    """For an admin (who sees both teams) the message names the team; for the manager the
    other team's rep is out of scope and reads like an unknown id, naming nobody."""
    south = company["south_rep"]
    response = _buddy(api_as(company["admin"]), new_rep, south.pk)
    assert response.status_code == 400
    assert response.json() == {
        "buddy": [f"{south} is not in North; choose a rep of the same team."]
    }
    response = _buddy(api_as(company["north_mgr"]), new_rep, south.pk)
    assert response.status_code == 400
    assert response.json() == {"buddy": ["Choose an active rep of North."]}
    assert _buddy(api_as(company["north_mgr"]), new_rep, 999_999).json() == {
        "buddy": ["Choose an active rep of North."]
    }
    assert not RepRamp.objects.exists()


def test_a_manager_is_not_a_buddy(api_as, company, new_rep):
    response = _buddy(api_as(company["north_mgr"]), new_rep, company["north_mgr"].pk)
    assert response.status_code == 400
    assert "is not a rep" in response.json()["buddy"][0]


def test_a_rep_may_not_choose_a_buddy_and_another_manager_gets_404(api_as, company, new_rep):
    assert _buddy(api_as(new_rep), new_rep, company["other_rep"].pk).status_code == 403
    assert _buddy(api_as(company["south_mgr"]), new_rep, company["other_rep"].pk).status_code == (
        404
    )
    assert not RepRamp.objects.exists()


def test_the_buddy_id_must_be_a_whole_number(api_as, company, new_rep):
    response = _buddy(api_as(company["north_mgr"]), new_rep, "abc")
    assert response.status_code == 400
    assert "buddy" in response.json()


# --- Ramping reps ----------------------------------------------------------------------------


def test_the_ramp_list_shows_week_percent_checklist_and_buddy(api_as, company):
    rep = company["rep"]
    rep.start_date = START
    rep.save(update_fields=["start_date"])
    RepRamp.objects.create(rep=rep, buddy=company["other_rep"])
    RampChecklistItemFactory(rep=rep, done_at=timezone.now())
    RampChecklistItemFactory(rep=rep)
    RepFactory(team=company["south"], start_date=START)  # another team: not listed

    response = api_as(company["north_mgr"]).get("/api/ramps/", {"week": "2026-W48"})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["rep"] == rep.pk
    assert (row["ramp_week"], row["percent"]) == (4, 60)
    assert row["label"] == "ramp week 4: 60% of the team goal"
    assert (row["checklist_done"], row["checklist_total"]) == (1, 2)
    assert row["buddy"] == company["other_rep"].pk


def test_the_ramp_list_runs_one_query_whatever_the_number_of_reps(
    api_as, company, django_assert_max_num_queries
):
    for _ in range(6):
        rep = RepFactory(team=company["north"], start_date=START)
        RampChecklistItemFactory(rep=rep)
        RepRamp.objects.create(rep=rep, buddy=company["other_rep"])
    TeamRampFactory(team=company["north"])
    client = api_as(company["north_mgr"])
    with django_assert_max_num_queries(1):
        response = client.get("/api/ramps/", {"week": "2026-W48"})
    assert response.json()["count"] == 6


def test_a_bad_week_is_a_400(api_as, company):
    response = api_as(company["north_mgr"]).get("/api/ramps/", {"week": "2026-47"})
    assert response.status_code == 400
    assert "week" in response.json()


# --- Checklist -----------------------------------------------------------------------------


def test_the_manager_starts_the_checklist_from_the_team_template(api_as, company, new_rep):
    TeamRampFactory(team=company["north"], checklist=["Training modules", "Shadowed calls"])
    client = api_as(company["north_mgr"])
    response = client.post("/api/ramp-checklist/start/", {"rep": new_rep.pk}, format="json")
    assert response.status_code == 201
    assert [i["title"] for i in response.json()] == ["Training modules", "Shadowed calls"]
    client.post("/api/ramp-checklist/start/", {"rep": new_rep.pk}, format="json")  # again
    assert RampChecklistItem.objects.filter(rep=new_rep).count() == 2


def test_the_rep_checks_an_item_off_and_who_and_when_are_kept(api_as, company, new_rep):
    item = RampChecklistItemFactory(rep=new_rep, title="First solo visit")
    response = api_as(new_rep).patch(
        f"/api/ramp-checklist/{item.pk}/", {"done": True}, format="json"
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.done_by == new_rep and item.done_at is not None
    assert response.json()["done"] is True

    response = api_as(company["north_mgr"]).patch(
        f"/api/ramp-checklist/{item.pk}/", {"done": False}, format="json"
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.done_at is None and item.done_by is None


def test_another_reps_checklist_item_is_a_404(api_as, company, new_rep):
    item = RampChecklistItemFactory(rep=new_rep)
    for outsider in (company["other_rep"], company["south_mgr"], company["south_rep"]):
        client = api_as(outsider)
        assert client.get(f"/api/ramp-checklist/{item.pk}/").status_code == 404
        response = client.patch(f"/api/ramp-checklist/{item.pk}/", {"done": True}, format="json")
        assert response.status_code == 404
    item.refresh_from_db()
    assert item.done_at is None
    assert api_as(company["other_rep"]).get("/api/ramp-checklist/").json()["count"] == 0


def test_a_rep_may_not_add_or_remove_items(api_as, company, new_rep):
    item = RampChecklistItemFactory(rep=new_rep)
    client = api_as(new_rep)
    response = client.post("/api/ramp-checklist/", {"rep": new_rep.pk, "title": "X"}, format="json")
    assert response.status_code == 403
    assert client.delete(f"/api/ramp-checklist/{item.pk}/").status_code == 403
    assert client.post(
        "/api/ramp-checklist/start/", {"rep": new_rep.pk}, format="json"
    ).status_code == (403)
    assert RampChecklistItem.objects.count() == 1


def test_bad_checklist_input_is_a_400(api_as, company, new_rep):
    RampChecklistItemFactory(rep=new_rep, title="Shadowed calls")
    client = api_as(company["north_mgr"])
    response = client.post("/api/ramp-checklist/", {"rep": new_rep.pk, "title": " "}, format="json")
    assert response.json() == {"title": ["Give the item a title."]}
    response = client.post(
        "/api/ramp-checklist/", {"rep": new_rep.pk, "title": "Shadowed calls"}, format="json"
    )
    assert response.status_code == 400
    assert "already has “Shadowed calls”" in response.json()["title"][0]
    item = RampChecklistItem.objects.get()
    response = client.patch(f"/api/ramp-checklist/{item.pk}/", {"done": "maybe"}, format="json")
    assert response.status_code == 400
    response = client.patch(f"/api/ramp-checklist/{item.pk}/", {}, format="json")
    assert response.json() == {"done": ["Give done: true or false."]}
    response = client.post(
        "/api/ramp-checklist/", {"rep": company["south_rep"].pk, "title": "X"}, format="json"
    )
    assert response.status_code == 400  # a rep outside the scope reads like an unknown id
    assert RampChecklistItem.objects.count() == 1
