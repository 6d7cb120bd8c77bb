"""/api/quotas/: managers set their reps' quotas, reps read their own, roll-up sums the
months in SQL; scoped like every other resource."""

from datetime import date
from decimal import Decimal

import pytest

from reports.models import Quota

URL = "/api/quotas/"


def quota(rep, period, start, revenue, **fields):
    return Quota.objects.create(
        rep=rep, period=period, period_start=start, revenue=Decimal(revenue), **fields
    )


@pytest.mark.django_db
def test_manager_sets_a_reps_monthly_quota(company, api_as):
    # given the North manager, when they set rep_a's April quota
    response = api_as(company["north_mgr"]).post(
        URL,
        {
            "rep": company["rep"].pk,
            "period": "month",
            "period_start": "2026-04-01",
            "revenue": "25000.50",
            "new_customers_primary": 2,
            "new_customers_secondary": 3,
        },
        format="json",
    )
    # then it is stored with money as a decimal string and the setter recorded
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["revenue"] == "25000.50"
    assert body["rolled_up"] is False
    assert body["set_by"] == company["north_mgr"].pk
    stored = Quota.objects.get(pk=body["id"])
    assert stored.revenue == Decimal("25000.50") and stored.new_customers_secondary == 3


@pytest.mark.django_db
def test_posting_the_same_period_again_replaces_the_quota(company, api_as):
    client = api_as(company["north_mgr"])
    payload = {"rep": company["rep"].pk, "period": "year", "period_start": "2026-01-01"}
    client.post(URL, {**payload, "revenue": "100"}, format="json")
    response = client.post(URL, {**payload, "revenue": "200"}, format="json")
    assert response.status_code == 201
    assert Quota.objects.get(rep=company["rep"], period="year").revenue == Decimal("200.00")
    assert Quota.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"period": "quarter", "period_start": "2026-05-01"}, "period_start", "2026-04-01"),
        ({"period": "month", "period_start": "2026-05-02"}, "period_start", "2026-05-01"),
        ({"period": "year", "period_start": "2026-02-01"}, "period_start", "2026-01-01"),
        ({"period": "week", "period_start": "2026-01-01"}, "period", "valid choice"),
        ({"period_start": "2026-01-01", "revenue": "-5"}, "revenue", "negative"),
        ({"period_start": "2026-01-01", "revenue": "abc"}, "revenue", "valid number"),
        ({"period_start": "2026-01-01", "new_customers_primary": -1}, "new_customers_primary", ""),
        ({"period_start": "not a date"}, "period_start", "format"),
    ],
)
def test_bad_quotas_are_400_field_errors_and_change_nothing(
    company, api_as, payload, field, fragment
):
    body = {"rep": company["rep"].pk, "period": "month", **payload}
    response = api_as(company["north_mgr"]).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert fragment in " ".join(response.json()[field])
    assert not Quota.objects.exists()


@pytest.mark.django_db
def test_rep_reads_own_quotas_only_and_may_not_write(company, api_as):
    mine = quota(company["rep"], "month", date(2026, 1, 1), "10")
    quota(company["other_rep"], "month", date(2026, 1, 1), "20")
    client = api_as(company["rep"])
    listed = client.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    payload = {"rep": company["rep"].pk, "period": "month", "period_start": "2026-02-01"}
    assert client.post(URL, payload, format="json").status_code == 403
    assert client.patch(f"{URL}{mine.pk}/", {"revenue": "1"}, format="json").status_code == 403
    assert Quota.objects.get(pk=mine.pk).revenue == Decimal("10.00")


@pytest.mark.django_db
def test_other_teams_manager_gets_404_and_cannot_target_the_rep(company, api_as):
    north_quota = quota(company["rep"], "month", date(2026, 1, 1), "10")
    client = api_as(company["south_mgr"])
    assert client.get(f"{URL}{north_quota.pk}/").status_code == 404
    assert (
        client.patch(f"{URL}{north_quota.pk}/", {"revenue": "1"}, format="json").status_code == 404
    )
    response = client.post(
        URL,
        {"rep": company["rep"].pk, "period": "month", "period_start": "2026-02-01"},
        format="json",
    )
    assert response.status_code == 400 and "rep" in response.json()
    assert Quota.objects.count() == 1


@pytest.mark.django_db
def test_admin_sees_all_and_filters_by_rep_period_and_range(company, api_as):
    quota(company["rep"], "month", date(2026, 1, 1), "10")
    feb = quota(company["rep"], "month", date(2026, 2, 1), "10")
    quota(company["rep"], "year", date(2026, 1, 1), "100")
    quota(company["south_rep"], "month", date(2026, 2, 1), "10")
    client = api_as(company["admin"])
    assert client.get(URL).json()["count"] == 4
    filtered = client.get(
        URL,
        {
            "rep": company["rep"].pk,
            "period": "month",
            "period_start_after": "2026-02-01",
            "period_start_before": "2026-12-31",
        },
    ).json()
    assert [row["id"] for row in filtered["results"]] == [feb.pk]


@pytest.mark.django_db
def test_patch_changes_figures_and_marks_it_entered_by_hand(company, api_as):
    q = quota(company["rep"], "quarter", date(2026, 1, 1), "10", rolled_up=True)
    response = api_as(company["north_mgr"]).patch(
        f"{URL}{q.pk}/", {"revenue": "99.90"}, format="json"
    )
    assert response.status_code == 200
    q.refresh_from_db()
    assert q.revenue == Decimal("99.90") and q.rolled_up is False


@pytest.mark.django_db
def test_roll_up_sums_the_months_into_quarters_and_year(company, api_as):
    rep = company["rep"]
    for month, revenue, primary in [(1, "100", 1), (2, "200.50", 0), (3, "300", 2), (11, "50", 4)]:
        quota(rep, "month", date(2026, month, 1), revenue, new_customers_primary=primary)
    quota(rep, "month", date(2025, 12, 1), "9999")  # another year: not counted
    response = api_as(company["north_mgr"]).post(
        f"{URL}roll-up/", {"rep": rep.pk, "year": 2026}, format="json"
    )
    assert response.status_code == 200, response.json()
    rows = {(r["period"], r["period_start"]): r for r in response.json()}
    assert rows[("quarter", "2026-01-01")]["revenue"] == "600.50"
    assert rows[("quarter", "2026-01-01")]["new_customers_primary"] == 3
    assert rows[("quarter", "2026-04-01")]["revenue"] == "0.00"
    assert rows[("quarter", "2026-10-01")]["revenue"] == "50.00"
    assert rows[("year", "2026-01-01")]["revenue"] == "650.50"
    assert rows[("year", "2026-01-01")]["new_customers_primary"] == 7
    assert all(r["rolled_up"] for r in rows.values())


@pytest.mark.django_db
def test_roll_up_overwrites_an_entered_quarter_and_is_repeatable(company, api_as):
    rep = company["rep"]
    quota(rep, "quarter", date(2026, 1, 1), "5")
    quota(rep, "month", date(2026, 1, 1), "100")
    client = api_as(company["north_mgr"])
    for _ in range(2):
        client.post(f"{URL}roll-up/", {"rep": rep.pk, "year": 2026}, format="json")
    assert (
        Quota.objects.get(rep=rep, period="quarter", period_start=date(2026, 1, 1)).revenue == 100
    )
    assert Quota.objects.filter(rep=rep).count() == 1 + 4 + 1


@pytest.mark.django_db
def test_roll_up_bad_paths(company, api_as):
    client = api_as(company["north_mgr"])
    missing = client.post(f"{URL}roll-up/", {"rep": company["rep"].pk}, format="json")
    assert missing.status_code == 400 and "year" in missing.json()
    other_team = client.post(
        f"{URL}roll-up/", {"rep": company["south_rep"].pk, "year": 2026}, format="json"
    )
    assert other_team.status_code == 400 and "rep" in other_team.json()
    as_rep = api_as(company["rep"]).post(
        f"{URL}roll-up/", {"rep": company["rep"].pk, "year": 2026}, format="json"
    )
    assert as_rep.status_code == 403
    assert not Quota.objects.exists()


@pytest.mark.django_db
def test_unauthenticated_is_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.django_db
def test_list_runs_a_fixed_number_of_queries(company, api_as, django_assert_max_num_queries):
    for month in range(1, 13):
        quota(company["rep"], "month", date(2026, month, 1), "10")
        quota(company["other_rep"], "month", date(2026, month, 1), "10")
    with django_assert_max_num_queries(4):
        response = api_as(company["north_mgr"]).get(URL, {"page_size": 200})
    assert response.json()["count"] == 24


@pytest.mark.django_db
def test_schema_documents_quotas_goals_and_roll_up(company, api_as):
    schema = api_as(company["rep"]).get("/api/schema/", {"format": "json"}).json()
    assert "/api/quotas/roll-up/" in schema["paths"]
    assert "post" in schema["paths"]["/api/activity-goals/"]
    assert "period_start_after" in {
        p["name"] for p in schema["paths"]["/api/quotas/"]["get"]["parameters"]
    }


@pytest.mark.django_db
def test_a_roll_up_too_big_for_a_quota_or_of_no_period_is_a_400_that_changes_nothing(
    company, api_as
):
    # given: three months each at the largest amount a quota holds
    rep = company["rep"]
    for month in (1, 2, 3):
        quota(rep, "month", date(2029, month, 1), "999999999999.99")
    client = api_as(company["north_mgr"])

    # when
    too_big = client.post(f"{URL}roll-up/", {"rep": rep.pk, "year": 2029}, format="json")
    no_period = client.post(
        f"{URL}roll-up/", {"rep": rep.pk, "year": 2029, "periods": []}, format="json"
    )

    # then
    assert too_big.status_code == 400 and "the most a quota holds" in too_big.json()["revenue"][0]
    assert no_period.status_code == 400 and no_period.json()["periods"]
    assert Quota.objects.filter(rep=rep).count() == 3
