"""The ramp pages: the manager's list of ramping reps and team schedules, a rep's ramp and
"My ramp"; scoped (another team's rep or another rep's item: 404)."""

import pytest
from django.utils import timezone

from coaching.models import RampChecklistItem, RepRamp, TeamRamp
from tests.factories.coaching import RampChecklistItemFactory


@pytest.fixture
def new_rep(company):
    rep = company["rep"]
    rep.start_date = timezone.localdate()
    rep.save(update_fields=["start_date"])
    return rep


def test_the_manager_sees_their_ramping_reps(client, company, new_rep):
    RepRamp.objects.create(rep=new_rep, buddy=company["other_rep"])
    RampChecklistItemFactory(rep=new_rep, done_at=timezone.now())
    client.force_login(company["north_mgr"])

    response = client.get("/ramp/")

    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.rep == new_rep and row.status.week == 1 and row.status.percent == 40
    html = response.content.decode()
    assert f'data-rep="{new_rep.username}"' in html
    assert "1 / 1" in html and str(company["other_rep"]) in html
    assert "Weeks 1–3: <strong>40%</strong>" in html
    assert "<script>" not in html and " onclick" not in html


def test_the_rep_sees_my_ramp_and_checks_an_item_off(client, company, new_rep):
    item = RampChecklistItemFactory(rep=new_rep, title="Shadowed calls")
    client.force_login(new_rep)

    page = client.get("/ramp/me/")
    assert page.status_code == 200
    assert "Ramp week 1: 40% of the team goal" in page.content.decode()
    assert client.get("/ramp/").url == "/ramp/me/"

    response = client.post(f"/ramp/checklist/{item.pk}/", {"done": "true"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_by == new_rep


def test_another_reps_ramp_and_items_are_404(client, company, new_rep):
    item = RampChecklistItemFactory(rep=new_rep)
    client.force_login(company["other_rep"])
    assert client.get(f"/ramp/reps/{new_rep.pk}/").status_code == 404
    assert client.post(f"/ramp/checklist/{item.pk}/", {"done": "true"}).status_code == (404)
    client.force_login(company["south_mgr"])
    assert client.get(f"/ramp/reps/{new_rep.pk}/").status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


def test_a_rep_may_not_set_a_buddy_or_start_a_checklist(client, company, new_rep):
    client.force_login(new_rep)
    url = f"/ramp/reps/{new_rep.pk}/"
    assert client.post(url + "buddy/", {"buddy": company["other_rep"].pk}).status_code == 403
    assert client.post(url + "checklist/start/").status_code == 403
    assert not RepRamp.objects.exists() and not RampChecklistItem.objects.exists()


def test_the_manager_sets_a_buddy_and_a_bad_one_gets_its_message(client, company, new_rep):
    client.force_login(company["north_mgr"])
    url = f"/ramp/reps/{new_rep.pk}/buddy/"
    response = client.post(url, {"buddy": new_rep.pk}, follow=True)
    assert "A rep cannot be their own buddy." in response.content.decode()
    assert not RepRamp.objects.exists()
    client.post(url, {"buddy": company["other_rep"].pk})
    assert RepRamp.objects.get(rep=new_rep).buddy == company["other_rep"]


def test_the_manager_saves_the_schedule_and_a_bad_one_changes_nothing(client, company):
    client.force_login(company["north_mgr"])
    url = f"/ramp/teams/{company['north'].pk}/"
    response = client.post(url, {"schedule": "3:40, 6:abc", "checklist": "A"}, follow=True)
    assert "Step 2: “6:abc” is not week:percent, e.g. 3:40." in response.content.decode()
    assert not TeamRamp.objects.exists()

    client.post(url, {"schedule": "4:50, 8:75", "checklist": "CRM training\nFirst solo visit"})
    ramp = TeamRamp.objects.get(team=company["north"])
    assert ramp.steps == [{"until_week": 4, "percent": 50}, {"until_week": 8, "percent": 75}]
    assert ramp.checklist == ["CRM training", "First solo visit"]
    assert client.post(f"/ramp/teams/{company['south'].pk}/", {}).status_code == 404
