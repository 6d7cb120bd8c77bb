"""Who may see and set targets: the rep (own, read-only), another rep (404), the rep's manager
(read and write), another team's manager (404), an admin (everything); every page and
endpoint of the targets area."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.models import ActivityGoal, Quota
from tests.factories.crm import CustomerFactory, DealFactory
from tests.helpers import quota_grid_post

WHO = ["rep", "other_rep", "north_mgr", "south_mgr", "admin"]


def check(company, client, method, url, expected, data=None):
    got = {}
    for who in WHO:
        client.force_login(company[who])
        response = getattr(client, method)(url, data or {})
        got[who] = response.status_code
    assert got == dict(zip(WHO, expected, strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("reports:quota-grid", [200, 404, 200, 404, 200]),
        ("reports:expectations", [200, 404, 200, 404, 200]),
        ("reports:expectations-edit", [403, 404, 200, 404, 200]),
        ("reports:commission-plan", [403, 404, 200, 404, 200]),
    ],
)
def test_rep_pages_get(company, client, name, expected):
    check(company, client, "get", reverse(name, args=[company["rep"].pk]), expected)


@pytest.mark.django_db
def test_quota_grid_post(company, client):
    url = reverse("reports:quota-grid", args=[company["rep"].pk])
    data = quota_grid_post(**{"month-2026-01-01-revenue": "10"})
    check(company, client, "post", url, [403, 404, 302, 404, 302], data)
    assert Quota.objects.get().set_by == company["admin"]


@pytest.mark.django_db
def test_other_pages_get(company, client):
    check(company, client, "get", reverse("reports:targets"), [200] * 5)
    check(company, client, "get", reverse("reports:activity-goals"), [200] * 5)
    check(company, client, "get", reverse("reports:commissions"), [200] * 5)
    check(company, client, "get", reverse("reports:incentives"), [403, 403, 200, 200, 200])


@pytest.mark.django_db
def test_overview_lists_only_the_reps_in_scope(company, client):
    def listed(who):
        client.force_login(company[who])
        page = client.get(reverse("reports:targets")).content.decode()
        return {r for r in ("rep", "other_rep", "south_rep") if f'id="rep-{company[r].pk}"' in page}

    assert listed("rep") == {"rep"}
    assert listed("north_mgr") == {"rep", "other_rep"}
    assert listed("south_mgr") == {"south_rep"}
    assert listed("admin") == {"rep", "other_rep", "south_rep"}


@pytest.mark.django_db
def test_commission_page_shows_only_deals_in_scope(company, client):
    deal = DealFactory(
        customer=CustomerFactory(owner=company["rep"]),
        stage_id="won",
        amount=Decimal("100"),
        closed_at=date(2026, 1, 5),
        credited_to=company["rep"],
    )
    marker = f'id="commission-deal-{deal.pk}"'
    url = reverse("reports:commissions") + "?year=2026"
    seen = {}
    for who in WHO:
        client.force_login(company[who])
        seen[who] = marker in client.get(url).content.decode()
    assert seen == {
        "rep": True,
        "other_rep": False,
        "north_mgr": True,
        "south_mgr": False,
        "admin": True,
    }
    client.force_login(company["south_mgr"])
    assert client.get(url + f"&rep={company['rep'].pk}").status_code == 404
    client.force_login(company["other_rep"])
    page = client.get(url + f"&rep={company['rep'].pk}").content.decode()
    assert marker not in page  # a rep's ?rep= is ignored: always their own


@pytest.mark.django_db
def test_goal_page_post_and_delete(company, client):
    data = {"rep": company["rep"].pk, "calls": 1, "meetings": 0, "visits": 0, "new_prospects": 0}
    url = reverse("reports:activity-goals")
    for who, status in [("rep", 403), ("other_rep", 403)]:
        client.force_login(company[who])
        assert client.post(url, data).status_code == status
    client.force_login(company["south_mgr"])
    assert client.post(url, data).status_code == 200  # rep not among the choices: form error
    assert not ActivityGoal.objects.exists()
    goal = ActivityGoal.objects.create(rep=company["rep"], calls=1)
    delete = reverse("reports:activity-goal-delete", args=[goal.pk])
    for who, status in [("rep", 403), ("other_rep", 404), ("south_mgr", 404)]:
        client.force_login(company[who])
        assert client.post(delete).status_code == status
    client.force_login(company["north_mgr"])
    assert client.post(delete).status_code == 302


@pytest.mark.django_db
def test_quota_api_matrix(company, api_as):
    quota = Quota.objects.create(
        rep=company["rep"], period="month", period_start=date(2026, 1, 1), revenue=1
    )
    url = f"/api/quotas/{quota.pk}/"
    reads = {who: api_as(company[who]).get(url).status_code for who in WHO}
    assert reads == {"rep": 200, "other_rep": 404, "north_mgr": 200, "south_mgr": 404, "admin": 200}
    writes = {
        who: api_as(company[who]).patch(url, {"revenue": "2"}, format="json").status_code
        for who in WHO
    }
    assert writes == {
        "rep": 403,
        "other_rep": 403,
        "north_mgr": 200,
        "south_mgr": 404,
        "admin": 200,
    }


@pytest.mark.django_db
def test_goal_api_matrix(company, api_as):
    goal = ActivityGoal.objects.create(rep=company["rep"], calls=1)
    url = f"/api/activity-goals/{goal.pk}/"
    reads = {who: api_as(company[who]).get(url).status_code for who in WHO}
    assert reads == {"rep": 200, "other_rep": 404, "north_mgr": 200, "south_mgr": 404, "admin": 200}
    writes = {
        who: api_as(company[who]).patch(url, {"calls": 5}, format="json").status_code for who in WHO
    }
    assert writes == {
        "rep": 403,
        "other_rep": 403,
        "north_mgr": 200,
        "south_mgr": 404,
        "admin": 200,
    }


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    for name in ("reports:targets", "reports:activity-goals", "reports:commissions"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]
