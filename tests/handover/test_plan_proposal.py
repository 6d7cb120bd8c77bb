"""Starting a handover drafts a plan: every customer of the departing rep gets a receiver,
same team first, balancing the receivers' open deal value and customer count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from handover import services
from handover.models import Handover, HandoverAssignment
from handover.selectors import eligible_receivers, handover_preview, propose_receivers
from tests.factories.accounts import RepFactory
from tests.factories.crm import CustomerFactory, DealFactory
from tests.factories.handover import HandoverFactory

pytestmark = pytest.mark.django_db


def _customer(owner, value, **fields):
    customer = CustomerFactory(owner=owner, **fields)
    if value:
        DealFactory(customer=customer, owner=owner, amount=Decimal(value), stage_id="proposal")
    return customer


def _start(company, rep=None, **kwargs):
    return services.handover_start(
        departing_rep=rep or company["rep"],
        last_day=kwargs.pop("last_day", timezone.localdate() + timedelta(days=10)),
        reason=kwargs.pop("reason", "no_growth"),
        reason_detail=kwargs.pop("reason_detail", ""),
        by=kwargs.pop("by", company["admin"]),
    )


def _plan(handover):
    return dict(
        HandoverAssignment.objects.filter(handover=handover).values_list(
            "customer_id", "receiver_id"
        )
    )


def test_largest_customers_go_to_the_lightest_receivers_in_turn(company):
    # given: rep_a leaves; North has rep_b (empty) and a new rep_d who already owns 5,000
    north = company["north"]
    rep_b = company["other_rep"]
    rep_d = RepFactory(username="rep_d", team=north)
    _customer(rep_d, "5000")
    big = _customer(company["rep"], "9000")
    mid = _customer(company["rep"], "4000")
    small = _customer(company["rep"], "2000")
    tiny = _customer(company["rep"], None)
    # when
    handover = _start(company)
    # then: 9000 -> rep_b (0); 4000 -> rep_d (5000 < 9000); 2000 -> rep_b? no: rep_d has
    # 9000 now, rep_b 9000 with 1 customer vs rep_d 9000 with 2 -> rep_b; tiny -> rep_d
    plan = _plan(handover)
    assert plan == {big.pk: rep_b.pk, mid.pk: rep_d.pk, small.pk: rep_b.pk, tiny.pk: rep_d.pk}
    assert all(
        HandoverAssignment.objects.filter(handover=handover).values_list("proposed", flat=True)
    )


def test_same_team_first_even_when_another_team_is_lighter(company):
    # given: rep_b (North) already owns a lot, rep_c (South) nothing
    _customer(company["other_rep"], "100000")
    customers = [_customer(company["rep"], "1000") for _ in range(3)]
    handover = _start(company)
    assert set(_plan(handover).values()) == {company["other_rep"].pk}
    assert len(_plan(handover)) == len(customers)


def test_falls_back_to_other_teams_when_the_team_has_no_other_rep(company):
    company["other_rep"].is_active = False
    company["other_rep"].save()
    customer = _customer(company["rep"], "500")
    handover = _start(company)
    assert _plan(handover) == {customer.pk: company["south_rep"].pk}


def test_a_managers_proposal_stays_in_the_team_and_leaves_the_rest_for_an_admin(company):
    # given: North has no other rep who can receive
    company["other_rep"].is_active = False
    company["other_rep"].save()
    customer = _customer(company["rep"], "500")

    # when: North's manager starts the handover
    handover = _start(company, by=company["north_mgr"])

    # then: nothing goes to South on the manager's say; an admin's preview would place it
    assert _plan(handover) == {}
    as_manager = handover_preview(handover=handover, by=company["north_mgr"])
    as_admin = handover_preview(handover=handover, by=company["admin"])
    assert ("customer", customer.pk) in as_manager.unplaced
    assert [m.to_user_id for m in as_admin.customers] == [company["south_rep"].pk]


def test_receivers_skip_inactive_and_departing_reps(company):
    # given: rep_b is leaving too; rep_e is inactive; only rep_f can receive
    north = company["north"]
    HandoverFactory(departing_rep=company["other_rep"])
    RepFactory(username="rep_e", team=north, is_active=False)
    rep_f = RepFactory(username="rep_f", team=north)
    for _ in range(4):
        _customer(company["rep"], "100")
    handover = _start(company)
    assert set(_plan(handover).values()) == {rep_f.pk}


def test_managers_and_admins_never_receive(company):
    company["other_rep"].is_active = False
    company["other_rep"].save()
    company["south_rep"].is_active = False
    company["south_rep"].save()
    customer = _customer(company["rep"], "100")
    handover = _start(company)
    assert _plan(handover) == {}
    # the preview names what nobody can take (the customer and its open deal)
    unplaced = handover_preview(handover=handover, by=company["admin"]).unplaced
    assert ("customer", customer.pk) in unplaced
    assert len(unplaced) == 2


def test_proposal_reads_loads_in_a_fixed_number_of_queries(company, django_assert_num_queries):
    customers = [(i, Decimal(i)) for i in range(1, 200)]
    with django_assert_num_queries(1):
        result = propose_receivers(
            departing_rep=company["rep"], customers=customers, by=company["admin"]
        )
    assert set(result.values()) == {company["other_rep"].pk}


def test_customers_added_later_are_proposed_without_touching_choices(company):
    first = _customer(company["rep"], "100")
    handover = _start(company)
    rep_f = RepFactory(username="rep_f", team=company["north"])
    services.handover_plan_update(
        handover=handover,
        assignments=[{"customer": first.pk, "receiver": rep_f.pk}],
        by=company["admin"],
    )
    late = _customer(company["rep"], "100")
    assert services.handover_propose_plan(handover=handover, by=company["admin"]) == 1
    plan = _plan(handover)
    assert plan[first.pk] == rep_f.pk
    assert late.pk in plan


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"last_day": timezone.localdate() - timedelta(days=1)}, "last_day"),
        ({"last_day": None}, "last_day"),
        ({"reason": "bored"}, "reason"),
        ({"reason": "other", "reason_detail": "  "}, "reason_detail"),
    ],
)
def test_bad_start_input_is_a_field_error_and_creates_nothing(company, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        _start(company, **kwargs)
    assert field in exc.value.message_dict
    assert not company["rep"].handovers.exists()


def test_one_open_handover_per_rep(company):
    _start(company)
    with pytest.raises(ValidationError) as exc:
        _start(company)
    assert "already has an open handover" in exc.value.message_dict["departing_rep"][0]


def test_only_active_reps_can_be_handed_over(company):
    with pytest.raises(ValidationError) as exc:
        _start(company, rep=company["north_mgr"])
    assert "departing_rep" in exc.value.message_dict
    company["rep"].is_active = False
    company["rep"].save()
    with pytest.raises(ValidationError):
        _start(company)


def test_only_admin_and_own_manager_may_start(company):
    with pytest.raises(PermissionDenied):
        _start(company, by=company["south_mgr"])
    with pytest.raises(PermissionDenied):
        _start(company, by=company["other_rep"])
    assert _start(company, by=company["north_mgr"]).created_by == company["north_mgr"]


def test_a_rep_whose_handover_is_done_but_who_is_still_working_is_never_a_receiver(company):
    # Given rep_b's handover was executed but their last day has not ended (still active)
    Handover.objects.create(
        departing_rep=company["other_rep"],
        last_day=company["other_rep"].date_joined.date(),
        reason="burnout",
        status="done",
    )
    # When rep_a leaves too, then rep_b is not offered as a receiver
    receivers = set(eligible_receivers(departing_rep=company["rep"]))
    assert company["other_rep"] not in receivers
    assert company["south_rep"] in receivers
