"""Permission matrix for every activity-logging page and endpoint. The activity is rep_a's
(North) on rep_a's customer. rep_a, their manager and the admin see it; rep_b (same team) and
south_mgr (other team) get 404, never 403 or a leak. Only rep_a may change or delete it: the
manager and the admin, who can see it, get 403."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.weeks import user_tz, week_of
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

ACTORS = ["rep", "other_rep", "north_mgr", "south_mgr", "admin"]
SEES = {"rep": True, "other_rep": False, "north_mgr": True, "south_mgr": False, "admin": True}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(company):
    rep = company["rep"]
    customer = CustomerFactory(name="Target", owner=rep)
    now = timezone.now()
    activity = Activity.objects.create(
        owner=rep,
        customer=customer,
        kind="call",
        occurred_at=now,
        week=week_of(now, user_tz(rep)),
        notes="secret notes",
    )
    return {"customer": customer, "deal": DealFactory(customer=customer), "activity": activity}


def _expected_write(who: str) -> int:
    if not SEES[who]:
        return 404
    return 200 if who == "rep" else 403


@pytest.mark.parametrize("who", ACTORS)
def test_pages(company, world, client, who):
    client.force_login(company[who])
    customer, deal, activity = world["customer"], world["deal"], world["activity"]
    edit = reverse("activities:activity-edit", args=[activity.pk])
    delete = reverse("activities:activity-delete", args=[activity.pk])
    log = reverse("activities:quick-log")

    # the quick-log form on the customer and deal pages, and on its own
    page = client.get(reverse("crm:customer-detail", args=[customer.pk]))
    assert page.status_code == (200 if SEES[who] else 404)
    assert ('id="quick-log"' in page.content.decode()) is SEES[who]
    assert client.get(log).status_code == 200
    assert client.get(log, {"ql_mode": f"customer:{customer.pk}"}).status_code == (
        200 if SEES[who] else 404
    )
    assert client.get(log, {"ql_mode": f"deal:{deal.pk}"}).status_code == (
        200 if SEES[who] else 404
    )

    # logging on the customer: saved for those who see it, a field error for the others
    before = Activity.objects.count()
    posted = client.post(log, {"kind": "call", "customer": customer.pk}, **HTMX)
    assert posted.status_code == 200
    assert Activity.objects.count() == before + (1 if SEES[who] else 0)
    if not SEES[who]:
        assert "Choose one of your customers." in posted.content.decode()
    assert client.post(log, {"ql_mode": f"deal:{deal.pk}", "kind": "call"}).status_code == (
        302 if SEES[who] else 404
    )

    # edit / delete: the owner only
    assert client.get(edit).status_code == _expected_write(who)
    assert client.get(delete).status_code == _expected_write(who)
    changed = client.post(edit, {"kind": "visit", "customer": customer.pk})
    assert changed.status_code == (302 if who == "rep" else _expected_write(who))
    activity.refresh_from_db()
    assert (activity.kind == "visit") is (who == "rep")
    removed = client.post(delete)
    assert removed.status_code == (302 if who == "rep" else _expected_write(who))
    assert Activity.objects.filter(pk=activity.pk).exists() is (who != "rep")


@pytest.mark.parametrize("who", ACTORS)
def test_api(company, world, api_as, who):
    api = api_as(company[who])
    customer, activity = world["customer"], world["activity"]
    url = f"/api/activities/{activity.pk}/"

    listed = api.get("/api/activities/").json()
    assert (activity.pk in [row["id"] for row in listed["results"]]) is SEES[who]
    assert api.get(url).status_code == (200 if SEES[who] else 404)
    assert api.get("/api/activities/", {"customer": customer.pk}).status_code == (
        200 if SEES[who] else 400
    )

    created = api.post("/api/activities/", {"kind": "call", "customer": customer.pk})
    assert created.status_code == (201 if SEES[who] else 400)
    batch = api.post(
        "/api/activities/", [{"kind": "call", "customer": customer.pk}] * 2, format="json"
    )
    assert batch.status_code == (201 if SEES[who] else 400)

    patched = api.patch(url, {"notes": "changed"}, format="json")
    assert patched.status_code == _expected_write(who)
    activity.refresh_from_db()
    assert (activity.notes == "changed") is (who == "rep")
    deleted = api.delete(url)
    assert deleted.status_code == (204 if who == "rep" else _expected_write(who))
    assert Activity.objects.filter(pk=activity.pk).exists() is (who != "rep")


def test_anonymous_gets_redirected_or_401(client, api_client, world):
    activity = world["activity"]
    for url in (
        reverse("activities:quick-log"),
        reverse("activities:activity-edit", args=[activity.pk]),
        reverse("activities:activity-delete", args=[activity.pk]),
    ):
        assert client.get(url).status_code == 302
    assert api_client.get("/api/activities/").status_code == 401
    assert api_client.post("/api/activities/", {}).status_code == 401
