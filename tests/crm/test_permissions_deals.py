"""Permission matrix of every deal page and endpoint: a rep (own), another rep of the same
team, the team's manager, the other team's manager and an admin. Read, write (move, edit,
API patch) and export. Outside scope is 404 (never 403, never a leak)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Deal
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db

ACTORS = ["rep", "other_rep", "north_mgr", "south_mgr", "admin"]
# which deals (by key) each actor sees
VISIBLE = {
    "rep": {"own", "inherited_closed"},
    "other_rep": {"colleague"},
    # the team's manager sees it through the customer, the leaver's manager through the owner
    "north_mgr": {"own", "colleague", "inherited_closed"},
    "south_mgr": {"south", "inherited_closed"},
    "admin": {"own", "colleague", "south", "inherited_closed"},
}
# the board is the pipeline people own: the leaver's won deal is on their team's board (the
# South manager's), not on the new customer owner's, who finds it in the list and the export
ON_BOARD = {
    "rep": {"own"},
    "other_rep": {"colleague"},
    "north_mgr": {"own", "colleague"},
    "south_mgr": {"south", "inherited_closed"},
    "admin": {"own", "colleague", "south", "inherited_closed"},
}


@pytest.fixture
def deals(company):
    """One deal per rep, plus a won deal kept by a rep who left (another team) on a customer
    that now belongs to rep_a: it stays visible to rep_a, the customer's owner."""
    leaver = RepFactory(username="leaver", team=company["south"], is_active=False)
    rep_customer = CustomerFactory(owner=company["rep"], name="Rep customer")
    return {
        "own": DealFactory(customer=rep_customer, title="Own deal"),
        "colleague": DealFactory(
            customer=CustomerFactory(owner=company["other_rep"]), title="Colleague deal"
        ),
        "south": DealFactory(
            customer=CustomerFactory(owner=company["south_rep"]), title="South deal"
        ),
        "inherited_closed": DealFactory(
            customer=rep_customer,
            owner=leaver,
            title="Inherited won deal",
            stage_id="won",
            # recent, so the board's won column (last 90 days) shows it too
            closed_at=timezone.localdate() - timedelta(days=30),
        ),
    }


@pytest.fixture
def as_user(client, company):
    def login(actor):
        client.force_login(company[actor])
        return client

    return login


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_board_api_and_export_show_exactly_the_visible_deals(
    actor, as_user, api_as, company, deals
):
    expected = {deals[key].title for key in VISIBLE[actor]}
    web = as_user(actor)

    listed = {d.title for d in web.get(reverse("crm:deal-list")).context["page"].object_list}
    board = web.get(reverse("crm:pipeline"))
    on_board = {d.title for column in board.context["columns"] for d in column.cards}
    counted = sum(column.count for column in board.context["columns"])
    export = b"".join(web.get(reverse("crm:deal-export")).streaming_content).decode()
    exported = {line.split(",")[1] for line in export.strip().splitlines()[1:]}
    api = {r["title"] for r in api_as(company[actor]).get("/api/deals/").json()["results"]}

    assert listed == exported == api == expected
    assert on_board == {deals[key].title for key in ON_BOARD[actor]}
    assert counted == len(ON_BOARD[actor])
    hidden = {d.title for d in deals.values()} - expected
    assert not any(title in board.content.decode() for title in hidden)
    assert not any(title in export for title in hidden)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("key", ["own", "colleague", "south", "inherited_closed"])
def test_read_pages_and_api_are_200_in_scope_and_404_outside(
    actor, key, as_user, api_as, company, deals
):
    deal = deals[key]
    expected = 200 if key in VISIBLE[actor] else 404
    web = as_user(actor)
    assert web.get(reverse("crm:deal-detail", args=[deal.pk])).status_code == expected
    assert web.get(reverse("crm:deal-edit", args=[deal.pk])).status_code == expected
    assert api_as(company[actor]).get(f"/api/deals/{deal.pk}/").status_code == expected


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("key", ["own", "colleague", "south"])
def test_write_move_edit_and_api_patch_only_in_scope(actor, key, as_user, api_as, company, deals):
    deal = deals[key]
    in_scope = key in VISIBLE[actor]
    web = as_user(actor)

    moved = web.post(
        reverse("crm:deal-move", args=[deal.pk]), {"stage": "qualified"}, HTTP_HX_REQUEST="true"
    )
    assert moved.status_code == (200 if in_scope else 404)
    assert Deal.objects.get(pk=deal.pk).stage_id == ("qualified" if in_scope else "lead")

    edited = web.post(
        reverse("crm:deal-edit", args=[deal.pk]),
        {
            "customer": deal.customer_id,
            "owner": deal.owner_id,
            "title": f"{actor} edit",
            "amount": "5.00",
            "stage": "qualified",
        },
    )
    assert edited.status_code == (302 if in_scope else 404)

    patched = api_as(company[actor]).patch(
        f"/api/deals/{deal.pk}/", {"next_step": f"{actor} api"}, format="json"
    )
    assert patched.status_code == (200 if in_scope else 404)

    deal.refresh_from_db()
    if in_scope:
        assert (deal.title, deal.next_step) == (f"{actor} edit", f"{actor} api")
    else:
        assert (deal.title, deal.next_step) == (deals[key].title, "")


@pytest.mark.parametrize("actor", ["rep", "other_rep", "north_mgr", "south_mgr"])
def test_create_only_for_visible_customers(actor, as_user, api_as, company, deals):
    foreign = {
        "rep": deals["south"],
        "other_rep": deals["own"],
        "north_mgr": deals["south"],
        "south_mgr": deals["own"],
    }[actor]
    response = api_as(company[actor]).post(
        "/api/deals/",
        {"customer": foreign.customer_id, "title": "Sneaky", "owner": foreign.owner_id},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()
    page = as_user(actor).post(
        reverse("crm:deal-create"),
        {"customer": foreign.customer_id, "title": "Sneaky", "amount": "1", "stage": "lead"},
    )
    assert "customer" in page.context["form"].errors
    assert not Deal.objects.filter(title="Sneaky").exists()


def test_manager_owner_filter_offers_only_their_team_and_rejects_others(
    as_user, api_as, company, deals
):
    web = as_user("north_mgr")
    owners = set(web.get(reverse("crm:deal-list")).context["filter"].form.fields["owner"].queryset)
    assert company["south_rep"] not in owners and company["rep"] in owners
    response = api_as(company["north_mgr"]).get("/api/deals/", {"owner": company["south_rep"].pk})
    assert response.status_code == 400 and "owner" in response.json()


def test_customer_filter_cannot_widen_the_scope(as_user, deals):
    web = as_user("rep")
    listed = web.get(reverse("crm:deal-list"), {"customer": deals["south"].customer_id})
    assert list(listed.context["page"].object_list) == []


@pytest.mark.parametrize("actor", ACTORS)
def test_deals_visible_to_matches_the_plain_scope_rule(actor, company, deals):
    """The index-friendly selector returns exactly `owner in scope OR customer owner in scope`."""
    from crm.selectors import deals_visible_to, owner_scope_q

    user = company[actor]
    reference = Deal.objects.filter(
        owner_scope_q(user=user) | owner_scope_q(user=user, field="customer__owner")
    )
    assert set(deals_visible_to(user=user)) == set(reference)
    assert {d.title for d in deals_visible_to(user=user)} == {
        deals[key].title for key in VISIBLE[actor]
    }
