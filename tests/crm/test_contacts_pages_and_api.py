"""Contacts: the people at a customer, added, edited and removed from the customer page
and through /api/contacts/, only ever on customers the user may see."""

import pytest
from django.urls import reverse

from crm.models import Contact
from tests.factories.crm import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(company):
    return CustomerFactory(name="Mine", owner=company["rep"])


@pytest.fixture
def theirs(company):
    return CustomerFactory(name="Theirs", owner=company["other_rep"])


# --- pages -------------------------------------------------------------------------------


def test_rep_adds_a_contact_to_their_customer(company, client, mine):
    client.force_login(company["rep"])
    response = client.post(
        reverse("crm:contact-create", args=[mine.pk]),
        {"first_name": "Jana", "last_name": "Keller", "email": "jana@example.com"},
        follow=True,
    )
    assert "Contact “Jana Keller” added." in response.content.decode()
    assert mine.contacts.get().email == "jana@example.com"


def test_contact_form_shows_field_errors_and_saves_nothing(company, client, mine):
    client.force_login(company["rep"])
    response = client.post(
        reverse("crm:contact-create", args=[mine.pk]), {"first_name": "", "email": "nope"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "first_name" in errors and "email" in errors
    assert not Contact.objects.exists()


def test_rep_edits_and_deletes_a_contact(company, client, mine):
    contact = ContactFactory(customer=mine, first_name="Old")
    client.force_login(company["rep"])
    client.post(
        reverse("crm:contact-edit", args=[contact.pk]),
        {"first_name": "New", "last_name": "Name", "is_primary": "on"},
    )
    contact.refresh_from_db()
    assert (contact.first_name, contact.is_primary) == ("New", True)

    assert client.get(reverse("crm:contact-delete", args=[contact.pk])).status_code == 405
    response = client.post(reverse("crm:contact-delete", args=[contact.pk]), follow=True)
    assert "deleted" in response.content.decode()
    assert not Contact.objects.exists()


def test_contacts_of_someone_elses_customer_are_404(company, client, theirs):
    contact = ContactFactory(customer=theirs)
    client.force_login(company["rep"])
    assert client.get(reverse("crm:contact-create", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("crm:contact-edit", args=[contact.pk])).status_code == 404
    assert client.post(reverse("crm:contact-delete", args=[contact.pk])).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


# --- API ---------------------------------------------------------------------------------


def test_api_lists_contacts_of_visible_customers_with_search(company, api_as, mine, theirs):
    ContactFactory(customer=mine, first_name="Jana", last_name="Keller")
    ContactFactory(customer=mine, first_name="Otto", last_name="Berg")
    ContactFactory(customer=theirs, first_name="Jana", last_name="Hidden")
    api = api_as(company["rep"])

    body = api.get("/api/contacts/").json()
    assert body["count"] == 2
    assert set(body["results"][0]) == {
        "id",
        "customer",
        "first_name",
        "last_name",
        "job_title",
        "email",
        "phone",
        "is_primary",
    }
    found = api.get("/api/contacts/", {"search": "jana"}).json()["results"]
    assert [c["last_name"] for c in found] == ["Keller"]
    ordered = api.get("/api/contacts/", {"ordering": "-last_name"}).json()["results"]
    assert [c["last_name"] for c in ordered] == ["Keller", "Berg"]


def test_api_creates_a_contact_on_own_customer(company, api_as, mine):
    response = api_as(company["rep"]).post(
        "/api/contacts/", {"customer": mine.pk, "first_name": "Ada"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["customer"] == mine.pk


def test_api_contact_on_someone_elses_customer_is_a_field_error_not_a_leak(company, api_as, theirs):
    api = api_as(company["rep"])
    response = api.post(
        "/api/contacts/", {"customer": theirs.pk, "first_name": "Ada"}, format="json"
    )
    missing = api.post("/api/contacts/", {"customer": 999999, "first_name": "Ada"}, format="json")
    assert response.status_code == 400
    assert "customer" in response.json()
    # Same message as for a customer that does not exist, apart from the id.
    assert response.json()["customer"][0].replace(str(theirs.pk), "X") == missing.json()[
        "customer"
    ][0].replace("999999", "X")
    assert not Contact.objects.exists()


def test_api_contact_bad_input_is_400_with_field_errors(company, api_as, mine):
    response = api_as(company["rep"]).post(
        "/api/contacts/", {"customer": mine.pk, "email": "not-an-email"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"first_name", "email"}


def test_api_contact_outside_scope_is_404_for_read_write_delete(company, api_as, theirs):
    contact = ContactFactory(customer=theirs)
    api = api_as(company["rep"])
    url = f"/api/contacts/{contact.pk}/"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"first_name": "X"}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    contact.refresh_from_db()
    assert contact.first_name != "X"


def test_api_cannot_move_a_contact_to_someone_elses_customer(company, api_as, mine, theirs):
    contact = ContactFactory(customer=mine)
    response = api_as(company["rep"]).patch(
        f"/api/contacts/{contact.pk}/", {"customer": theirs.pk}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()
    contact.refresh_from_db()
    assert contact.customer == mine


def test_api_contacts_list_runs_fixed_queries(company, api_as, mine, django_assert_max_num_queries):
    api = api_as(company["rep"])
    ContactFactory.create_batch(5, customer=mine)
    with django_assert_max_num_queries(5) as five:
        api.get("/api/contacts/", {"page_size": 200})
    ContactFactory.create_batch(45, customer=mine)
    with django_assert_max_num_queries(len(five.captured_queries)):
        body = api.get("/api/contacts/", {"page_size": 200}).json()
    assert len(body["results"]) == 50
