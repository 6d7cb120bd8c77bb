"""Permission matrix for every customer/contact page and endpoint: the customer belongs to
rep_a (North). Who may read, write and export it: rep_a themself, their team's manager and
the admin. rep_b (same team) and south_mgr (other team) get 404, never 403 or a leak.
Recomputing key customers is a manager/admin action: reps get 403."""

import csv
import io

import pytest
from django.urls import reverse

from crm.models import Contact, Customer
from tests.factories.crm import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ACTORS = ["rep", "other_rep", "north_mgr", "south_mgr", "admin"]
SEES = {"rep": True, "other_rep": False, "north_mgr": True, "south_mgr": False, "admin": True}


@pytest.fixture
def world(company):
    target = CustomerFactory(name="Target", owner=company["rep"])
    return {
        "target": target,
        "contact": ContactFactory(customer=target, first_name="Tara"),
        "others": [
            CustomerFactory(name="B's", owner=company["other_rep"]),
            CustomerFactory(name="South's", owner=company["south_rep"]),
            CustomerFactory(name="Mgr's", owner=company["north_mgr"]),
        ],
    }


def _visible_names(company, who) -> set[str]:
    from crm.selectors import customers_visible_to

    return set(customers_visible_to(user=company[who]).values_list("name", flat=True))


def _form(customer, **extra):
    data = {
        "name": customer.name,
        "segment": customer.segment,
        "status": customer.status,
        "source": customer.source,
        "owner": customer.owner_id,
    }
    return data | extra


@pytest.mark.parametrize("who", ACTORS)
def test_pages_read_and_write(company, world, client, who):
    client.force_login(company[who])
    target, contact = world["target"], world["contact"]
    ok = 200 if SEES[who] else 404
    written = 302 if SEES[who] else 404

    # read
    assert client.get(reverse("crm:customer-detail", args=[target.pk])).status_code == ok
    assert client.get(reverse("crm:customer-edit", args=[target.pk])).status_code == ok
    assert client.get(reverse("crm:contact-create", args=[target.pk])).status_code == ok
    assert client.get(reverse("crm:contact-edit", args=[contact.pk])).status_code == ok
    listed = client.get(reverse("crm:customer-list"), {"page_size": 200})
    names = {c.name for c in listed.context["page"].object_list}
    assert names == _visible_names(company, who)
    assert ("Target" in names) is SEES[who]
    assert client.get(reverse("crm:customer-create")).status_code == 200

    # write
    edit = client.post(
        reverse("crm:customer-edit", args=[target.pk]), _form(target, name="Renamed")
    )
    assert edit.status_code == written
    add = client.post(reverse("crm:contact-create", args=[target.pk]), {"first_name": "New"})
    assert add.status_code == written
    change = client.post(reverse("crm:contact-edit", args=[contact.pk]), {"first_name": "Tom"})
    assert change.status_code == written
    delete = client.post(reverse("crm:contact-delete", args=[contact.pk]))
    assert delete.status_code == written

    target.refresh_from_db()
    assert (target.name == "Renamed") is SEES[who]
    assert Contact.objects.filter(pk=contact.pk).exists() is not SEES[who]
    assert Contact.objects.filter(first_name="New").exists() is SEES[who]


@pytest.mark.parametrize("who", ACTORS)
def test_export_contains_only_visible_rows(company, world, client, who):
    client.force_login(company[who])
    response = client.get(reverse("crm:customer-export"))
    body = b"".join(response.streaming_content).decode()
    names = {row["name"] for row in csv.DictReader(io.StringIO(body))}
    assert names == _visible_names(company, who)
    assert ("Target" in names) is SEES[who]
    assert "South's" not in names or who in {"south_mgr", "admin"}
    # Searching does not widen the scope either.
    searched = client.get(reverse("crm:customer-export"), {"search": "s"})
    found = {r["name"] for r in csv.DictReader(io.StringIO(b"".join(searched).decode()))}
    assert found <= _visible_names(company, who)


@pytest.mark.parametrize("who", ACTORS)
def test_api_read_and_write(company, world, api_as, who):
    api = api_as(company[who])
    target, contact = world["target"], world["contact"]
    ok = 200 if SEES[who] else 404

    assert api.get(f"/api/customers/{target.pk}/").status_code == ok
    listed = api.get("/api/customers/", {"page_size": 200}).json()["results"]
    assert {c["name"] for c in listed} == _visible_names(company, who)
    searched = api.get("/api/customers/", {"search": "target"}).json()["results"]
    assert len(searched) == (1 if SEES[who] else 0)
    assert api.get(f"/api/contacts/{contact.pk}/").status_code == ok
    contacts = api.get("/api/contacts/").json()["results"]
    assert (contact.pk in {c["id"] for c in contacts}) is SEES[who]

    patch = api.patch(f"/api/customers/{target.pk}/", {"name": "Renamed"}, format="json")
    assert patch.status_code == ok
    new_contact = api.post(
        "/api/contacts/", {"customer": target.pk, "first_name": "New"}, format="json"
    )
    assert new_contact.status_code == (201 if SEES[who] else 400)
    assert (
        api.patch(f"/api/contacts/{contact.pk}/", {"first_name": "Tom"}, format="json").status_code
        == ok
    )
    assert api.delete(f"/api/contacts/{contact.pk}/").status_code == (204 if SEES[who] else 404)

    target.refresh_from_db()
    assert (target.name == "Renamed") is SEES[who]
    assert Contact.objects.filter(pk=contact.pk).exists() is not SEES[who]


@pytest.mark.parametrize("who", ACTORS)
def test_recompute_key_customers_is_for_managers_and_admins(company, world, client, api_as, who):
    may = who in {"north_mgr", "south_mgr", "admin"}
    client.force_login(company[who])
    page = client.post(reverse("crm:key-customers-recompute"))
    assert page.status_code == (302 if may else 403)
    api = api_as(company[who]).post("/api/customers/recompute-key-customers/")
    assert api.status_code == (202 if may else 403)


@pytest.mark.parametrize("who", ACTORS)
def test_created_customers_stay_in_the_creators_scope(company, api_as, who):
    owner = company[who] if who != "admin" else company["south_rep"]
    response = api_as(company[who]).post(
        "/api/customers/", {"name": f"By {who}", "owner": owner.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Customer.objects.get(name=f"By {who}").owner == owner
