"""/api/activities/: one object or a list of up to 500 (all or nothing, errors per index),
filters by field name, and the lock rules on PATCH / DELETE."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Task, WeeklyCallReport
from activities.weeks import user_tz, week_of
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db
URL = "/api/activities/"


@pytest.fixture
def world(company, api_as):
    rep = company["rep"]
    customer = CustomerFactory(name="Acme", owner=rep)
    other = CustomerFactory(name="Other", owner=rep)
    return {
        **company,
        "api": api_as(rep),
        "customer": customer,
        "other": other,
        "contact": ContactFactory(customer=customer),
        "other_contact": ContactFactory(customer=other),
        "south_deal": DealFactory(customer=CustomerFactory(owner=company["south_rep"])),
    }


def test_single_post_returns_the_activity_with_week_and_offset(world):
    response = world["api"].post(
        URL,
        {
            "kind": "call",
            "customer": world["customer"].pk,
            "contact": world["contact"].pk,
            "occurred_at": "2026-11-16T00:15:00+01:00",
            "duration_minutes": 10,
            "next_step_title": "Send offer",
            "next_step_due": (timezone.localdate() + timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    # Monday 00:15 in Berlin (the rep's team) is still Sunday in UTC: week 47 is Berlin's
    assert body["owner"] == world["rep"].pk and body["week"] == "2026-W47"
    assert body["is_late"] is False
    assert datetime.fromisoformat(body["occurred_at"]) == datetime(2026, 11, 15, 23, 15, tzinfo=UTC)
    assert Task.objects.get().from_activity_id == body["id"]


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"occurred_at": "2099-01-01T10:00:00Z"}, "occurred_at", "in the future"),
        ({"duration_minutes": -1}, "duration_minutes", "cannot be negative"),
        ({"contact": "other_contact"}, "contact", "works at another customer"),
        ({"deal": "south_deal"}, "deal", "not visible to you"),
    ],
)
def test_bad_single_post_is_a_400_with_the_field_message(world, extra, field, message):
    data = {"kind": "call", "customer": world["customer"].pk}
    for name, value in extra.items():
        data[name] = world[value].pk if value in world else value
    response = world["api"].post(URL, data, format="json")
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert Activity.objects.count() == 0


def _batch(world, n):
    return [{"kind": "email", "customer": world["customer"].pk} for _ in range(n)]


def test_list_of_500_is_created(world):
    response = world["api"].post(URL, _batch(world, 500), format="json")
    assert response.status_code == 201
    assert len(response.json()) == 500 and Activity.objects.count() == 500


def test_list_of_501_is_refused_with_a_clear_message(world):
    response = world["api"].post(URL, _batch(world, 501), format="json")
    assert response.status_code == 400
    assert "at most 500" in response.json()["non_field_errors"][0]
    assert Activity.objects.count() == 0


def test_list_with_bad_items_saves_nothing_and_reports_per_index(world):
    items = _batch(world, 5)
    items[1]["kind"] = "fax"
    items[3]["contact"] = world["other_contact"].pk
    response = world["api"].post(URL, items, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"1"}  # type errors first: nothing else is checked yet
    items[1]["kind"] = "call"
    response = world["api"].post(URL, items, format="json")
    assert response.json() == {"3": {"contact": ["This contact works at another customer."]}}
    assert Activity.objects.count() == 0


def test_malformed_bodies_are_400(world):
    assert world["api"].post(URL, [], format="json").status_code == 400
    assert world["api"].post(URL, "[1, 2]", content_type="application/json").status_code == 400
    assert world["api"].post(URL, '"x"', content_type="application/json").status_code == 400


def _make(owner, customer, *, days_ago=0, **fields):
    at = timezone.now() - timedelta(days=days_ago)
    return Activity.objects.create(
        owner=owner, customer=customer, occurred_at=at, week=week_of(at, user_tz(owner)), **fields
    )


def test_filters_search_and_ordering(world):
    rep = world["rep"]
    a = _make(rep, world["customer"], kind="call", notes="price talk")
    b = _make(rep, world["other"], kind="visit", notes="site tour", days_ago=9)

    def ids(params):
        response = world["api"].get(URL, params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids({}) == [a.pk, b.pk]
    assert ids({"kind": "visit"}) == [b.pk]
    assert ids({"customer": world["customer"].pk}) == [a.pk]
    assert ids({"week": b.week}) == [b.pk]
    assert ids({"search": "price"}) == [a.pk]
    assert ids({"ordering": "occurred_at"}) == [b.pk, a.pk]
    after = (timezone.now() - timedelta(days=2)).isoformat()
    assert ids({"occurred_after": after}) == [a.pk]
    assert world["api"].get(URL, {"week": "2026-47"}).status_code == 400


def test_patch_and_delete_obey_the_lock(world):
    rep = world["rep"]
    activity = _make(rep, world["customer"], kind="call")
    url = f"{URL}{activity.pk}/"

    ok = world["api"].patch(url, {"duration_minutes": 20}, format="json")
    assert ok.status_code == 200 and ok.json()["duration_minutes"] == 20

    WeeklyCallReport.objects.create(
        rep=rep, week=activity.week, status="approved", submitted_at=timezone.now()
    )
    locked = world["api"].patch(url, {"duration_minutes": 5}, format="json")
    assert locked.status_code == 400
    assert locked.json() == {
        "non_field_errors": ["This week's report is submitted; the activity is locked."]
    }
    assert world["api"].delete(url).status_code == 400
    activity.refresh_from_db()
    assert activity.duration_minutes == 20

    old = _make(rep, world["customer"], kind="call", days_ago=8)
    response = world["api"].patch(f"{URL}{old.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 400
    assert "during the week they happened" in response.json()["non_field_errors"][0]


def test_manager_logs_for_a_rep_of_the_team(world, api_as):
    response = api_as(world["north_mgr"]).post(
        URL,
        {"kind": "visit", "customer": world["customer"].pk, "owner": world["rep"].pk},
        format="json",
    )
    assert response.status_code == 201 and response.json()["owner"] == world["rep"].pk
    refused = api_as(world["north_mgr"]).post(
        URL,
        {"kind": "visit", "customer": world["customer"].pk, "owner": world["south_rep"].pk},
        format="json",
    )
    assert refused.status_code == 400 and "owner" in refused.json()


def test_schema_builds(world, api_as):
    assert api_as(world["admin"]).get("/api/schema/").status_code == 200
