"""The manager's team feed: the team's activities newest first, filtered by rep, kind and
date range, paginated, with the same number of queries for 5 rows or 60."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.activities.test_call_report_services import log
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_data(company):
    rep, other, south = company["rep"], company["other_rep"], company["south_rep"]
    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    rows = {
        "a_call": log(rep, CustomerFactory(owner=rep, name="Alpha"), "call", at=base),
        "a_visit": log(
            rep, CustomerFactory(owner=rep, name="Beta"), "visit", at=base + timedelta(days=2)
        ),
        "b_call": log(
            other, CustomerFactory(owner=other, name="Gamma"), "call", at=base + timedelta(days=4)
        ),
        "c_call": log(south, CustomerFactory(owner=south, name="South Co"), "call", at=base),
    }
    return rows


def names(response):
    return [a.customer.name for a in response.context["page"].object_list]


def test_manager_sees_the_teams_activities_newest_first(client, company, feed_data):
    client.force_login(company["north_mgr"])
    page = client.get(reverse("activities:feed"))
    assert page.status_code == 200
    assert names(page) == ["Gamma", "Beta", "Alpha"]
    assert "South Co" not in page.content.decode()


def test_admin_sees_every_team(client, company, feed_data):
    client.force_login(company["admin"])
    assert set(names(client.get(reverse("activities:feed")))) == {
        "Alpha",
        "Beta",
        "Gamma",
        "South Co",
    }


def test_filters_by_rep_kind_and_date_range(client, company, feed_data):
    client.force_login(company["north_mgr"])
    url = reverse("activities:feed")
    assert names(client.get(url, {"rep": company["rep"].pk})) == ["Beta", "Alpha"]
    assert names(client.get(url, {"kind": "call"})) == ["Gamma", "Alpha"]
    assert names(client.get(url, {"date_from": "2026-11-03", "date_to": "2026-11-05"})) == ["Beta"]
    assert names(client.get(url, {"rep": company["rep"].pk, "kind": "visit"})) == ["Beta"]


def test_bad_filters_say_what_is_wrong_and_show_nothing(client, company, feed_data):
    client.force_login(company["north_mgr"])
    url = reverse("activities:feed")
    outside = client.get(url, {"rep": company["south_rep"].pk})
    assert outside.status_code == 200 and names(outside) == []
    assert "Select a valid choice" in outside.content.decode()
    backwards = client.get(url, {"date_from": "2026-11-05", "date_to": "2026-11-01"})
    assert names(backwards) == []
    assert "end date is before the start date" in backwards.content.decode()
    garbage = client.get(url, {"date_from": "yesterday", "kind": "telepathy", "page": "x"})
    assert garbage.status_code == 200 and names(garbage) == []


def test_htmx_gets_only_the_table_and_pages_hold_50_rows(client, company):
    rep = company["rep"]
    customer = CustomerFactory(owner=rep, name="Busy")
    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for i in range(60):
        log(rep, customer, "call", at=base + timedelta(minutes=i))
    client.force_login(company["north_mgr"])
    first = client.get(reverse("activities:feed"), HTTP_HX_REQUEST="true")
    assert "<html" not in first.content.decode()
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("activities:feed"), {"page": 2})
    assert len(second.context["page"].object_list) == 10


@pytest.mark.parametrize("rows", [5, 60])
def test_feed_runs_a_fixed_number_of_queries(client, company, rows, django_assert_max_num_queries):
    rep = company["rep"]
    base = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for i in range(rows):
        log(rep, CustomerFactory(owner=rep), "call", at=base + timedelta(minutes=i))
    client.force_login(company["north_mgr"])
    with django_assert_max_num_queries(7):
        response = client.get(reverse("activities:feed"), {"kind": "call"})
    assert response.status_code == 200
