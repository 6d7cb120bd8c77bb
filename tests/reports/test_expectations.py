"""The expectation profile: saving it (validation) and each item against what actually
happened since starts_on, computed on hand-built data."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activities.models import Activity
from activities.weeks import week_of
from crm.models import Customer
from reports.models import ExpectationProfile
from reports.selectors import expectation_actuals, expectation_progress
from reports.services import expectation_profile_save
from tests.factories.crm import CustomerFactory, DealFactory

BERLIN = ZoneInfo("Europe/Berlin")
START = date(2026, 1, 1)
TODAY = date(2026, 7, 2)  # 183 days in: half a year


def act(rep, customer, kind, day, minutes=30, prospecting=False):
    at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=BERLIN)
    return Activity.objects.create(
        kind=kind,
        customer=customer,
        owner=rep,
        occurred_at=at,
        week=week_of(at, BERLIN),
        duration_minutes=minutes,
        is_prospecting=prospecting,
    )


def customer(rep, segment="primary", source="cold_call", created=date(2025, 6, 1)):
    c = CustomerFactory(owner=rep, segment=segment, source=source)
    Customer.objects.filter(pk=c.pk).update(
        created_at=datetime(created.year, created.month, created.day, 12, tzinfo=BERLIN)
    )
    return c


@pytest.fixture
def world(company):
    """rep_a since 2026-01-01: 2 new primary and 1 new secondary customer, an old primary,
    a house account; visits, calls and referrals; won deals inside and before the period."""
    rep = company["rep"]
    old_primary = customer(rep)
    new_p1 = customer(rep, created=date(2026, 2, 1))
    customer(rep, created=date(2026, 3, 1))
    new_secondary = customer(rep, segment="secondary", created=date(2026, 4, 1))
    house = customer(rep, source="house_account")
    customer(rep, source="house_account")  # not worked
    # visits: 4 to primary customers (4 primary customers incl. house accounts), 1 secondary
    act(rep, old_primary, "visit", date(2026, 2, 3), minutes=120)
    act(rep, old_primary, "visit", date(2026, 3, 3), minutes=60)
    act(rep, new_p1, "visit", date(2026, 4, 3), minutes=60, prospecting=True)
    act(rep, house, "visit", date(2026, 5, 3), minutes=60)
    act(rep, new_secondary, "visit", date(2026, 5, 4), minutes=100)
    act(rep, new_p1, "call", date(2026, 2, 1), minutes=100, prospecting=True)
    act(rep, new_p1, "call", date(2026, 2, 2), minutes=100, prospecting=True)
    act(rep, old_primary, "referral", date(2026, 2, 5), minutes=0, prospecting=True)
    act(rep, old_primary, "call", date(2025, 12, 31), minutes=500, prospecting=True)  # before
    DealFactory(
        customer=new_p1,
        stage_id="won",
        amount=Decimal("600000"),
        closed_at=date(2026, 3, 1),
        credited_to=rep,
    )
    DealFactory(
        customer=new_p1,
        stage_id="won",
        amount=Decimal("999"),
        closed_at=date(2025, 12, 1),
        credited_to=rep,
    )
    DealFactory(customer=new_p1, stage_id="proposal", amount=Decimal("50000"))
    return company


@pytest.mark.django_db
def test_actuals_on_hand_built_data(world):
    a = expectation_actuals(rep=world["rep"], since=START, today=TODAY)
    assert a["revenue_12m"] == Decimal("600000")
    assert a["new_customers_primary"] == 2  # house accounts were created before the start
    assert a["new_customers_secondary"] == 1
    assert a["prospecting_cold_calls"] == 2
    assert a["prospecting_visits"] == 1
    assert a["prospecting_referrals"] == 1
    assert a["house_accounts"] == 1
    # 4 visits / 5 primary customers / (183/365 years) = 1.60 per year
    assert a["visits_per_primary"] == Decimal("1.60")
    # 1 visit / 1 secondary customer / (183/365) = 1.99
    assert a["visits_per_secondary"] == Decimal("1.99")
    # visit minutes 400 / all minutes 600 = 66.67%
    assert a["travel_share"] == Decimal("66.67")


@pytest.mark.django_db
def test_progress_is_pro_rated_and_flags_behind(world):
    rep = world["rep"]
    profile = expectation_profile_save(
        rep=rep,
        by=world["north_mgr"],
        starts_on=START,
        items=[
            {"metric": "revenue_12m", "target": "1300000"},
            {"metric": "new_customers_primary", "target": "6"},
            {"metric": "new_customers_secondary", "target": "15"},
            {"metric": "prospecting_cold_calls", "target": "3", "weight": 50},
            {"metric": "prospecting_referrals", "target": "2", "weight": 50},
            {"metric": "visits_per_primary", "target": "3"},
            {"metric": "travel_share", "target": "50"},
        ],
    )
    rows = {r.metric: r for r in expectation_progress(profile=profile, today=TODAY)}
    # half a year in: 1,300,000 x 183/365 = 651,780.82 expected; 600,000 is behind
    assert rows["revenue_12m"].expected_so_far == Decimal("651780.82")
    assert rows["revenue_12m"].on_track is False
    assert rows["new_customers_primary"].on_track is False  # 2 < 3.01
    assert rows["new_customers_secondary"].on_track is False
    assert rows["prospecting_cold_calls"].expected_so_far == Decimal("1.50")
    assert rows["prospecting_cold_calls"].on_track is True  # 2 calls >= 1.50 so far
    assert rows["prospecting_referrals"].on_track is True  # 1 >= 1.00
    assert rows["prospecting_cold_calls"].actual_share == Decimal("50.00")
    assert rows["visits_per_primary"].on_track is False  # 1.60 a year < 3
    assert rows["travel_share"].on_track is True


@pytest.mark.django_db
def test_progress_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    profile = expectation_profile_save(
        rep=world["rep"],
        by=world["admin"],
        starts_on=START,
        items=[{"metric": m, "target": "1"} for m in ("revenue_12m", "house_accounts")],
    )
    profile = ExpectationProfile.objects.select_related("rep__team").get(pk=profile.pk)
    with django_assert_max_num_queries(4):
        expectation_progress(profile=profile, today=TODAY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("items", "key", "fragment"),
    [
        (
            [
                {"metric": "prospecting_cold_calls", "target": "1", "weight": 60},
                {"metric": "prospecting_referrals", "target": "1", "weight": 30},
            ],
            "weights",
            "90",
        ),
        ([{"metric": "revenue_12m", "target": "-1"}], "items-0-target", "negative"),
        ([{"metric": "travel_share", "target": "120"}], "items-0-target", "100"),
        ([{"metric": "revenue_12m", "target": "1", "weight": 10}], "items-0-weight", "prospecting"),
        (
            [{"metric": "revenue_12m", "target": "1"}, {"metric": "revenue_12m", "target": "2"}],
            "items-1-metric",
            "once",
        ),
        ([{"metric": "make_quota", "target": "1"}], "items-0-metric", "Choose"),
    ],
)
def test_bad_profiles_are_refused_and_change_nothing(company, items, key, fragment):
    with pytest.raises(ValidationError) as exc:
        expectation_profile_save(
            rep=company["rep"], by=company["north_mgr"], starts_on=START, items=items
        )
    assert fragment in " ".join(exc.value.message_dict[key])
    assert not ExpectationProfile.objects.exists()


@pytest.mark.django_db
def test_only_the_reps_manager_or_an_admin_writes_expectations(company):
    for outsider in (company["rep"], company["other_rep"], company["south_mgr"]):
        with pytest.raises(PermissionDenied):
            expectation_profile_save(rep=company["rep"], by=outsider, starts_on=START, items=[])
    expectation_profile_save(rep=company["rep"], by=company["admin"], starts_on=START, items=[])
    assert ExpectationProfile.objects.count() == 1


@pytest.mark.django_db
def test_saving_again_replaces_the_items(company):
    kwargs = {"rep": company["rep"], "by": company["north_mgr"], "starts_on": START}
    expectation_profile_save(**kwargs, items=[{"metric": "revenue_12m", "target": "1"}])
    profile = expectation_profile_save(
        **kwargs, items=[{"metric": "house_accounts", "target": "10"}]
    )
    assert [i.metric for i in profile.items.all()] == ["house_accounts"]


@pytest.mark.django_db
def test_after_twelve_months_the_full_target_is_expected(company):
    profile = expectation_profile_save(
        rep=company["rep"],
        by=company["north_mgr"],
        starts_on=date(2024, 1, 1),
        items=[{"metric": "house_accounts", "target": "10"}],
    )
    (row,) = expectation_progress(profile=profile, today=TODAY)
    assert row.expected_so_far == Decimal("10.00") and row.on_track is False
