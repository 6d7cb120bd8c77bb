"""Customer pages: the list a rep works from (search, filters, sort, pages, export), the
customer page (contacts, deals, timeline, conflicts) and the create/edit forms."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import CompetingLine
from crm.choices import OwnershipChangeSource
from crm.models import Customer, OwnershipChange
from crm.selectors import customer_timeline
from crm.services import customer_create, deal_move_stage
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

LIST = reverse("crm:customer-list")


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def _export_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- list --------------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_rep_sees_only_their_portfolio_with_open_deal_figures(company, as_user):
    mine = CustomerFactory(name="Mine", owner=company["rep"])
    CustomerFactory(name="Colleague's", owner=company["other_rep"])
    DealFactory(customer=mine, amount=Decimal("1000.50"), stage_id="proposal")
    DealFactory(customer=mine, amount=Decimal("200.00"), stage_id="lead")
    DealFactory(customer=mine, amount=Decimal("9999.00"), stage_id="won")

    response = as_user(company["rep"]).get(LIST)

    assert response.status_code == 200
    assert _names(response) == ["Mine"]
    row = response.context["page"].object_list[0]
    assert row.open_deals_count == 2
    assert row.open_deals_value == Decimal("1200.50")
    assert "1,200.50" in response.content.decode()


def test_search_and_filters_narrow_the_list(company, as_user):
    rep = company["rep"]
    CustomerFactory(name="Acme North", owner=rep, segment="primary", status="active")
    CustomerFactory(name="Acme South", owner=rep, segment="secondary", status="active")
    CustomerFactory(name="Bolt", owner=rep, segment="secondary", source="referral")
    client = as_user(rep)

    assert _names(client.get(LIST, {"search": "acme"})) == ["Acme North", "Acme South"]
    assert _names(client.get(LIST, {"search": "acme", "segment": "secondary"})) == ["Acme South"]
    assert _names(client.get(LIST, {"source": "referral"})) == ["Bolt"]


def test_bad_filter_value_shows_a_message_and_no_500(company, as_user):
    CustomerFactory(owner=company["rep"])
    response = as_user(company["rep"]).get(LIST, {"segment": "platinum", "page_size": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert _names(response) == []


def test_sorting_by_header_toggles_direction(company, as_user):
    rep = company["rep"]
    small = CustomerFactory(name="Small", owner=rep)
    big = CustomerFactory(name="Big", owner=rep)
    DealFactory(customer=small, amount=Decimal("10"))
    DealFactory(customer=big, amount=Decimal("500"))
    client = as_user(rep)

    ascending = client.get(LIST, {"ordering": "open_deals_value"})
    assert _names(ascending) == ["Small", "Big"]
    header = next(c for c in ascending.context["columns"] if c["label"] == "Open value")
    assert "ordering=-open_deals_value" in header["url"]
    assert _names(client.get(LIST, {"ordering": "-open_deals_value"})) == ["Big", "Small"]
    assert _names(client.get(LIST, {"ordering": "-name"})) == ["Small", "Big"]


def test_pagination_with_page_size(company, as_user):
    for i in range(7):
        CustomerFactory(name=f"C{i}", owner=company["rep"])
    client = as_user(company["rep"])
    second = client.get(LIST, {"page": 2, "page_size": 3})
    assert _names(second) == ["C3", "C4", "C5"]
    assert second.context["page"].paginator.num_pages == 3
    assert "page=3" in second.content.decode()
    # Beyond the last page: the last page, not an error.
    assert _names(client.get(LIST, {"page": 99, "page_size": 3})) == ["C6"]


def test_htmx_request_gets_only_the_table(company, as_user):
    CustomerFactory(name="Only", owner=company["rep"])
    response = as_user(company["rep"]).get(LIST, {"search": "on"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Only" in body
    assert "<html" not in body
    # The export link travels with the fragment, so it always matches the filters shown.
    assert 'id="export-link" href="/customers/export.csv?search=on"' in body


def test_manager_filters_the_team_by_owner_and_conflict(company, as_user):
    rep, other = company["rep"], company["other_rep"]
    CompetingLine.objects.create(rep=rep, principal="Rival Corp", product_line="Robotics")
    CustomerFactory(name="Clash", owner=rep, industry="robotics")
    CustomerFactory(name="Calm", owner=rep, industry="Food")
    CustomerFactory(name="Other's", owner=other, industry="Robotics")
    CustomerFactory(name="South", owner=company["south_rep"], industry="Robotics")
    client = as_user(company["north_mgr"])

    assert _names(client.get(LIST)) == ["Calm", "Clash", "Other's"]
    assert _names(client.get(LIST, {"owner": other.pk})) == ["Other's"]
    response = client.get(LIST, {"conflict": "true"})
    assert _names(response) == ["Clash"]
    assert 'class="badge conflict"' in response.content.decode()
    # An owner outside the manager's teams is not a valid choice.
    assert _names(client.get(LIST, {"owner": company["south_rep"].pk})) == []


def test_list_runs_the_same_number_of_queries_for_5_or_50_rows(
    company, as_user, django_assert_max_num_queries
):
    client = as_user(company["north_mgr"])
    owners = [company["rep"], company["other_rep"]]

    def make(n):
        for i in range(n):
            customer = CustomerFactory(owner=owners[i % 2])
            DealFactory(customer=customer)

    make(5)
    with django_assert_max_num_queries(8) as five:
        assert client.get(LIST, {"page_size": 200}).status_code == 200
    make(45)
    with django_assert_max_num_queries(len(five.captured_queries)):
        response = client.get(LIST, {"page_size": 200})
    assert len(response.context["page"].object_list) == 50


# --- export ------------------------------------------------------------------------------


def test_export_contains_exactly_the_filtered_visible_rows(company, as_user):
    rep = company["rep"]
    CustomerFactory(name="Acme", owner=rep, segment="primary")
    CustomerFactory(name="Acme Two", owner=rep, segment="secondary")
    CustomerFactory(name="Acme Hidden", owner=company["other_rep"], segment="primary")
    client = as_user(rep)

    page = client.get(LIST, {"search": "acme", "segment": "primary"})
    assert "export.csv?search=acme&amp;segment=primary" in page.content.decode()
    response = client.get(reverse("crm:customer-export"), {"search": "acme", "segment": "primary"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = _export_rows(response)
    assert [r["name"] for r in rows] == ["Acme"]
    assert rows[0]["owner"] == "rep_a"


def test_export_with_a_bad_filter_is_a_400_with_the_reason(company, as_user):
    response = as_user(company["rep"]).get(reverse("crm:customer-export"), {"status": "dead"})
    assert response.status_code == 400
    assert "status" in response.content.decode()


# --- create / edit -----------------------------------------------------------------------


def test_rep_creates_a_customer_they_own_and_it_is_logged(company, as_user):
    rep = company["rep"]
    response = as_user(rep).post(
        reverse("crm:customer-create"),
        {
            "name": "New Co",
            "owner": company["other_rep"].pk,  # ignored: a rep's owner field is fixed
            "segment": "primary",
            "status": "prospect",
            "source": "inbound",
            "website": "newco.example",
        },
        follow=True,
    )
    customer = Customer.objects.get(name="New Co")
    assert customer.owner == rep
    assert customer.website == "https://newco.example"
    assert "Customer “New Co” created." in response.content.decode()
    log = OwnershipChange.objects.get(customer=customer)
    assert (log.from_user, log.to_user, log.changed_by, log.source) == (None, rep, rep, "edit")


def test_create_form_shows_field_errors_and_saves_nothing(company, as_user):
    response = as_user(company["rep"]).post(
        reverse("crm:customer-create"),
        {"name": "", "segment": "gold", "status": "active", "source": "inbound"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "name" in form.errors and "segment" in form.errors
    assert 'class="field-error"' in response.content.decode()
    assert not Customer.objects.exists()


def test_create_form_offers_only_assignable_owners(company, as_user):
    form = as_user(company["north_mgr"]).get(reverse("crm:customer-create")).context["form"]
    owners = set(form.fields["owner"].queryset.values_list("username", flat=True))
    assert owners == {"north_mgr", "rep_a", "rep_b"}
    assert form["owner"].value() == company["north_mgr"].pk


def test_manager_cannot_assign_a_customer_outside_the_team(company, as_user):
    customer = CustomerFactory(owner=company["rep"])
    response = as_user(company["north_mgr"]).post(
        reverse("crm:customer-edit", args=[customer.pk]),
        {
            "name": customer.name,
            "owner": company["south_rep"].pk,
            "segment": "primary",
            "status": "active",
            "source": "cold_call",
        },
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.owner == company["rep"]


def test_manager_reassigns_a_customer_and_the_change_is_logged(company, as_user):
    customer = customer_create(by=company["rep"], name="Moving Co")
    response = as_user(company["north_mgr"]).post(
        reverse("crm:customer-edit", args=[customer.pk]),
        {
            "name": "Moving Co",
            "owner": company["other_rep"].pk,
            "segment": "secondary",
            "status": "active",
            "source": "cold_call",
        },
        follow=True,
    )
    assert "saved" in response.content.decode()
    customer.refresh_from_db()
    assert customer.owner == company["other_rep"] and customer.segment == "secondary"
    move = OwnershipChange.objects.filter(customer=customer).order_by("-id").first()
    assert (move.from_user, move.to_user, move.changed_by) == (
        company["rep"],
        company["other_rep"],
        company["north_mgr"],
    )


def test_edit_without_owner_change_adds_no_log_entry(company, as_user):
    customer = customer_create(by=company["rep"], name="Stay")
    as_user(company["rep"]).post(
        reverse("crm:customer-edit", args=[customer.pk]),
        {"name": "Stay Renamed", "segment": "primary", "status": "active", "source": "inbound"},
    )
    customer.refresh_from_db()
    assert customer.name == "Stay Renamed"
    assert OwnershipChange.objects.filter(customer=customer).count() == 1


# --- detail ------------------------------------------------------------------------------


def test_detail_shows_badges_contacts_deals_and_competing_principal(company, as_user):
    rep = company["rep"]
    CompetingLine.objects.create(rep=rep, principal="Rival Corp", product_line="Robotics")
    customer = CustomerFactory(name="Robo AG", owner=rep, industry="Robotics", is_key=True)
    customer.contacts.create(first_name="Jana", last_name="Keller", is_primary=True)
    deal = DealFactory(customer=customer, title="Big robot order")

    body = as_user(rep).get(reverse("crm:customer-detail", args=[customer.pk])).content.decode()

    assert "Jana Keller" in body
    assert "Big robot order" in body and reverse("crm:deal-detail", args=[deal.pk]) in body
    assert 'class="badge key"' in body and 'class="badge conflict"' in body
    assert "Rival Corp" in body


def test_timeline_lists_stage_and_owner_changes_newest_first(company, as_user):
    rep = company["rep"]
    customer = customer_create(by=rep, name="History Co")
    deal = DealFactory(customer=customer, title="Pumps")
    deal_move_stage(deal=deal, stage="qualified", by=rep)
    OwnershipChange.objects.filter(customer=customer).update(
        changed_at=timezone.now() - timedelta(days=1)
    )

    page = customer_timeline(customer=customer, page=1, page_size=10)
    assert [e.kind for e in page.entries] == ["stage_change", "created", "ownership_change"]
    assert page.entries[0].to_text == "qualified" and page.entries[0].actor == rep
    body = as_user(rep).get(reverse("crm:customer-detail", args=[customer.pk])).content.decode()
    assert "Deal “Pumps” moved lead → qualified" in body
    assert body.index("Pumps") < body.index("given to")


def test_timeline_pages_in_a_fixed_number_of_queries(company, django_assert_max_num_queries):
    rep = company["rep"]
    customer = customer_create(by=rep, name="Busy")
    for i in range(12):
        deal = DealFactory(customer=customer, title=f"D{i}")
        deal_move_stage(deal=deal, stage="qualified", by=rep)
    with django_assert_max_num_queries(3):
        first = customer_timeline(customer=customer, page=1, page_size=5)
    assert first.total == 14 and first.num_pages == 3 and first.has_next
    last = customer_timeline(customer=customer, page=3, page_size=5)
    assert [e.kind for e in last.entries][-1] in {"created", "ownership_change"}
    assert len(last.entries) == 4 and not last.has_next


def test_timeline_htmx_page_renders_the_fragment(company, as_user):
    customer = customer_create(by=company["rep"], name="Frag")
    response = as_user(company["rep"]).get(
        reverse("crm:customer-detail", args=[customer.pk]), {"tpage": 1}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.content.decode()
    assert "Customer created" in response.content.decode()


def test_api_created_customer_logs_api_source(company):
    customer = customer_create(
        by=company["rep"], name="Api", source="referral", log_source=OwnershipChangeSource.API
    )
    assert customer.source == "referral"
    assert OwnershipChange.objects.get(customer=customer).source == "api"
