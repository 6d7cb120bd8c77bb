"""Personal data (issue 12): an admin exports a customer's or a contact's data as JSON and
erases it in place; history stays linked; only admins may, others 403, out of scope 404."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Task
from crm import privacy
from crm.choices import OwnedObject
from crm.models import Contact, Customer, Deal, Erasure, OwnershipChange
from handover.execution import handover_execute
from handover.models import KnowledgeNote
from handover.services import handover_start
from tests.factories.crm import ContactFactory, CustomerFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company):
    """rep_a's customer with a contact, a deal, an activity with notes, a task, an owner log."""
    rep = company["rep"]
    customer = CustomerFactory(
        owner=rep,
        name="Keller Tools",
        phone="+49 89 1",
        website="https://keller.example",
        city="Munich",
        region="Bavaria",
        notes="Jana's private mobile: 0170 123",
    )
    contact = ContactFactory(
        customer=customer, first_name="Jana", last_name="Keller", phone="+49 170", job_title="CEO"
    )
    deal = DealFactory(customer=customer, owner=rep, title="Spring order")
    activity = Activity.objects.create(
        kind="call",
        customer=customer,
        contact=contact,
        deal=deal,
        owner=rep,
        occurred_at=timezone.now(),
        week="2026-W49",
        notes="Jana is on sick leave until May.",
    )
    task = Task.objects.create(
        title="Call back", customer=customer, assignee=rep, due_date=timezone.localdate(), notes="x"
    )
    OwnershipChange.objects.create(
        object_type=OwnedObject.CUSTOMER,
        object_id=customer.pk,
        object_repr=customer.name,
        customer=customer,
        to_user=rep,
        changed_at=timezone.now(),
        source="edit",
    )
    return {**company, "customer": customer, "contact": contact, "deal": deal}, activity, task


# --- Export -----------------------------------------------------------------------------


def test_admin_exports_a_customers_personal_data_over_the_api(world, api_as):
    # Given an admin and a customer with a contact, a deal and an activity
    w, activity, _ = world
    # When the admin asks for its personal data
    response = api_as(w["admin"]).get(f"/api/customers/{w['customer'].pk}/personal-data/")
    # Then it is all there, money as a decimal string
    assert response.status_code == 200
    data = response.json()
    assert data["kind"] == "customer" and data["exported_by"] == "admin"
    assert data["customer"]["name"] == "Keller Tools"
    assert data["customer"]["notes"] == "Jana's private mobile: 0170 123"
    assert [c["email"] for c in data["contacts"]] == [w["contact"].email]
    assert data["deals"][0]["amount"] == "1000.00"
    assert data["activities"][0]["notes"] == activity.notes
    assert data["tasks"][0]["title"] == "Call back"


def test_admin_exports_a_contacts_personal_data_over_the_api(world, api_as):
    w, activity, _ = world
    response = api_as(w["admin"]).get(f"/api/contacts/{w['contact'].pk}/personal-data/")
    assert response.status_code == 200
    data = response.json()
    assert data["contact"]["first_name"] == "Jana" and data["contact"]["phone"] == "+49 170"
    assert [a["id"] for a in data["activities"]] == [activity.pk]


@pytest.mark.parametrize("who", ["rep", "north_mgr"])
@pytest.mark.parametrize("path", ["customers/{c}/personal-data/", "contacts/{k}/personal-data/"])
def test_a_non_admin_who_sees_the_customer_may_not_export_403(world, api_as, who, path):
    # Given the owner and their manager, who both see the customer
    w, _, _ = world
    url = "/api/" + path.format(c=w["customer"].pk, k=w["contact"].pk)
    # When they ask for the personal data
    response = api_as(w[who]).get(url)
    # Then it is a 403 saying who may
    assert response.status_code == 403
    assert "Only an admin" in response.json()["detail"]


@pytest.mark.parametrize("who", ["other_rep", "south_mgr"])
@pytest.mark.parametrize(
    "path",
    [
        "customers/{c}/personal-data/",
        "contacts/{k}/personal-data/",
        "customers/{c}/erase/",
        "contacts/{k}/erase/",
    ],
)
def test_outside_the_callers_scope_it_is_a_404(world, api_as, who, path):
    w, _, _ = world
    url = "/api/" + path.format(c=w["customer"].pk, k=w["contact"].pk)
    client = api_as(w[who])
    response = client.post(url) if url.endswith("erase/") else client.get(url)
    assert response.status_code == 404
    assert Customer.objects.get(pk=w["customer"].pk).name == "Keller Tools"


@pytest.mark.parametrize(
    "url",
    [
        "/api/customers/abc/personal-data/",
        "/api/contacts/1x/erase/",
        "/api/customers/999999/erase/",
        "/customers/abc/personal-data.json",
        "/contacts/abc/erase/",
    ],
)
def test_a_non_numeric_or_unknown_id_is_a_404_not_a_500(company, api_as, url):
    client = api_as(company["admin"])
    response = client.post(url) if url.endswith("erase/") else client.get(url)
    assert response.status_code == 404


def test_an_unauthenticated_caller_gets_a_401(world, api_client):
    w, _, _ = world
    assert api_client.get(f"/api/customers/{w['customer'].pk}/personal-data/").status_code == 401


# --- Erasure ----------------------------------------------------------------------------


def test_erasing_a_customer_anonymises_it_in_place_and_keeps_history_linked(world, api_as):
    # Given a customer with a contact, a deal, an activity with notes and a task
    w, activity, task = world
    customer = w["customer"]
    # When an admin erases it
    response = api_as(w["admin"]).post(f"/api/customers/{customer.pk}/erase/")
    # Then the personal fields are gone, the classification stays
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.name == f"Erased customer #{customer.pk}"
    assert (customer.phone, customer.website, customer.city, customer.notes) == ("", "", "", "")
    assert (customer.region, customer.industry, customer.owner) == (
        "Bavaria",
        "Manufacturing",
        w["rep"],
    )
    # ...its contact is erased too, and the free text about it
    contact = Contact.objects.get(pk=w["contact"].pk)
    assert contact.first_name == f"Erased contact #{contact.pk}"
    assert (contact.last_name, contact.email, contact.phone, contact.job_title) == ("",) * 4
    activity.refresh_from_db()
    task.refresh_from_db()
    assert activity.notes == "" and task.notes == ""
    # ...while deals, activities, tasks and the ownership log still point at the row
    assert Deal.objects.get(pk=w["deal"].pk).customer_id == customer.pk
    assert (activity.customer_id, activity.contact_id, task.customer_id) == (
        customer.pk,
        contact.pk,
        customer.pk,
    )
    log = OwnershipChange.objects.get(object_type=OwnedObject.CUSTOMER, object_id=customer.pk)
    assert log.object_repr == customer.name
    # ...and the erasure is recorded with the field names, never the values
    body = response.json()
    assert body["kind"] == "customer" and body["erased_by"] == "admin"
    assert body["fields"] == ["name", "phone", "website", "city", "notes"]
    # (the activity's notes went with its contact's erasure, recorded on that one)
    assert body["related"] == {"contacts": 1, "tasks.notes": 1, "ownership_log.object_repr": 1}
    record = Erasure.objects.get(kind="customer", object_id=customer.pk)
    assert "Keller" not in json.dumps([record.fields, record.related])
    assert Erasure.objects.filter(kind="contact", object_id=contact.pk).exists()


def test_erasing_a_contact_clears_the_person_and_their_activity_notes_only(world, api_as):
    w, activity, task = world
    contact = w["contact"]
    response = api_as(w["admin"]).post(f"/api/contacts/{contact.pk}/erase/")
    assert response.status_code == 200
    assert response.json()["fields"] == ["first_name", "last_name", "job_title", "email", "phone"]
    contact.refresh_from_db()
    activity.refresh_from_db()
    assert contact.first_name == f"Erased contact #{contact.pk}" and contact.email == ""
    assert activity.notes == "" and activity.contact_id == contact.pk
    assert Customer.objects.get(pk=w["customer"].pk).name == "Keller Tools"


@pytest.mark.parametrize("path,records", [("customers/{c}/erase/", 2), ("contacts/{k}/erase/", 1)])
def test_erasing_twice_is_a_specific_400(world, api_as, path, records):
    # Given an object an admin already erased
    w, _, _ = world
    url = "/api/" + path.format(c=w["customer"].pk, k=w["contact"].pk)
    admin = api_as(w["admin"])
    assert admin.post(url).status_code == 200
    # When it is erased again
    response = admin.post(url)
    # Then it is a 400 saying so, and nothing else is recorded
    assert response.status_code == 400
    assert "already erased" in response.json()["non_field_errors"][0]
    assert Erasure.objects.count() == records


def test_erasing_a_customer_after_its_contact_records_the_contact_once(world):
    w, _, _ = world
    privacy.contact_erase(contact=w["contact"], by=w["admin"])
    erasure = privacy.customer_erase(customer=w["customer"], by=w["admin"])
    assert "contacts" not in erasure.related
    assert Erasure.objects.filter(kind="contact", object_id=w["contact"].pk).count() == 1


@pytest.mark.parametrize("who", ["rep", "north_mgr"])
def test_a_non_admin_may_not_erase_403_and_nothing_changes(world, api_as, who):
    w, _, _ = world
    response = api_as(w[who]).post(f"/api/customers/{w['customer'].pk}/erase/")
    assert response.status_code == 403
    assert Customer.objects.get(pk=w["customer"].pk).name == "Keller Tools"
    assert not Erasure.objects.exists()


def test_a_customer_in_an_open_handover_is_erased_and_still_handed_over(world):
    # Given the owner is leaving and the customer is in the handover plan, with a note
    w, _, _ = world
    handover = handover_start(
        departing_rep=w["rep"],
        last_day=timezone.localdate() + timedelta(days=7),
        reason="burnout",
        by=w["north_mgr"],
    )
    KnowledgeNote.objects.create(
        handover=handover, customer=w["customer"], text="Jana decides", written_by=w["rep"]
    )
    # When an admin erases the customer before the handover runs
    privacy.customer_erase(customer=w["customer"], by=w["admin"])
    # Then the note keeps a marker instead of the text, and the handover still moves the customer
    assert KnowledgeNote.objects.get(customer=w["customer"]).text == privacy.ERASED_NOTE
    handover_execute(handover=handover, by=w["admin"])
    customer = Customer.objects.get(pk=w["customer"].pk)
    assert customer.owner != w["rep"]
    assert customer.name == f"Erased customer #{customer.pk}"


# --- Pages ------------------------------------------------------------------------------


def test_the_customer_page_offers_export_and_erase_to_admins_only(world, client):
    w, _, _ = world
    url = reverse("crm:customer-detail", args=[w["customer"].pk])
    client.force_login(w["admin"])
    html = client.get(url).content.decode()
    assert reverse("crm:customer-personal-data", args=[w["customer"].pk]) in html
    assert reverse("crm:customer-erase", args=[w["customer"].pk]) in html
    assert reverse("crm:contact-erase", args=[w["contact"].pk]) in html
    client.force_login(w["rep"])
    html = client.get(url).content.decode()
    assert "personal-data" not in html and "/erase/" not in html


def test_the_download_is_a_json_attachment(world, client):
    w, _, _ = world
    client.force_login(w["admin"])
    response = client.get(reverse("crm:customer-personal-data", args=[w["customer"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["customer"]["name"] == "Keller Tools"


def test_erase_page_confirms_then_erases_and_the_page_says_so(world, client):
    # Given an admin on the confirmation page
    w, _, _ = world
    client.force_login(w["admin"])
    url = reverse("crm:customer-erase", args=[w["customer"].pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert Customer.objects.get(pk=w["customer"].pk).name == "Keller Tools", "GET erases nothing"
    # When they confirm
    response = client.post(url, follow=True)
    # Then the customer page shows the erased customer and when it was erased
    html = response.content.decode()
    assert f"Erased customer #{w['customer'].pk}" in html
    assert "Personal data erased on" in html
    # ...and a second POST says it was already erased
    again = client.post(url, follow=True).content.decode()
    assert "already erased" in again


@pytest.mark.parametrize("who,status", [("rep", 403), ("other_rep", 404), ("south_mgr", 404)])
def test_erase_and_download_pages_refuse_others(world, client, who, status):
    w, _, _ = world
    client.force_login(w[who])
    pk, contact_pk = w["customer"].pk, w["contact"].pk
    for url in (
        reverse("crm:customer-erase", args=[pk]),
        reverse("crm:contact-erase", args=[contact_pk]),
        reverse("crm:customer-personal-data", args=[pk]),
        reverse("crm:contact-personal-data", args=[contact_pk]),
    ):
        assert client.get(url).status_code == status, url
    assert client.post(reverse("crm:customer-erase", args=[pk])).status_code == status
    assert Customer.objects.get(pk=pk).name == "Keller Tools"
