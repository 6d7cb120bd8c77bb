"""The handover plan proposes receivers from the customer's territory first (issue 13):
a rep who already owns customers in the same territory, else a rep of the territory's
team, else the usual rule (lightest load in the same team)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from handover import services
from handover.models import HandoverAssignment
from handover.selectors import handover_preview, propose_receivers
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory, DealFactory, territory

pytestmark = pytest.mark.django_db


def _customer(owner, value="0", **fields):
    customer = CustomerFactory(owner=owner, **fields)
    if Decimal(value):
        DealFactory(customer=customer, owner=owner, amount=Decimal(value), stage_id="proposal")
    return customer


def _start(company, by=None):
    handover = services.handover_start(
        departing_rep=company["rep"],
        last_day=timezone.localdate() + timedelta(days=10),
        reason="no_growth",
        reason_detail="",
        by=by or company["admin"],
    )
    return dict(
        HandoverAssignment.objects.filter(handover=handover).values_list(
            "customer_id", "receiver_id"
        )
    ), handover


def test_a_rep_working_the_same_territory_gets_its_customers_though_heavier(company):
    # given: rep_b is much heavier, but rep_b already works Munich; rep_d is empty
    munich = territory(team=company["north"], name="Munich")
    rep_b = company["other_rep"]
    rep_d = RepFactory(username="rep_d", team=company["north"])
    _customer(rep_b, "50000", territory=munich)
    in_munich = [_customer(company["rep"], "1000", territory=munich) for _ in range(3)]
    elsewhere = _customer(company["rep"], "1000")
    # when
    plan, _ = _start(company)
    # then: Munich customers go to rep_b; the customer without a territory to the lighter
    assert {plan[c.pk] for c in in_munich} == {rep_b.pk}
    assert plan[elsewhere.pk] == rep_d.pk


def test_among_reps_of_the_territory_the_load_still_balances(company):
    munich = territory(team=company["north"], name="Munich")
    rep_b = company["other_rep"]
    rep_d = RepFactory(username="rep_d", team=company["north"])
    rep_e = RepFactory(username="rep_e", team=company["north"])  # not in Munich
    _customer(rep_b, "100", territory=munich)
    _customer(rep_d, "100", territory=munich)
    big = _customer(company["rep"], "9000", territory=munich)
    small = _customer(company["rep"], "10", territory=munich)
    plan, _ = _start(company)
    assert {plan[big.pk], plan[small.pk]} == {rep_b.pk, rep_d.pk}
    assert rep_e.pk not in plan.values()


def test_without_a_rep_in_the_territory_the_usual_rule_applies(company):
    munich = territory(team=company["north"], name="Munich")
    rep_d = RepFactory(username="rep_d", team=company["north"])
    _customer(company["other_rep"], "5000")
    customer = _customer(company["rep"], "100", territory=munich)
    plan, _ = _start(company)
    assert plan[customer.pk] == rep_d.pk  # the lighter one, as before


def test_the_preview_places_late_customers_by_territory_too(company):
    munich = territory(team=company["north"], name="Munich")
    rep_b = company["other_rep"]
    RepFactory(username="rep_d", team=company["north"])
    _customer(rep_b, "50000", territory=munich)
    _, handover = _start(company)
    late = _customer(company["rep"], "100", territory=munich)  # after the plan was drafted
    preview = handover_preview(handover=handover, by=company["admin"])
    moves = {m.object_id: m.to_user_id for m in preview.customers}
    assert moves[late.pk] == rep_b.pk
    assert late.pk in preview.defaulted


def test_the_territory_proposal_still_reads_loads_in_one_query(company, django_assert_num_queries):
    munich = territory(team=company["north"], name="Munich")
    _customer(company["other_rep"], "100", territory=munich)
    customers = [(i, Decimal(i)) for i in range(1, 200)]
    territories = {i: (munich.pk, company["north"].pk) for i in range(1, 200, 2)}
    with django_assert_num_queries(1):
        result = propose_receivers(
            departing_rep=company["rep"],
            customers=customers,
            by=company["admin"],
            territories=territories,
        )
    assert set(result.values()) == {company["other_rep"].pk}
