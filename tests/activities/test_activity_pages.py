"""The quick-log form on the customer page, the deal page and "My week": it posts with htmx,
the answer is the new entry for the top of the list plus the cleared form (out of band);
errors come back as the form with its field errors, swapped over itself. The customer
timeline shows activities (late entries marked) in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, WeeklyCallReport
from activities.weeks import user_tz, week_of
from crm.selectors import customer_timeline
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(company, client):
    rep = company["rep"]
    customer = CustomerFactory(name="Acme", owner=rep)
    client.force_login(rep)
    return {
        **company,
        "client": client,
        "customer": customer,
        "contact": ContactFactory(customer=customer, first_name="Jana", last_name="Keller"),
        "deal": DealFactory(customer=customer, owner=rep, title="Spring restock"),
        "other_contact": ContactFactory(customer=CustomerFactory(owner=rep)),
    }


def log(client, data, htmx=True):
    return client.post(reverse("activities:quick-log"), data, **(HTMX if htmx else {}))


def test_customer_page_offers_the_form_with_its_contacts_and_deals(world):
    page = world["client"].get(reverse("crm:customer-detail", args=[world["customer"].pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="quick-log"' in html and 'hx-target="#timeline-list"' in html
    assert 'hx-swap="afterbegin"' in html
    assert "Jana Keller" in html and "Spring restock" in html
    assert str(world["other_contact"]) not in html


def test_htmx_post_returns_the_new_entry_and_a_cleared_form(world):
    customer = world["customer"]
    response = log(
        world["client"],
        {
            "ql_mode": f"customer:{customer.pk}",
            "ql_target": "#timeline-list",
            "kind": "call",
            "customer": customer.pk,
            "contact": world["contact"].pk,
            "outcome": "connected",
            "duration_minutes": "12",
            "notes": "Talked about the spring order",
        },
    )

    activity = Activity.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="activity-{activity.pk}"' in html
    assert "Talked about the spring order" in html and "Connected" in html
    assert 'hx-swap-oob="true"' in html and "Call with Acme logged." in html
    # the re-rendered form is empty again
    assert "Talked about the spring order</textarea>" not in html
    assert (activity.owner, activity.contact, activity.duration_minutes) == (
        world["rep"],
        world["contact"],
        12,
    )


def test_htmx_post_with_errors_rerenders_the_form_in_place(world):
    customer = world["customer"]
    response = log(
        world["client"],
        {
            "ql_mode": f"customer:{customer.pk}",
            "kind": "call",
            "customer": customer.pk,
            "contact": world["other_contact"].pk,
            "duration_minutes": "-10",
            "notes": "keep me",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#quick-log" and response["HX-Reswap"] == "outerHTML"
    assert "This contact works at another customer." in html
    assert "keep me</textarea>" in html
    assert Activity.objects.count() == 0


def test_far_future_and_negative_duration_are_field_errors(world):
    customer = world["customer"]
    future = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    response = log(
        world["client"],
        {"kind": "visit", "customer": customer.pk, "occurred_at": future, "duration_minutes": -1},
    )
    html = response.content.decode()
    assert "An activity cannot be logged in the future" in html
    assert "The duration cannot be negative." in html
    assert Activity.objects.count() == 0


def test_a_deal_the_rep_cannot_see_is_refused(world):
    south_deal = DealFactory(customer=CustomerFactory(owner=world["south_rep"]))
    response = log(
        world["client"], {"kind": "call", "customer": world["customer"].pk, "deal": south_deal.pk}
    )
    assert "Choose one of your deals; this one is not visible to you." in response.content.decode()
    assert Activity.objects.count() == 0


def test_without_htmx_the_post_redirects_with_a_message(world):
    customer = world["customer"]
    response = log(
        world["client"],
        {"kind": "email", "customer": customer.pk, "next": f"/customers/{customer.pk}/"},
        htmx=False,
    )
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    page = world["client"].get(response["Location"])
    assert "Email with Acme logged." in page.content.decode()


def test_changing_the_customer_offers_that_customers_contacts(world):
    response = world["client"].get(
        reverse("activities:quick-log"), {"customer": world["customer"].pk, "kind": "call"}, **HTMX
    )
    html = response.content.decode()
    assert "Jana Keller" in html and str(world["other_contact"]) not in html


def test_deal_page_logs_against_the_deal(world):
    deal = world["deal"]
    response = log(world["client"], {"ql_mode": f"deal:{deal.pk}", "kind": "meeting"})
    activity = Activity.objects.get()
    assert (activity.deal, activity.customer) == (deal, world["customer"])
    assert "Spring restock" in response.content.decode()


def test_timeline_shows_activities_and_late_entries(world):
    rep, customer = world["rep"], world["customer"]
    week = week_of(timezone.now(), user_tz(rep))
    WeeklyCallReport.objects.create(
        rep=rep, week=week, status="submitted", submitted_at=timezone.now()
    )
    log(world["client"], {"kind": "call", "customer": customer.pk, "notes": "After the report"})

    page = world["client"].get(reverse("crm:customer-detail", args=[customer.pk]))
    html = page.content.decode()
    assert "After the report" in html
    assert "late entry" in html
    entries = [e for e in page.context["timeline"].entries if e.kind == "activity"]
    assert len(entries) == 1 and entries[0].is_late and entries[0].activity_kind == "Call"


def _activities(customer, owner, n):
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            customer=customer,
            owner=owner,
            kind="call",
            occurred_at=now - timedelta(hours=i),
            week=week_of(now - timedelta(hours=i), user_tz(owner)),
            notes=f"n{i}",
        )
        for i in range(n)
    )


def test_timeline_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    customer = world["customer"]
    _activities(customer, world["rep"], 3)
    with django_assert_max_num_queries(3):
        small = customer_timeline(customer=customer, page=1, page_size=20)
    _activities(customer, world["north_mgr"], 60)
    with django_assert_max_num_queries(3):
        large = customer_timeline(customer=customer, page=1, page_size=20)
    assert len(large.entries) == 20 and large.total > small.total
    assert [e.at for e in large.entries] == sorted((e.at for e in large.entries), reverse=True)


def test_edit_and_delete_pages_for_the_owner(world):
    client, rep, customer = world["client"], world["rep"], world["customer"]
    log(client, {"kind": "call", "customer": customer.pk})
    activity = Activity.objects.get()

    assert client.get(reverse("activities:activity-edit", args=[activity.pk])).status_code == 200
    saved = client.post(
        reverse("activities:activity-edit", args=[activity.pk]),
        {"kind": "visit", "customer": customer.pk, "duration_minutes": "30"},
    )
    assert saved.status_code == 302
    activity.refresh_from_db()
    assert (activity.kind, activity.duration_minutes) == ("visit", 30)

    bad = client.post(
        reverse("activities:activity-edit", args=[activity.pk]),
        {"kind": "visit", "customer": customer.pk, "duration_minutes": "-3"},
    )
    assert "The duration cannot be negative." in bad.content.decode()

    WeeklyCallReport.objects.create(
        rep=rep, week=activity.week, status="submitted", submitted_at=timezone.now()
    )
    locked = client.post(
        reverse("activities:activity-edit", args=[activity.pk]),
        {"kind": "note", "customer": customer.pk},
    )
    assert "the activity is locked" in locked.content.decode()
    refused = client.post(reverse("activities:activity-delete", args=[activity.pk]))
    assert refused.status_code == 200 and "the activity is locked" in refused.content.decode()
    activity.refresh_from_db()
    assert activity.kind == "visit"

    WeeklyCallReport.objects.filter(rep=rep).update(status="returned")
    deleted = client.post(reverse("activities:activity-delete", args=[activity.pk]))
    assert deleted.status_code == 302 and Activity.objects.count() == 0


def test_deal_page_offers_the_form_and_the_deals_latest_activities(world):
    deal = world["deal"]
    log(world["client"], {"ql_mode": f"deal:{deal.pk}", "kind": "visit", "notes": "On site"})

    page = world["client"].get(reverse("crm:deal-detail", args=[deal.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="quick-log"' in html and 'hx-target="#activity-list"' in html
    assert f'value="deal:{deal.pk}"' in html
    assert 'id="activity-list"' in html and "On site" in html
