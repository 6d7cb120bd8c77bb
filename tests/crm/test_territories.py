"""Territories (issue 13): a team's customers are placed by its territory rules (first
match by priority), a person's choice is kept, the list filters by territory on the page
and in the API, the dashboard shows each territory's figures in a fixed number of
queries, and bad input is refused without changing anything."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from crm import territories as svc
from crm.models import Customer, Territory
from tests.factories.crm import CustomerFactory, DealFactory, territory

pytestmark = pytest.mark.django_db


def _customer(owner, **fields):
    return CustomerFactory(owner=owner, **fields)


def _territory_of(customer) -> str | None:
    customer.refresh_from_db()
    return customer.territory.name if customer.territory else None


# --- placing by rules -------------------------------------------------------------------


def test_a_postal_code_prefix_places_the_customer(company):
    # given: North has a territory for postal codes starting 80 or 81
    territory(team=company["north"], name="Munich", postal_prefix=["80", "81"])
    inside = _customer(company["rep"], postal_code="80331")
    outside = _customer(company["rep"], postal_code="90402")
    no_code = _customer(company["rep"])
    # when
    changed = svc.territory_assign_by_rules(team=company["north"])
    # then
    assert changed == 1
    assert _territory_of(inside) == "Munich"
    assert _territory_of(outside) is None
    assert _territory_of(no_code) is None


def test_a_region_matches_whatever_its_case(company):
    territory(team=company["north"], name="Bavaria", region=["Bavaria", "Swabia"])
    upper = _customer(company["rep"], region="BAVARIA")
    other = _customer(company["other_rep"], region="Swabia")
    elsewhere = _customer(company["rep"], region="Saxony")
    assert svc.territory_assign_by_rules(team=company["north"]) == 2
    assert _territory_of(upper) == "Bavaria"
    assert _territory_of(other) == "Bavaria"
    assert _territory_of(elsewhere) is None


def test_a_segment_rule_and_kinds_combine(company):
    # given: one territory for primary customers in Bavaria, one for any secondary customer
    territory(team=company["north"], name="Bavaria key", region=["Bavaria"], segment=["primary"])
    territory(team=company["north"], name="Secondary", segment=["secondary"])
    primary_bavaria = _customer(company["rep"], region="Bavaria", segment="primary")
    primary_elsewhere = _customer(company["rep"], region="Hesse", segment="primary")
    secondary = _customer(company["rep"], region="Bavaria", segment="secondary")
    svc.territory_assign_by_rules(team=company["north"])
    assert _territory_of(primary_bavaria) == "Bavaria key"
    assert _territory_of(primary_elsewhere) is None  # the region rule must match too
    assert _territory_of(secondary) == "Secondary"


def test_the_first_matching_territory_by_priority_wins(company):
    # given: both match a Munich primary customer; "City" has the lower priority number
    territory(team=company["north"], name="Primary", priority=20, segment=["primary"])
    territory(team=company["north"], name="City", priority=10, postal_prefix=["80"])
    customer = _customer(company["rep"], postal_code="80331", segment="primary")
    svc.territory_assign_by_rules(team=company["north"])
    assert _territory_of(customer) == "City"
    # when the priorities swap, a rerun moves it
    Territory.objects.filter(name="Primary").update(priority=5)
    assert svc.territory_assign_by_rules(team=company["north"]) == 1
    assert _territory_of(customer) == "Primary"


def test_rules_place_only_the_teams_own_customers(company):
    territory(team=company["north"], name="Everything primary", segment=["primary"])
    south_customer = _customer(company["south_rep"], segment="primary")
    svc.territory_assign_by_rules(team=company["north"])
    svc.territory_assign_by_rules(team=company["south"])
    assert _territory_of(south_customer) is None


def test_a_person_s_choice_is_kept_by_the_rules(company):
    munich = territory(team=company["north"], name="Munich", postal_prefix=["80"])
    rest = territory(team=company["north"], name="Rest", priority=500)
    customer = _customer(company["rep"], postal_code="80331")
    svc.territory_assign_by_rules(team=company["north"])
    # when: the manager pins it elsewhere, then the rules run again
    svc.customer_territory_set(customer=customer, by=company["north_mgr"], territory=rest)
    assert svc.territory_assign_by_rules(team=company["north"]) == 0
    customer.refresh_from_db()
    assert customer.territory == rest and customer.territory_manual
    # when: it is given back to the rules, it goes to Munich at once
    svc.customer_territory_set(
        customer=customer, by=company["north_mgr"], territory=None, manual=False
    )
    customer.refresh_from_db()
    assert customer.territory == munich and not customer.territory_manual


def test_a_rerun_changes_nothing_and_writes_nothing(company, django_assert_num_queries):
    territory(team=company["north"], name="Munich", postal_prefix=["80"])
    for n in range(5):
        _customer(company["rep"], postal_code=f"80{n:03d}")
    assert svc.territory_assign_by_rules(team=company["north"]) == 5
    before = dict(Customer.objects.values_list("pk", "updated_at"))
    # the rerun: territories, rules, one UPDATE (matching no row)
    with django_assert_num_queries(3 + 2):  # + savepoint and release
        assert svc.territory_assign_by_rules(team=company["north"]) == 0
    assert dict(Customer.objects.values_list("pk", "updated_at")) == before


def test_a_customer_no_longer_matching_loses_its_territory(company):
    territory(team=company["north"], name="Munich", postal_prefix=["80"])
    customer = _customer(company["rep"], postal_code="80331")
    svc.territory_assign_by_rules(team=company["north"])
    Customer.objects.filter(pk=customer.pk).update(postal_code="10115")
    assert svc.territory_assign_by_rules(team=company["north"]) == 1
    assert _territory_of(customer) is None


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rules, message",
    [
        ([{"kind": "postal_prefix", "value": "  "}], "postal-code prefix cannot be empty"),
        ([{"kind": "region", "value": ""}], "region cannot be empty"),
        ([{"kind": "segment", "value": "gold"}], "segment is one of"),
        ([{"kind": "planet", "value": "Mars"}], "kind is one of"),
        ([{"kind": "postal_prefix", "value": "80%"}], "letters and digits"),
        ("80", "list of {kind, value}"),
    ],
)
def test_bad_rules_are_a_400_and_create_nothing(company, api_as, rules, message):
    response = api_as(company["north_mgr"]).post(
        "/api/territories/",
        {"name": "Munich", "team": company["north"].pk, "rules": rules},
        format="json",
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()["rules"])
    assert not Territory.objects.exists()


def test_a_duplicate_name_in_the_team_is_a_400(company, api_as):
    territory(team=company["north"], name="Munich")
    response = api_as(company["north_mgr"]).post(
        "/api/territories/", {"name": "Munich", "team": company["north"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()


# --- API ---------------------------------------------------------------------------------


def test_a_manager_creates_a_territory_and_assigns_by_rules(company, api_as):
    client = api_as(company["north_mgr"])
    customer = _customer(company["rep"], postal_code="80331")
    created = client.post(
        "/api/territories/",
        {
            "name": "Munich",
            "team": company["north"].pk,
            "priority": 10,
            "rules": [{"kind": "postal_prefix", "value": "80"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["rules"] == [{"kind": "postal_prefix", "value": "80"}]
    ran = client.post("/api/territories/assign/", {"team": company["north"].pk}, format="json")
    assert ran.status_code == 200 and ran.json() == {"changed": 1}
    again = client.post("/api/territories/assign/", {}, format="json")
    assert again.json() == {"changed": 0}
    body = client.get(f"/api/customers/{customer.pk}/").json()
    assert body["territory"] == created.json()["id"]
    assert body["territory_name"] == "Munich"
    assert body["postal_code"] == "80331"
    assert body["territory_manual"] is False


def test_another_team_s_territory_is_a_404(company, api_as):
    south = territory(team=company["south"], name="Atlanta")
    client = api_as(company["north_mgr"])
    assert client.get(f"/api/territories/{south.pk}/").status_code == 404
    assert client.patch(f"/api/territories/{south.pk}/", {"name": "x"}).status_code == 404
    assert client.delete(f"/api/territories/{south.pk}/").status_code == 404
    # and it cannot be created in another team either (the team is not among the choices)
    response = client.post(
        "/api/territories/", {"name": "Mine", "team": company["south"].pk}, format="json"
    )
    assert response.status_code == 400 and "team" in response.json()
    south.refresh_from_db()
    assert south.name == "Atlanta"


def test_reps_read_their_team_s_territories_but_may_not_change_them(company, api_as):
    north = territory(team=company["north"], name="Munich")
    territory(team=company["south"], name="Atlanta")
    client = api_as(company["rep"])
    listed = client.get("/api/territories/").json()
    assert [t["name"] for t in listed["results"]] == ["Munich"]
    assert client.patch(f"/api/territories/{north.pk}/", {"name": "x"}).status_code == 403
    assert client.post("/api/territories/assign/", {}, format="json").status_code == 403


def test_override_pins_a_territory_through_the_api(company, api_as):
    rest = territory(team=company["north"], name="Rest")
    south = territory(team=company["south"], name="Atlanta")
    customer = _customer(company["rep"])
    client = api_as(company["north_mgr"])
    response = client.post(
        "/api/territories/override/",
        {"customer": customer.pk, "territory": rest.pk},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "customer": customer.pk,
        "territory": rest.pk,
        "territory_manual": True,
    }
    # another team's territory is not a choice for this manager
    bad = client.post(
        "/api/territories/override/",
        {"customer": customer.pk, "territory": south.pk},
        format="json",
    )
    assert bad.status_code == 400 and "territory" in bad.json()
    # even an admin cannot pin a customer into another team's territory
    bad = api_as(company["admin"]).post(
        "/api/territories/override/",
        {"customer": customer.pk, "territory": south.pk},
        format="json",
    )
    assert bad.status_code == 400 and "territory" in bad.json()
    customer.refresh_from_db()
    assert customer.territory == rest


def test_the_customer_filter_by_territory_on_the_api(company, api_as):
    munich = territory(team=company["north"], name="Munich", postal_prefix=["80"])
    inside = _customer(company["rep"], postal_code="80331")
    _customer(company["rep"], postal_code="10115")
    svc.territory_assign_by_rules(team=company["north"])
    client = api_as(company["north_mgr"])
    found = client.get(f"/api/customers/?territory={munich.pk}").json()
    assert [c["id"] for c in found["results"]] == [inside.pk]


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_an_unknown_territory_in_the_filter_is_a_400(company, api_as, value):
    response = api_as(company["north_mgr"]).get(f"/api/customers/?territory={value}")
    assert response.status_code == 400
    assert "territory" in response.json()


def test_another_team_s_territory_in_the_filter_is_a_400(company, api_as):
    south = territory(team=company["south"], name="Atlanta")
    response = api_as(company["north_mgr"]).get(f"/api/customers/?territory={south.pk}")
    assert response.status_code == 400


# --- pages -------------------------------------------------------------------------------


def test_the_customer_list_page_filters_and_shows_the_territory(company, client):
    munich = territory(team=company["north"], name="Munich", postal_prefix=["80"])
    inside = _customer(company["rep"], name="Inside GmbH", postal_code="80331")
    _customer(company["rep"], name="Outside GmbH", postal_code="10115")
    svc.territory_assign_by_rules(team=company["north"])
    client.force_login(company["north_mgr"])
    page = client.get(reverse("crm:customer-list"), {"territory": munich.pk})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Inside GmbH" in text and "Outside GmbH" not in text
    assert "<td>Munich</td>" in text
    detail = client.get(reverse("crm:customer-detail", args=[inside.pk])).content.decode()
    assert "Territory: <strong>Munich</strong>" in detail
    bad = client.get(reverse("crm:customer-list"), {"territory": "999999"}).content.decode()
    assert "Select a valid choice" in bad and "Inside GmbH" not in bad


def test_the_territory_pages_for_a_manager(company, client):
    client.force_login(company["north_mgr"])
    _customer(company["rep"], postal_code="80331")
    response = client.post(
        reverse("crm:territory-create"),
        {
            "name": "Munich",
            "team": company["north"].pk,
            "priority": 10,
            "postal_prefixes": "80, 81\n",
            "regions": "",
        },
    )
    assert response.status_code == 302
    made = Territory.objects.get()
    assert sorted(made.rules.values_list("value", flat=True)) == ["80", "81"]
    ran = client.post(reverse("crm:territory-assign"), {"team": company["north"].pk}, follow=True)
    assert "1 customer changed" in ran.content.decode()
    listing = client.get(reverse("crm:territory-list")).content.decode()
    assert "Munich" in listing and "Postal-code prefix: 80" in listing


def test_territory_pages_refuse_reps_and_hide_other_teams(company, client):
    south = territory(team=company["south"], name="Atlanta")
    client.force_login(company["rep"])
    assert client.get(reverse("crm:territory-list")).status_code == 403
    client.force_login(company["north_mgr"])
    assert client.get(reverse("crm:territory-edit", args=[south.pk])).status_code == 404
    assert "Atlanta" not in client.get(reverse("crm:territory-list")).content.decode()


def test_the_manager_pins_a_territory_from_the_customer_page(company, client):
    rest = territory(team=company["north"], name="Rest")
    customer = _customer(company["rep"])
    client.force_login(company["north_mgr"])
    client.post(reverse("crm:customer-territory", args=[customer.pk]), {"territory": rest.pk})
    customer.refresh_from_db()
    assert customer.territory == rest and customer.territory_manual


# --- dashboard figures -------------------------------------------------------------------


def test_territory_kpis_on_hand_built_data(company):
    day = date(2026, 11, 20)  # Q4 2026 runs from 1 October
    munich = territory(team=company["north"], name="Munich")
    hamburg = territory(team=company["north"], name="Hamburg")
    key_seen = _customer(company["rep"], territory=munich, is_key=True)
    key_unseen = _customer(company["rep"], territory=munich, is_key=True)
    plain = _customer(company["other_rep"], territory=munich)
    DealFactory(customer=key_seen, amount=Decimal("1000"), stage_id="proposal")
    DealFactory(customer=plain, amount=Decimal("250.50"), stage_id="lead")
    DealFactory(customer=key_seen, amount=Decimal("5000"), stage_id="won", closed_at=day)
    # won last quarter and won after `day`: neither counts this quarter
    DealFactory(
        customer=key_unseen, amount=Decimal("7000"), stage_id="won", closed_at=date(2026, 9, 30)
    )
    DealFactory(
        customer=plain, amount=Decimal("9000"), stage_id="won", closed_at=day + timedelta(days=1)
    )
    DealFactory(customer=plain, amount=Decimal("300"), stage_id="lost", closed_at=day)
    tz = timezone.get_current_timezone()
    Activity.objects.create(
        owner=company["rep"],
        customer=key_seen,
        kind="call",
        week="2026-W45",
        occurred_at=datetime(2026, 11, 5, 10, tzinfo=tz),
    )
    Activity.objects.create(  # 40 days before: too old to cover
        owner=company["rep"],
        customer=key_unseen,
        kind="visit",
        week="2026-W41",
        occurred_at=datetime(2026, 10, 11, 10, tzinfo=tz),
    )
    rows = {
        k.territory.name: k
        for k in svc.territory_kpis(territories=Territory.objects.all(), day=day)
    }
    assert rows["Munich"].customers == 3
    assert rows["Munich"].pipeline_value == Decimal("1250.50")
    assert rows["Munich"].won_quarter == Decimal("5000.00")
    assert (rows["Munich"].key_covered, rows["Munich"].key_customers) == (1, 2)
    assert rows["Munich"].coverage_percent == Decimal("50")
    assert rows["Hamburg"].pipeline_value == Decimal("0.00")
    assert rows["Hamburg"].coverage_percent is None
    assert hamburg.pk


@pytest.mark.parametrize("territories", [1, 8])
def test_territory_kpis_run_three_queries_whatever_the_count(
    company, django_assert_num_queries, territories
):
    for n in range(territories):
        t = territory(team=company["north"], name=f"T{n}")
        for _ in range(3):
            c = _customer(company["rep"], territory=t, is_key=True)
            DealFactory(customer=c, amount=Decimal("10"), stage_id="proposal")
    with django_assert_num_queries(3):
        rows = svc.territory_kpis(territories=svc.territories_visible_to(user=company["admin"]))
    assert len(rows) == territories


def test_the_dashboard_shows_the_team_s_territories(company, client):
    munich = territory(team=company["north"], name="Munich")
    territory(team=company["south"], name="Atlanta")
    DealFactory(
        customer=_customer(company["rep"], territory=munich),
        amount=Decimal("4321"),
        stage_id="proposal",
    )
    client.force_login(company["north_mgr"])
    text = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="dash-territories"' in text
    assert "Munich" in text and "4,321.00" in text
    assert "Atlanta" not in text


def test_the_nightly_job_places_every_team_s_customers(company):
    from crm.tasks import assign_territories_by_rules

    territory(team=company["north"], name="Munich", postal_prefix=["80"])
    territory(team=company["south"], name="Atlanta", postal_prefix=["30"])
    north = _customer(company["rep"], postal_code="80331")
    south = _customer(company["south_rep"], postal_code="30301")
    assert assign_territories_by_rules.delay().get() == 2
    assert (_territory_of(north), _territory_of(south)) == ("Munich", "Atlanta")


def test_the_territory_form_shows_the_rules_to_edit(company, client):
    made = territory(
        team=company["north"], name="Munich", postal_prefix=["80"], segment=["primary"]
    )
    client.force_login(company["admin"])
    assert client.get(reverse("crm:territory-create")).status_code == 200
    page = client.get(reverse("crm:territory-edit", args=[made.pk])).content.decode()
    assert 'value="Munich"' in page and "80</textarea>" in page
    # a blank name is a field error, nothing changes
    response = client.post(
        reverse("crm:territory-edit", args=[made.pk]), {"name": " ", "priority": 10}
    )
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    made.refresh_from_db()
    assert made.name == "Munich"
