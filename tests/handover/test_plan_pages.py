"""The plan page: the whole portfolio with annotations, per-row and bulk receivers, per-item
overrides, the receiver summary, what is missing, and the preview."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Task
from handover import services
from handover.models import Handover, HandoverAssignment, ItemOverride
from tests.factories.accounts import RepFactory
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _start(company, by=None):
    return services.handover_start(
        departing_rep=company["rep"],
        last_day=timezone.localdate() + timedelta(days=7),
        reason="internal_politics",
        by=by or company["admin"],
    )


def _portfolio(company, n=3):
    customers = []
    for i in range(n):
        c = CustomerFactory(
            owner=company["rep"], is_key=(i == 0), region="Bavaria" if i % 2 else "Tyrol"
        )
        DealFactory(customer=c, amount=Decimal("250.00"), stage_id="proposal")
        Task.objects.create(
            title="Follow up", customer=c, assignee=company["rep"], due_date=timezone.localdate()
        )
        customers.append(c)
    return customers


def test_start_form_creates_a_handover_and_lands_on_the_plan(client, company):
    _portfolio(company, 2)
    client.force_login(company["north_mgr"])
    response = client.post(
        reverse("handover:start"),
        {
            "departing_rep": company["rep"].pk,
            "last_day": str(timezone.localdate() + timedelta(days=3)),
            "reason": "burnout",
            "reason_detail": "",
        },
        follow=True,
    )
    handover = Handover.objects.get()
    assert response.redirect_chain[-1][0] == reverse("handover:plan", args=[handover.pk])
    assert "2 customers have a proposed receiver" in response.content.decode()


def test_start_form_shows_field_errors_and_creates_nothing(client, company):
    client.force_login(company["admin"])
    response = client.post(
        reverse("handover:start"),
        {"departing_rep": company["rep"].pk, "last_day": "2001-01-01", "reason": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The last day cannot be in the past." in body or "This field is required" in body
    assert not Handover.objects.exists()
    response = client.post(
        reverse("handover:start"),
        {"departing_rep": company["rep"].pk, "last_day": "2001-01-01", "reason": "burnout"},
    )
    assert "The last day cannot be in the past." in response.content.decode()


def test_plan_page_shows_portfolio_receiver_summary_and_missing(client, company):
    customers = _portfolio(company, 3)
    Activity.objects.create(
        kind="call",
        customer=customers[0],
        owner=company["rep"],
        occurred_at=timezone.now() - timedelta(days=2),
        week="2026-W01",
    )
    handover = _start(company)
    client.force_login(company["admin"])
    body = client.get(reverse("handover:plan", args=[handover.pk])).content.decode()
    assert customers[0].name in body and customers[2].name in body
    assert "no note" in body  # key customer without a note
    assert "1</strong> key customer without a knowledge-transfer note" in body
    assert "3</strong> open deals not brought up to date" in body
    assert "750.00" in body  # receiver summary: rep_b takes 3 x 250
    assert str(company["other_rep"]) in body


def test_plan_filters_narrow_the_rows(client, company):
    customers = _portfolio(company, 4)
    handover = _start(company)
    client.force_login(company["admin"])
    response = client.get(
        reverse("handover:plan", args=[handover.pk]), {"region": "bavaria"}, **HTMX
    )
    body = response.content.decode()
    assert "2 customers" in body
    assert customers[1].name in body and customers[0].name not in body


def test_row_override_sets_the_receiver_and_marks_it_chosen(client, company):
    customers = _portfolio(company, 2)
    handover = _start(company)
    client.force_login(company["admin"])  # an admin may hand work to another team
    url = reverse("handover:assign", args=[handover.pk, customers[0].pk])
    response = client.post(url, {"receiver": company["south_rep"].pk}, **HTMX)
    assert response.status_code == 200
    assert "chosen" in response.content.decode()
    row = HandoverAssignment.objects.get(handover=handover, customer=customers[0])
    assert (row.receiver_id, row.proposed) == (company["south_rep"].pk, False)


def test_a_manager_hands_work_only_to_their_own_team(client, company):
    # given: North's manager plans rep_a's handover; South's rep_c exists
    customers = _portfolio(company, 2)
    handover = _start(company, by=company["north_mgr"])
    south_rep = company["south_rep"]
    client.force_login(company["north_mgr"])
    before = dict(
        HandoverAssignment.objects.filter(handover=handover).values_list("customer", "receiver")
    )

    # when: the manager opens the plan and tries to pick rep_c, row by row and in bulk
    page = client.get(reverse("handover:plan", args=[handover.pk])).content.decode()
    row = client.post(
        reverse("handover:assign", args=[handover.pk, customers[0].pk]),
        {"receiver": south_rep.pk},
        **HTMX,
    )
    bulk = client.post(
        reverse("handover:bulk-assign", args=[handover.pk]), {"receiver": south_rep.pk}
    )
    own = client.post(
        reverse("handover:assign", args=[handover.pk, customers[1].pk]),
        {"receiver": company["other_rep"].pk},
        **HTMX,
    )

    # then: no other team's rep is offered or accepted; their own rep is
    assert str(south_rep) not in page
    assert (row.status_code, bulk.status_code, own.status_code) == (400, 400, 200)
    after = dict(
        HandoverAssignment.objects.filter(handover=handover).values_list("customer", "receiver")
    )
    assert south_rep.pk not in after.values()
    assert after[customers[0].pk] == before[customers[0].pk]


def test_row_override_refuses_ineligible_receivers(client, company):
    customers = _portfolio(company, 1)
    handover = _start(company)
    client.force_login(company["admin"])
    url = reverse("handover:assign", args=[handover.pk, customers[0].pk])
    for bad in [company["rep"].pk, company["north_mgr"].pk, "abc", ""]:
        response = client.post(url, {"receiver": bad}, **HTMX)
        assert response.status_code == 400
        assert "field-error" in response.content.decode()
    assert HandoverAssignment.objects.get().receiver_id == company["other_rep"].pk


def test_bulk_assign_by_filter(client, company):
    customers = _portfolio(company, 4)
    handover = _start(company)
    rep_d = RepFactory(team=company["north"])
    client.force_login(company["admin"])
    response = client.post(
        reverse("handover:bulk-assign", args=[handover.pk]),
        {"receiver": rep_d.pk, "region": "Bavaria", "segment": "", "is_key": ""},
        follow=True,
    )
    assert "2 customers now go to" in response.content.decode()
    plan = dict(HandoverAssignment.objects.values_list("customer_id", "receiver_id"))
    assert [plan[c.pk] == rep_d.pk for c in customers] == [False, True, False, True]


def test_bulk_assign_bad_input(client, company):
    _portfolio(company, 2)
    handover = _start(company)
    client.force_login(company["admin"])
    url = reverse("handover:bulk-assign", args=[handover.pk])
    response = client.post(url, {"receiver": company["other_rep"].pk, "region": "Nowhere"})
    assert response.status_code == 400
    assert "No customer of this handover matches the filter." in response.content.decode()
    response = client.post(url, {"receiver": company["north_mgr"].pk})
    assert response.status_code == 400
    assert not HandoverAssignment.objects.filter(proposed=False).exists()


@pytest.mark.parametrize("receiver", ["other_rep", "abc"])
def test_bulk_assign_on_a_closed_handover_says_why_on_the_plan_page(client, company, receiver):
    _portfolio(company, 2)
    handover = _start(company)
    Handover.objects.filter(pk=handover.pk).update(status="reversed")
    before = list(HandoverAssignment.objects.values_list("customer", "receiver"))
    client.force_login(company["admin"])
    value = company[receiver].pk if receiver in company else receiver

    response = client.post(
        reverse("handover:bulk-assign", args=[handover.pk]), {"receiver": value}, follow=True
    )

    assert "its plan can no longer change" in response.content.decode()
    assert list(HandoverAssignment.objects.values_list("customer", "receiver")) == before


def test_item_override_on_a_customer_row(client, company):
    customers = _portfolio(company, 1)
    deal = customers[0].deals.get()
    handover = _start(company)
    client.force_login(company["admin"])
    url = reverse("handover:items", args=[handover.pk, customers[0].pk])
    assert deal.title in client.get(url, **HTMX).content.decode()
    response = client.post(
        url, {"kind": "deal", "object_id": deal.pk, "receiver": company["south_rep"].pk}, **HTMX
    )
    assert response.status_code == 200
    assert ItemOverride.objects.get().receiver_id == company["south_rep"].pk
    bad = client.post(url, {"kind": "deal", "object_id": 999999, "receiver": ""}, **HTMX)
    assert bad.status_code == 400
    assert "not an open deal" in bad.content.decode()


def test_an_override_for_a_closed_deal_or_another_customers_item_is_refused(client, company):
    # given: two customers in the plan, one with a won deal
    first, second = _portfolio(company, 2)
    won = DealFactory(
        customer=first, owner=company["rep"], stage_id="won", closed_at=timezone.localdate()
    )
    other_task = Task.objects.get(customer=second)
    handover = _start(company)
    client.force_login(company["admin"])
    url = reverse("handover:items", args=[handover.pk, first.pk])
    to = company["other_rep"].pk

    # when: overriding the won deal, or the second customer's task through the first's row
    closed = client.post(url, {"kind": "deal", "object_id": won.pk, "receiver": to}, **HTMX)
    elsewhere = client.post(
        url, {"kind": "task", "object_id": other_task.pk, "receiver": to}, **HTMX
    )
    api = client.patch(
        f"/api/handovers/{handover.pk}/plan/",
        {"overrides": [{"kind": "deal", "object_id": won.pk, "receiver": to}]},
        content_type="application/json",
    )

    # then
    assert (closed.status_code, elsewhere.status_code, api.status_code) == (400, 400, 400)
    assert "not an open deal or task of" in elsewhere.content.decode()
    assert not ItemOverride.objects.exists()


def test_preview_counts_every_change(client, company):
    customers = _portfolio(company, 2)
    ContactFactory(customer=customers[0])
    DealFactory(
        customer=customers[1],
        stage_id="won",
        amount=Decimal("9.00"),
        closed_at=timezone.localdate(),
    )
    handover = _start(company)
    client.force_login(company["admin"])
    response = client.get(reverse("handover:preview", args=[handover.pk]))
    body = response.content.decode()
    assert "2 customers move" in body
    assert "2 open deals move" in body
    assert "2 open tasks move" in body
    assert "1 contacts follow" in body
    assert "1 intro tasks created" in body
    assert "1 closed deals stay" in body


@pytest.mark.parametrize("n", [10, 100])
def test_plan_page_runs_a_fixed_number_of_queries(
    client, company, django_assert_max_num_queries, n
):
    _portfolio(company, n)
    handover = _start(company)
    client.force_login(company["admin"])
    with django_assert_max_num_queries(16):  # + the notice period's days (issue 12)
        response = client.get(reverse("handover:plan", args=[handover.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('id="plan-row-') == n
