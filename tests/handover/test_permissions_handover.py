"""Who may do what with a handover: admins and the departing rep's own manager run it;
another manager does not even see it (404); the departing rep writes notes but never sees
the plan's receivers (403) nor exports their portfolio during the notice period."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from handover import services
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handover(company):
    customer = CustomerFactory(owner=company["rep"], is_key=True)
    DealFactory(customer=customer)
    return services.handover_start(
        departing_rep=company["rep"],
        last_day=timezone.localdate() + timedelta(days=7),
        reason="manager_methods",
        reason_detail="Micromanagement.",
        by=company["north_mgr"],
    )


def _page_urls(h):
    customer_id = h.assignments.first().customer_id
    return [
        reverse("handover:plan", args=[h.pk]),
        reverse("handover:preview", args=[h.pk]),
        reverse("handover:items", args=[h.pk, customer_id]),
    ]


@pytest.mark.parametrize("who", ["admin", "north_mgr"])
def test_admin_and_own_manager_see_the_plan(client, company, handover, who):
    client.force_login(company[who])
    for url in _page_urls(handover):
        assert client.get(url).status_code == 200, url


def test_other_manager_and_other_rep_get_404(client, company, handover):
    for who in ("south_mgr", "other_rep", "south_rep"):
        client.force_login(company[who])
        for url in [*_page_urls(handover), reverse("handover:notes", args=[handover.pk])]:
            assert client.get(url).status_code == 404, (who, url)


def test_departing_rep_gets_403_on_plan_preview_and_receivers(client, company, handover):
    client.force_login(company["rep"])
    for url in _page_urls(handover):
        assert client.get(url).status_code == 403, url
    customer_id = handover.assignments.first().customer_id
    response = client.post(
        reverse("handover:assign", args=[handover.pk, customer_id]),
        {"receiver": company["south_rep"].pk},
    )
    assert response.status_code == 403
    assert client.get(reverse("handover:notes", args=[handover.pk])).status_code == 200


def test_reps_cannot_start_handovers(client, company):
    client.force_login(company["other_rep"])
    assert client.get(reverse("handover:list")).status_code == 403
    response = client.post(reverse("handover:start"), {"departing_rep": company["rep"].pk})
    assert response.status_code == 403


def test_other_manager_cannot_pick_another_teams_rep(client, company):
    client.force_login(company["south_mgr"])
    response = client.post(
        reverse("handover:start"),
        {
            "departing_rep": company["rep"].pk,
            "last_day": str(timezone.localdate() + timedelta(days=3)),
            "reason": "burnout",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_departing_rep_cannot_export_during_the_notice_period(client, company, handover):
    client.force_login(company["rep"])
    assert client.get(reverse("crm:customer-export")).status_code == 403
    assert client.get(reverse("crm:deal-export")).status_code == 403
    client.force_login(company["other_rep"])
    assert client.get(reverse("crm:customer-export")).status_code == 200
    assert client.get(reverse("crm:deal-export")).status_code == 200


def test_api_permissions(company, handover, api_as, api_client):
    plan = f"/api/handovers/{handover.pk}/plan/"
    assert api_client.get("/api/handovers/").status_code == 401
    assert api_as(company["rep"]).get(plan).status_code == 403
    assert api_as(company["south_mgr"]).get(plan).status_code == 404
    assert api_as(company["other_rep"]).get(plan).status_code == 404
    assert api_as(company["north_mgr"]).get(plan).status_code == 200
    patch = {
        "assignments": [
            {
                "customer": handover.assignments.first().customer_id,
                "receiver": company["south_rep"].pk,
            }
        ]
    }
    assert api_as(company["rep"]).patch(plan, patch, format="json").status_code == 403
    assert api_as(company["south_mgr"]).patch(plan, patch, format="json").status_code == 404
    create = {
        "departing_rep": company["other_rep"].pk,
        "last_day": "2099-01-01",
        "reason": "burnout",
    }
    assert api_as(company["rep"]).post("/api/handovers/", create, format="json").status_code == 403
    # another manager: the rep reads like one that does not exist
    response = api_as(company["south_mgr"]).post("/api/handovers/", create, format="json")
    assert response.status_code == 400 and "departing_rep" in response.json()
    assert api_as(company["south_mgr"]).get("/api/handovers/").json()["count"] == 0


def test_departing_rep_reads_their_handover_without_the_exit_reason(company, handover, api_as):
    body = api_as(company["rep"]).get(f"/api/handovers/{handover.pk}/").json()
    assert body["status"] == "draft"
    assert "reason" not in body and "reason_detail" not in body
    manager_view = api_as(company["north_mgr"]).get(f"/api/handovers/{handover.pk}/").json()
    assert manager_view["reason"] == "manager_methods"


def test_profile_shows_the_exit_reason_to_managers_and_admins_only(client, company, handover):
    url = reverse("handover:rep-profile", args=[company["rep"].pk])
    client.force_login(company["north_mgr"])
    assert "Micromanagement." in client.get(url).content.decode()
    client.force_login(company["admin"])
    assert "Distrust of the manager" in client.get(url).content.decode()
    client.force_login(company["rep"])
    body = client.get(url).content.decode()
    assert client.get(url).status_code == 200 and "Micromanagement." not in body
    client.force_login(company["south_mgr"])
    assert client.get(url).status_code == 404


def test_nav_links_handovers_for_managers_and_admins_only(client, company):
    link = f'href="{reverse("handover:list")}"'
    client.force_login(company["north_mgr"])
    assert link in client.get(reverse("home")).content.decode()
    client.force_login(company["rep"])
    assert link not in client.get(reverse("home")).content.decode()


def test_plan_changes_refused_once_done(company, handover, api_as):
    handover.status = "done"
    handover.save()
    plan = f"/api/handovers/{handover.pk}/plan/"
    patch = {
        "assignments": [
            {
                "customer": handover.assignments.first().customer_id,
                "receiver": company["south_rep"].pk,
            }
        ]
    }
    response = api_as(company["admin"]).patch(plan, patch, format="json")
    assert response.status_code == 400 and "handover" in response.json()
